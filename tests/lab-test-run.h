/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include "lab-run-builder.h"
#include "lab-run.h"
#include "lab-test-time.h"

/* A builder for a test run: @spec in @modes ("threads,processes") with
 * @n_workers worker counts, one measured repetition, no warm-up. */
static inline LabRunBuilder *
lab_test_builder (const char  *spec,
                  const char  *modes,
                  const guint *workers,
                  guint        n_workers)
{
  LabRunBuilder *builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);

  g_assert_true (lab_run_builder_set_workload (builder, spec, NULL));
  g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, modes, NULL));
  lab_run_builder_set_workers (builder, workers, n_workers);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 0);
  return builder;
}

/* Builds and frees @builder; the test fails if it does not check out. */
static inline LabRunConfig *
lab_test_build (LabRunBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  LabRunConfig *config = lab_run_builder_build (builder, &error);

  g_assert_no_error (error);
  lab_run_builder_free (builder);
  return config;
}

typedef struct
{
  GCancellable *cancellable;
  gint64        limit_us;
  gint64        cancelled_us;
  guint         watchdog;
} LabTestCancel;

static inline gboolean
lab_test_cancel_overdue (gpointer user_data)
{
  LabTestCancel *cancel = user_data;

  g_error ("The run went on for %.1f s after it was cancelled",
           (g_get_monotonic_time () - cancel->cancelled_us) / (double) G_USEC_PER_SEC);
  return G_SOURCE_REMOVE;
}

static inline void
lab_test_cancel_on_start (LabRun        *run,
                          LabRepetition *rep,
                          gpointer       user_data)
{
  LabTestCancel *cancel = user_data;

  if (cancel->cancelled_us != 0)
    return;
  cancel->cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (cancel->cancellable);
  /* A run that does not stop fails here, not at the runner's timeout. */
  cancel->watchdog = g_timeout_add ((guint) (2 * cancel->limit_us / 1000), lab_test_cancel_overdue, cancel);
}

/* Runs @config, cancels it when its first repetition has started, and
 * checks that it stops, saying so, within @limit_us of the cancel
 * (stretched in slow builds, lab-test-time.h). The cancel follows an
 * event, not a time, and the limit counts from it: however fast this
 * build runs a kernel or starts a worker, the run is under way when it
 * is cancelled. @config's work must take far longer than @limit_us. */
static inline void
lab_test_assert_cancels (const LabRunConfig *config,
                         gint64              limit_us)
{
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  LabTestCancel cancel = { cancellable, lab_test_time_limit (limit_us), 0, 0 };
  gint64 stopped_us;

  g_signal_connect (run, "repetition-started", G_CALLBACK (lab_test_cancel_on_start), &cancel);
  g_assert_false (lab_run_execute (run, cancellable, &error));
  stopped_us = g_get_monotonic_time ();
  g_clear_handle_id (&cancel.watchdog, g_source_remove);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cancel.cancelled_us, >, 0);
  g_test_message ("stopped %.1f ms after the cancel", (stopped_us - cancel.cancelled_us) / 1000.0);
  g_assert_cmpint (stopped_us - cancel.cancelled_us, <, cancel.limit_us);
  g_assert_false (lab_run_get_running (run));
}

/* Builds @spec with @param set to @value (and the embedded server at
 * @server_url unless NULL); the test fails unless the builder refuses it
 * as an invalid argument with a message that says @needle. */
static inline void
lab_test_assert_refused (const char *spec,
                         const char *server_url,
                         LabParam    param,
                         const char *value,
                         const char *needle)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_run_builder_set_workload (builder, spec, NULL));
  if (server_url != NULL)
    lab_run_builder_set_server (builder, server_url);
  g_assert_true (lab_run_builder_parse (builder, param, value, NULL));
  config = lab_run_builder_build (builder, &error);
  g_assert_null (config);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” is not in the message “%s”", needle, error->message);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-error.h"
#include "lab-fuzz.h"
#include "lab-protocol.h"
#include "lab-run-builder.h"
#include "lab-task.h"
#include "lab-test-protocol.h"

/*
 * The workload line a worker is sent (W): parsed and checked as the worker
 * does (lab_message_parse(), lab_workload_check()), then, when the worker
 * would run it, made into its task runner, whose tasks run as far as is
 * safe here: stopped before they begin (a cancelled cancellable) for any
 * workload, and run to their end when they are small. Downloads and files
 * are not run (they need a server or a folder).
 *
 * What must hold, besides no crash, no leak and no allocation over the
 * fuzzer's limit (-malloc_limit_mb, -rss_limit_mb):
 *
 * - the workload formats back to a line that parses to the same workload;
 * - a task stopped before it begins ends at once, cancelled;
 * - a small task ends ok, with the same checksum each time;
 * - the worker runs exactly what the engine could send it: a workload it
 *   runs is one the run builder accepts, and one it refuses is one the
 *   builder refuses (the same limits of size, tasks, request time-out and
 *   body cap); its answer to the tasks of a refused workload, a failed R,
 *   reaches the parent.
 */

/* Runs to the end only below this size (matmul: n³ steps, so less). */
#define SMALL_SIZE        4096
#define SMALL_MATMUL_SIZE 32

static const guint8 document[] = "the quick brown fox\njumps over\tthe lazy dog ";

static gboolean
is_small (const LabWorkload *workload)
{
  if (workload->kind == LAB_WORKLOAD_CPU && g_str_equal (workload->kernel->name, "matmul"))
    return workload->size <= SMALL_MATMUL_SIZE;
  return workload->size <= SMALL_SIZE;
}

/* Task @task, stopped before it begins, then to its end if small. */
static void
run_task (LabTaskRunner     *runner,
          const LabWorkload *workload,
          guint              task)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  LabSpan span = { 0 };
  gint64 start = g_get_monotonic_time ();

  g_cancellable_cancel (cancelled);
  lab_task_runner_run (runner, task, NULL, cancelled, &span);
  g_assert_cmpint (span.status, ==, LAB_TASK_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  lab_span_clear (&span);

  if (workload->kind == LAB_WORKLOAD_CPU && is_small (workload))
    {
      LabSpan again = { 0 };

      lab_task_runner_run (runner, task, NULL, NULL, &span);
      lab_task_runner_run (runner, task, NULL, NULL, &again);
      g_assert_cmpint (span.status, ==, LAB_TASK_OK);
      g_assert_cmpuint (span.checksum, ==, again.checksum);
      g_assert_cmpint (span.end_us, >=, span.start_us);
      lab_span_clear (&span);
      lab_span_clear (&again);
    }
}

/* The pipeline's analysis of a document the worker was sent (an A). */
static void
analyse_document (LabTaskRunner     *runner,
                  const LabWorkload *workload)
{
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  LabSpan span = { 0 };
  LabDocumentRow row;

  g_cancellable_cancel (cancelled);
  lab_task_runner_analyse_document (runner, 0, document, sizeof document - 1, cancelled, &span, &row);
  g_assert_cmpint (span.status, ==, LAB_TASK_CANCELLED);
  lab_span_clear (&span);

  if (is_small (workload))
    {
      g_assert_true (lab_task_runner_analyse_document (runner, 0, document, sizeof document - 1,
                                                       NULL, &span, &row));
      g_assert_cmpuint (row.words, ==, 9);
      g_assert_cmpuint (row.word_length_sum, ==, 35);
      lab_span_clear (&span);
    }
}

/* What the worker does with a workload: its runner, and its tasks. */
static void
run_workload (const LabWorkload *workload)
{
  g_autoptr(LabTaskRunner) runner = lab_task_runner_new (workload, 1);

  switch (workload->kind)
    {
    case LAB_WORKLOAD_CPU:
    case LAB_WORKLOAD_SLEEP:
      if (workload->tasks > 0)
        {
          run_task (runner, workload, 0);
          run_task (runner, workload, workload->tasks - 1);
        }
      break;
    case LAB_WORKLOAD_PIPELINE:
      analyse_document (runner, workload);
      break;
    case LAB_WORKLOAD_DOWNLOAD:
    case LAB_WORKLOAD_FILES:
    default:
      break;
    }
}

/* The run builder, with the figures of @workload: whether the engine
 * could have sent it. */
static gboolean
engine_accepts (const LabWorkload  *workload,
                GError            **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  g_autofree char *spec = lab_workload_to_spec (workload);
  gboolean downloads = workload->kind == LAB_WORKLOAD_DOWNLOAD || workload->kind == LAB_WORKLOAD_PIPELINE;
  const LabMode processes = LAB_MODE_PROCESSES;
  const guint one = 1;

  g_assert_true (lab_run_builder_set_workload (builder, spec, NULL));
  lab_run_builder_set_modes (builder, &processes, 1);
  lab_run_builder_set_workers (builder, &one, 1);
  lab_run_builder_set_server (builder, "http://127.0.0.1:1");
  if (workload->kind != LAB_WORKLOAD_DOWNLOAD)
    lab_run_builder_set_number (builder, LAB_PARAM_SIZE, workload->size);
  /* The builder makes a URL per task of a download run: more than a few
   * tasks are held to its limit here rather than a million URLs made. */
  if (downloads && workload->tasks > 16)
    {
      if (workload->tasks > LAB_MAX_TASKS)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, "--tasks: %u is over %u",
                       workload->tasks, LAB_MAX_TASKS);
          return FALSE;
        }
      lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 16);
    }
  else
    lab_run_builder_set_number (builder, LAB_PARAM_TASKS, workload->tasks);
  if (downloads)
    {
      lab_run_builder_set_number (builder, LAB_PARAM_TIMEOUT_S, workload->timeout_s);
      lab_run_builder_set_number (builder, LAB_PARAM_MAX_BYTES, workload->max_bytes);
    }
  if (workload->kind == LAB_WORKLOAD_PIPELINE)
    lab_run_builder_set_number (builder, LAB_PARAM_BYTES, 0);
  if (workload->kind == LAB_WORKLOAD_FILES)
    {
      lab_run_builder_set_number (builder, LAB_PARAM_FSYNC, workload->fsync);
      lab_run_builder_set_number (builder, LAB_PARAM_CACHE, workload->cache);
    }

  config = lab_run_builder_build (builder, error);
  return config != NULL;
}

/* The worker's answer to each task of a workload it does not run. */
static void
check_refusal (const GError *refused)
{
  LabMessage reply = {
    .type = LAB_MESSAGE_RESULT,
    .id = 1,
    .task = 0,
    .start_us = 1000,
    .end_us = 1000,
    .tid = 4242,
    .text = g_strdup_printf ("workload refused: %s", refused->message),
  };
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  LabMessage parsed;

  g_assert_true (g_utf8_validate (refused->message, -1, NULL));
  lab_message_format (&reply, line);
  if (!lab_message_parse (line->str, line->len - 1, &parsed, &error))
    g_error ("the refusal does not reach the parent (%s): %s", error->message, line->str);
  g_assert_false (parsed.ok);
  g_assert_cmpstr (parsed.text, ==, reply.text);
  lab_message_clear (&parsed);
  lab_message_clear (&reply);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) refused = NULL;
  g_autoptr(GError) engine_error = NULL;
  gboolean runs, engine_sends;
  LabMessage msg;

  /* One line, as the worker's line reader hands it over. */
  if (size == 0 || data[0] != LAB_MESSAGE_WORKLOAD || memchr (data, '\n', size) != NULL)
    return 0;
  if (!lab_message_parse ((const char *) data, size, &msg, &error))
    return 0;

  lab_test_assert_round_trip (&msg);
  runs = lab_workload_check (msg.workload, &refused);
  engine_sends = engine_accepts (msg.workload, &engine_error);
  if (runs && !engine_sends)
    g_error ("the worker runs a workload the engine refuses (%s): %.*s",
             engine_error->message, (int) size, (const char *) data);
  if (!runs && engine_sends)
    g_error ("the worker refuses a workload the engine sends (%s): %.*s",
             refused->message, (int) size, (const char *) data);

  if (runs)
    run_workload (msg.workload);
  else
    check_refusal (refused);

  lab_message_clear (&msg);
  return 0;
}

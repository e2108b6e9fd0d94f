/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-cell.h"
#include "lab-run-config.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabErrorKind:
 * @message: the error, as the failed tasks reported it
 * @count: how many failed tasks reported it
 *
 * One kind of error among the failed tasks of a run; see
 * lab_run_dup_error_kinds() and lab_repetitions_dup_error_kinds().
 */
typedef struct
{
  char  *message;
  guint  count;
} LabErrorKind;

void       lab_error_kind_free             (LabErrorKind *kind);
GPtrArray *lab_repetitions_dup_error_kinds (GPtrArray    *repetitions);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabErrorKind, lab_error_kind_free)

/**
 * LabRunMachine:
 * @n_cpus: logical CPUs
 * @cpu_model: the processor's name
 * @kernel: the kernel's name and release
 * @app_version: the version of Concurrency Lab that measured
 *
 * The machine a run was measured on; see lab_run_get_machine().
 */
typedef struct
{
  guint  n_cpus;
  char  *cpu_model;
  char  *kernel;
  char  *app_version;
} LabRunMachine;

#define LAB_TYPE_RUN (lab_run_get_type ())

G_DECLARE_FINAL_TYPE (LabRun, lab_run, LAB, RUN, GObject)

/**
 * LabRun:
 *
 * Executes a #LabRunConfig on a coordinator thread of its own. All
 * signals are emitted, and all state changes happen, on the main context
 * that was the thread-default one when lab_run_execute_async() was called.
 *
 * Signals:
 * - "repetition-started" (LabRepetition *rep)
 * - "spans-added" (LabRepetition *rep, guint first, guint n_spans):
 *   rep->spans grew by @n_spans
 * - "repetition-finished" (LabRepetition *rep)
 * - "cell-finished" (LabCell *cell)
 *
 * A repetition the run stops in (a cancel, an error) does not finish: it
 * is marked interrupted before the run returns, and keeps the spans of
 * the tasks that ended (lab_run_get_repetitions(), the spans export); no
 * cell counts it.
 *
 * Properties: "tasks-done", "tasks-total", "repetitions-done",
 * "repetitions-total", "running", "baseline".
 */
LabRun              *lab_run_new                 (const LabRunConfig  *config);
const LabRunConfig  *lab_run_get_config          (LabRun              *self);
const char          *lab_run_get_id              (LabRun              *self);
GDateTime           *lab_run_get_started_at      (LabRun              *self);
/* This machine for a run made here, the recorded one for a run rebuilt
 * from the history: what the results CSV and the JSON say. */
const LabRunMachine *lab_run_get_machine         (LabRun              *self);
GListModel          *lab_run_get_cells           (LabRun              *self);
GPtrArray           *lab_run_get_repetitions     (LabRun              *self);
GPtrArray           *lab_run_dup_measured_repetitions (LabRun    *self);
LabCell             *lab_run_find_variant_cell   (LabRun              *self,
                                                  LabRuntime           runtime,
                                                  LabMode              mode,
                                                  guint                workers);
LabCell             *lab_run_find_cell           (LabRun              *self,
                                                  LabMode              mode,
                                                  guint                workers);
guint                lab_run_get_tasks_done      (LabRun              *self);
guint                lab_run_get_tasks_total     (LabRun              *self);
guint                lab_run_get_repetitions_done  (LabRun            *self);
guint                lab_run_get_repetitions_total (LabRun            *self);
gboolean             lab_run_get_running         (LabRun              *self);
guint                lab_run_get_failed_tasks    (LabRun              *self);
void                 lab_run_set_ui_cost         (LabRun              *self,
                                                  double               max_stall_ms,
                                                  double               cpu_s);
gboolean             lab_run_get_ui_cost         (LabRun              *self,
                                                  double              *max_stall_ms,
                                                  double              *cpu_s);
guint                lab_run_get_warmup_failed_tasks (LabRun          *self);
void                 lab_run_set_baseline        (LabRun              *self,
                                                  LabCell             *sequential);
LabCell             *lab_run_get_baseline        (LabRun              *self);
GPtrArray           *lab_run_dup_error_kinds     (LabRun              *self);
void                 lab_run_execute_async       (LabRun              *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean             lab_run_execute_finish      (LabRun              *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Runs a main loop of its own until the run is over. For the CLI and tests. */
gboolean             lab_run_execute             (LabRun              *self,
                                                  GCancellable        *cancellable,
                                                  GError             **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-cell.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabRunConfig:
 *
 * One experiment: a workload × modes × worker counts × repetitions.
 */
typedef struct
{
  LabWorkload *workload;
  GArray      *modes;           /* LabMode */
  GArray      *workers;         /* guint, each >= 1 */
  guint        repeat;          /* measured repetitions per cell, >= 1 */
  guint        warmup;          /* discarded repetitions per cell */
  guint        task_timeout_ms; /* processes/spawn: a task running longer is killed; 0 = none */
  char        *worker_path;     /* NULL: lab_worker_path_default() */
  int          worker_nice;     /* niceness of worker processes and threads, 0..19 */
} LabRunConfig;

#define LAB_TYPE_RUN_CONFIG (lab_run_config_get_type ())

GType         lab_run_config_get_type (void) G_GNUC_CONST;
LabRunConfig *lab_run_config_new      (void);
LabRunConfig *lab_run_config_copy     (const LabRunConfig *self);
void          lab_run_config_free     (LabRunConfig       *self);
gboolean      lab_run_config_validate (const LabRunConfig *self,
                                       GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabRunConfig, lab_run_config_free)

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
 * Properties: "tasks-done", "tasks-total", "repetitions-done",
 * "repetitions-total", "running".
 */
LabRun              *lab_run_new                 (const LabRunConfig  *config);
const LabRunConfig  *lab_run_get_config          (LabRun              *self);
const char          *lab_run_get_id              (LabRun              *self);
GDateTime           *lab_run_get_started_at      (LabRun              *self);
GListModel          *lab_run_get_cells           (LabRun              *self);
GPtrArray           *lab_run_get_repetitions     (LabRun              *self);
LabCell             *lab_run_find_cell           (LabRun              *self,
                                                  LabMode              mode,
                                                  guint                workers);
guint                lab_run_get_tasks_done      (LabRun              *self);
guint                lab_run_get_tasks_total     (LabRun              *self);
guint                lab_run_get_repetitions_done  (LabRun            *self);
guint                lab_run_get_repetitions_total (LabRun            *self);
gboolean             lab_run_get_running         (LabRun              *self);
guint                lab_run_get_failed_tasks    (LabRun              *self);
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-run-config.h"
#include "lab-task.h"
#include "lab-worker-pool.h"

G_BEGIN_DECLS

/*
 * LabExecutor: how one cell (mode × workers) runs its repetitions. Created
 * once per cell, so that pools are warm before anything is measured (the
 * spawn mode starts its processes inside the measurement, on purpose).
 * Used from one thread, the run's coordinator; spans reach @func in that
 * thread, with times relative to the repetition's start.
 */
typedef struct _LabExecutor LabExecutor;

typedef struct
{
  guint64 user_us;       /* CPU time of worker processes */
  guint64 sys_us;
  guint64 peak_rss_kib;  /* summed over worker slots */
  GArray *gil_intervals; /* mode gil: LabGilInterval (transfer full), else NULL */
  GArray *queue_samples; /* the pipeline: LabQueueSample (transfer full), else NULL */
  guint   queue_capacity[LAB_N_QUEUES];
} LabExecutorUsage;

LabExecutor *lab_executor_new      (const LabRunConfig  *config,
                                    LabRuntime           runtime,
                                    LabMode              mode,
                                    guint                workers,
                                    GError             **error);
void         lab_executor_free     (LabExecutor         *self);
/* How long lab_executor_new() took to make its threads or processes
 * ready (for an interpreter: its start-up and the kernels' import); NAN
 * for the spawn mode, which starts its processes inside the measurement. */
double       lab_executor_get_startup_s (LabExecutor    *self);
/* @rep is the repetition being measured (the pipeline names its rows'
 * file after it). */
gboolean     lab_executor_run      (LabExecutor         *self,
                                    const LabRepetition *rep,
                                    gint64               t0,
                                    LabSpanFunc          func,
                                    gpointer             user_data,
                                    GCancellable        *cancellable,
                                    LabExecutorUsage    *usage,
                                    GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabExecutor, lab_executor_free)

G_END_DECLS

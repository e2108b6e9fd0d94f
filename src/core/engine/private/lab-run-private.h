/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-run.h"
#include "lab-run-recorder.h"

G_BEGIN_DECLS

/*
 * A run has two sides. The coordinator thread (lab-run-coordinator.c)
 * drives the executors and posts what happens as events; the main context
 * of the caller (lab-run.c) receives them in order, updates the cells and
 * emits the signals. Only the event queue is shared, under @lock.
 */

typedef enum
{
  EVENT_REP_STARTED,
  EVENT_SPANS,
  EVENT_REP_FINISHED,
  EVENT_REP_INTERRUPTED,
  EVENT_DONE,
} EventType;

typedef struct
{
  EventType      type;
  LabRepetition *rep;
  GArray        *spans;     /* EVENT_SPANS: LabSpan, errors owned */
  LabRepetition  measured;  /* EVENT_REP_FINISHED: the figures, gil_intervals and queue_samples (owned,
                             * nullable); spans unused. EVENT_REP_INTERRUPTED: the counts of
                             * the tasks that ended */
  GError        *error;     /* EVENT_DONE */
} Event;

typedef struct
{
  LabRuntime runtime;
  LabMode    mode;
  guint      workers;
} CellKey;

struct _LabRun
{
  GObject       parent_instance;

  LabRunConfig *config;
  char         *id;
  GDateTime    *started_at;
  GListStore   *cells;
  GPtrArray    *repetitions;
  GArray       *plan;          /* CellKey, in execution order */
  guint         tasks_done;
  guint         tasks_total;
  guint         repetitions_done;
  guint         repetitions_total;
  guint         failed_tasks;         /* of finished measured repetitions */
  guint         warmup_failed_tasks;
  double        ui_max_stall_ms;      /* what the observing window cost; NAN unknown */
  double        ui_cpu_s;
  gboolean      running;
  /* Per runtime: the sequential cell of an earlier run, or NULL */
  LabCell      *baselines[LAB_N_RUNTIMES];
  /* Told of each event before the signals (the history), or NULL */
  LabRunRecorder *recorder;
  LabRunMachine  *machine;     /* NULL until asked for, for a run made here */

  /* Between the coordinator thread and the main context */
  GTask        *task;
  GThread      *thread;
  GMainContext *context;
  GMutex        lock;
  GQueue        events;
  gboolean      dispatch_pending;
};

void      lab_run_post_event         (LabRun   *self,
                                      Event    *event);
gpointer  lab_run_coordinator_thread (gpointer  data);

G_END_DECLS

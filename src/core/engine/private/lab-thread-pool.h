/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-gil.h"

G_BEGIN_DECLS

/*
 * LabThreadPool: exactly W threads of its own (an exclusive GThreadPool,
 * unlike g_task_run_in_thread()'s shared one), started at once and kept
 * for the pool's life, each with its lane (0..W-1) and the run's
 * niceness. With an emulated GIL a task holds the lock from
 * lab_thread_pool_enter() to lab_thread_pool_leave(), as a Python thread
 * does while it runs Python code; a thread waiting for its next task
 * does not.
 */
typedef struct _LabThreadPool LabThreadPool;

/**
 * LabThreadTask:
 * @task: which task
 * @lane: the lane of the thread that runs it
 * @queued_us: when it was queued (monotonic µs)
 * @picked_us: when the thread took it, before it waited for the GIL
 */
typedef struct
{
  guint  task;
  guint  lane;
  gint64 queued_us;
  gint64 picked_us;
} LabThreadTask;

/* Runs @task in a thread of the pool. */
typedef void (*LabThreadBody) (const LabThreadTask *task,
                               gpointer             user_data);

LabThreadPool *lab_thread_pool_new    (guint           workers,
                                       int             nice,
                                       LabGil         *gil,
                                       GError        **error);
void           lab_thread_pool_free   (LabThreadPool  *self);
/* Queues tasks 0..@n_tasks-1, all at once as ThreadPoolExecutor.map()
 * does, and returns; @body runs each in a pool thread. */
void           lab_thread_pool_start  (LabThreadPool  *self,
                                       guint           n_tasks,
                                       LabThreadBody   body,
                                       gpointer        user_data);
/* From a body: takes the pool's emulated GIL, if it has one, for @task,
 * and drops it. */
void           lab_thread_pool_enter  (LabThreadPool       *self,
                                       const LabThreadTask *task);
void           lab_thread_pool_leave  (LabThreadPool       *self);
/* From a body: whether no task waits for a thread any more, so that what
 * it reports should not wait for a batch to fill. */
gboolean       lab_thread_pool_draining (LabThreadPool *self);
/* Waits until every task queued has run. */
void           lab_thread_pool_wait   (LabThreadPool  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabThreadPool, lab_thread_pool_free)

G_END_DECLS

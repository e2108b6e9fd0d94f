/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-protocol.h"
#include "lab-result.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabWorkerPool:
 *
 * W concurrency-lab-worker processes driven from one thread with poll():
 * requests are pipelined (a few in flight per worker, fewer as the run
 * nears its end), replies are validated, and a worker that crashes, hangs
 * past the task timeout or says something malformed is killed, its task
 * failed with the reason, and a fresh worker takes its slot. With
 * @tasks_per_worker = 1 every task gets a fresh process (the spawn mode).
 *
 * Not thread-safe: one thread creates, uses and frees a pool.
 */
typedef struct _LabWorkerPool LabWorkerPool;


/* How the spans of a worker that runs several tasks at once get lanes. */
typedef enum
{
  LAB_POOL_LANES_SLOT,     /* one lane per worker process */
  LAB_POOL_LANES_THREAD,   /* one per thread of the worker (its tid) */
  LAB_POOL_LANES_PACKED,   /* tasks on one thread (an event loop): the first free lane */
} LabPoolLanes;

LabWorkerPool *lab_worker_pool_new_full    (const char * const *argv,
                                            guint              workers,
                                            guint              concurrency,
                                            LabPoolLanes       lanes,
                                            guint              tasks_per_worker,
                                            int                nice,
                                            GError           **error);
LabWorkerPool *lab_worker_pool_new         (const char        *worker_path,
                                            guint              workers,
                                            guint              tasks_per_worker,
                                            int                nice,
                                            GError           **error);
LabWorkerPool *lab_worker_pool_new_pinned  (const char        *worker_path,
                                            guint              workers,
                                            GError           **error);
void           lab_worker_pool_free        (LabWorkerPool     *self);
/* Each task's span, and the worker's answer to it (NULL when the task
 * failed with its worker). */
typedef void (*LabPoolResultFunc) (const LabSpan    *span,
                                   const LabMessage *reply,
                                   gpointer          user_data);

/**
 * LabPoolFeed:
 * @next: the next task to send, if one is ready: its index and, for an
 *   analysis (A), its document (transfer full); FALSE when none is ready
 * @more: whether more tasks may still come
 * @wake_fd: readable when @next may have a task or @more changed (an
 *   eventfd; the pool reads it), or -1
 *
 * Tasks that come as they are ready, for instance from a queue that other
 * threads fill: called in the pool's thread.
 */
typedef struct
{
  gboolean (*next) (gpointer  user_data,
                    guint    *task,
                    GBytes  **document);
  gboolean (*more) (gpointer  user_data);
  int        wake_fd;
  gpointer   user_data;
} LabPoolFeed;

gboolean       lab_worker_pool_run_full    (LabWorkerPool     *self,
                                            const LabWorkload *workload,
                                            guint              task_timeout_ms,
                                            gint64             t0,
                                            const LabPoolFeed *feed,
                                            LabPoolResultFunc  result,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* Runs all tasks of @workload; @func gets each span (times relative to @t0)
 * in the calling thread. Returns FALSE only when cancelled or when no
 * worker can be started at all. */
gboolean       lab_worker_pool_run         (LabWorkerPool     *self,
                                            const LabWorkload *workload,
                                            guint              task_timeout_ms,
                                            gint64             t0,
                                            LabSpanFunc        func,
                                            gpointer           user_data,
                                            GCancellable      *cancellable,
                                            GError           **error);
/* What the pool's workers used since the last call: CPU time, context
 * switches (voluntary: they waited; involuntary: they were preempted) and
 * the largest peak RSS of any slot, summed over slots. */
typedef struct
{
  guint64 user_us;
  guint64 sys_us;
  guint64 peak_rss_kib;
  guint64 voluntary_switches;
  guint64 involuntary_switches;
} LabPoolUsage;

void           lab_worker_pool_take_usage_full (LabWorkerPool *self,
                                                LabPoolUsage  *usage);
/* The same, CPU time and memory only. */
void           lab_worker_pool_take_usage  (LabWorkerPool     *self,
                                            guint64           *user_us,
                                            guint64           *sys_us,
                                            guint64           *peak_rss_kib);
GArray        *lab_worker_pool_get_pids    (LabWorkerPool     *self);
/* The signal that last killed a worker on its own (a crash), or 0. */
int            lab_worker_pool_get_last_signal (LabWorkerPool *self);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabWorkerPool, lab_worker_pool_free)

G_END_DECLS

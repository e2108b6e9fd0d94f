/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <unistd.h>

#include "lab-gtask-executor.h"
#include "lab-task.h"

/* At most this many tasks are in GLib's hands at a time: far more than
 * its pool runs at once (10, growing by about ten threads a second of
 * saturation, to a few hundred after half an hour), so work is always
 * waiting there, as if everything had been queued at once. Each of them
 * holds a handler on the cancellable, which GLib disconnects by a linear
 * search: a million at once would cost quadratic time. */
#define QUEUE_AHEAD 1024

struct _LabGTaskExecutor
{
  LabTaskRunner *runner;
  GArray        *lane_tids;  /* gint64: the pool thread of each lane */
};

/* One repetition, on the stack of the thread that runs it. */
typedef struct
{
  LabGTaskExecutor *self;
  gint64            t0;
  LabSpanFunc       func;
  gpointer          user_data;
  GCancellable     *cancellable;
  guint             tasks;
  guint             next;      /* the next task to hand to the pool */
  guint             done;
} Repetition;

/* What a GTask carries to its pool thread. */
typedef struct
{
  LabTaskRunner *runner;
  guint          task;
  gint64         queued_us;
} Item;

/**
 * lab_gtask_executor_new:
 * @workers: the workers asked for; GLib's pool does not take orders, but
 *   the download session allows at least this many connections
 *
 * Returns: (transfer full): the executor
 */
LabGTaskExecutor *
lab_gtask_executor_new (const LabWorkload *workload,
                        guint              workers)
{
  LabGTaskExecutor *self = g_new0 (LabGTaskExecutor, 1);

  /* The session must never be what limits the downloads: how many run at
   * once is the pool's doing, and it may run more than @workers. */
  self->runner = lab_task_runner_new (workload, MAX (workers, MIN (workload->tasks, LAB_MAX_WORKERS)));
  self->lane_tids = g_array_new (FALSE, FALSE, sizeof (gint64));
  return self;
}

void
lab_gtask_executor_free (LabGTaskExecutor *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->runner, lab_task_runner_free);
  g_array_unref (self->lane_tids);
  g_free (self);
}

static void
span_free (gpointer data)
{
  LabSpan *span = data;

  lab_span_clear (span);
  g_free (span);
}

/* Runs on a thread of GLib's shared pool. The task never returns an error:
 * a cancelled task is a span saying so, as in the other modes. */
static void
run_in_pool (GTask        *gtask,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Item *item = task_data;
  LabSpan *span = g_new0 (LabSpan, 1);

  if (g_cancellable_is_cancelled (cancellable))
    {
      span->task = item->task;
      span->pid = getpid ();
      span->tid = lab_thread_id ();
      span->status = LAB_TASK_CANCELLED;
      span->start_us = span->end_us = g_get_monotonic_time ();
    }
  else
    lab_task_runner_run (item->runner, item->task, NULL, cancellable, span);
  g_task_return_pointer (gtask, span, span_free);
}

/* The lane of pool thread @tid: the threads in the order they ran a first
 * task of this executor, so that a thread keeps its lane from one
 * repetition to the next. */
static guint
lane_of (LabGTaskExecutor *self,
         gint64            tid)
{
  for (guint i = 0; i < self->lane_tids->len; i++)
    if (g_array_index (self->lane_tids, gint64, i) == tid)
      return i;
  g_array_append_val (self->lane_tids, tid);
  return self->lane_tids->len - 1;
}

static void task_done (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data);

/* Hands the next task to GLib's shared pool. */
static void
queue_next (Repetition *rep)
{
  g_autoptr(GTask) gtask = g_task_new (NULL, rep->cancellable, task_done, rep);
  Item *item = g_new (Item, 1);

  item->runner = rep->self->runner;
  item->task = rep->next++;
  item->queued_us = g_get_monotonic_time ();
  g_task_set_source_tag (gtask, lab_gtask_executor_run);
  /* The span of a cancelled task still comes back, saying so. */
  g_task_set_check_cancellable (gtask, FALSE);
  g_task_set_task_data (gtask, item, g_free);
  g_task_run_in_thread (gtask, run_in_pool);
}

/* A task's callback, on the executor's main context. */
static void
task_done (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Repetition *rep = user_data;
  const Item *item = g_task_get_task_data (G_TASK (result));
  LabSpan *span = g_task_propagate_pointer (G_TASK (result), NULL);

  g_assert (span != NULL);
  span->worker = lane_of (rep->self, span->tid);
  span->queued_us = item->queued_us - rep->t0;
  span->start_us -= rep->t0;
  span->end_us -= rep->t0;
  rep->func (span, rep->user_data);
  span_free (span);
  rep->done++;
  if (rep->next < rep->tasks && !g_cancellable_is_cancelled (rep->cancellable))
    queue_next (rep);
}

/**
 * lab_gtask_executor_run:
 *
 * Hands the tasks of the workload to GLib's shared pool, QUEUE_AHEAD at a
 * time, and waits for their callbacks; each span reaches @func in the
 * calling thread. Cancelling @cancellable stops the tasks under way,
 * turns those waiting in the pool into cancelled spans, and hands out no
 * more.
 *
 * Returns: FALSE when cancelled
 */
gboolean
lab_gtask_executor_run (LabGTaskExecutor *self,
                        gint64            t0,
                        LabSpanFunc       func,
                        gpointer          user_data,
                        GCancellable     *cancellable)
{
  g_autoptr(GMainContext) context = NULL;
  Repetition rep = { .self = self, .t0 = t0, .func = func, .user_data = user_data, .cancellable = cancellable };

  g_return_val_if_fail (self != NULL, FALSE);

  rep.tasks = lab_task_runner_get_workload (self->runner)->tasks;
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  /* Queued up front, as in mode threads: which tasks run when is the
   * pool's choice, not ours. */
  while (rep.next < MIN (rep.tasks, QUEUE_AHEAD))
    queue_next (&rep);
  /* Each callback hands out the next task, unless cancelled: when every
   * task handed out is back, there are no more. */
  while (rep.done < rep.next)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return !g_cancellable_is_cancelled (cancellable);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "lab-async-executor.h"
#include "lab-fetch.h"
#include "lab-task.h"

typedef struct _Task Task;

struct _LabAsyncExecutor
{
  LabWorkload   *workload;
  guint          concurrency;
  GMainContext  *context;
  LabTaskRunner *runner;     /* owns the SoupSession, made with @context */

  /* Per run */
  gint64         t0;
  LabSpanFunc    func;
  gpointer       user_data;
  GCancellable  *cancellable;
  guint          next_task;
  guint          done;
  Task         **slots;      /* the task under way in each slot, or NULL */
};

struct _Task
{
  LabAsyncExecutor *self;
  guint             slot;
  LabFetch         *fetch;
  GInputStream     *stream;
  GSource          *timer;
  guint8           *buffer;
  LabSpan           span;
};

static void start_tasks (LabAsyncExecutor *self);

static void
task_free (Task *task)
{
  g_clear_pointer (&task->fetch, lab_fetch_free);
  if (task->stream != NULL)
    g_input_stream_close (task->stream, NULL, NULL);
  g_clear_object (&task->stream);
  if (task->timer != NULL)
    g_source_destroy (task->timer);
  g_clear_pointer (&task->timer, g_source_unref);
  g_free (task->buffer);
  lab_span_clear (&task->span);
  g_free (task);
}

/* The task is over: hand its span on, free its slot, start the next. */
static void
finish_task (Task   *task,
             GError *error)
{
  LabAsyncExecutor *self = task->self;

  task->span.end_us = g_get_monotonic_time ();
  if (error != NULL)
    lab_span_fail (&task->span, error);
  task->span.start_us -= self->t0;
  task->span.end_us -= self->t0;
  self->func (&task->span, self->user_data);

  self->slots[task->slot] = NULL;
  self->done++;
  task_free (task);
  start_tasks (self);
}

static void read_next (Task *task);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Task *task = user_data;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &read_error);

  if (n == 0)
    {
      lab_fetch_finish (task->fetch, &task->span, &error);
      finish_task (task, error);
    }
  else if (!lab_fetch_add (task->fetch, task->buffer, n, read_error, &task->span, &error))
    finish_task (task, error);
  else
    read_next (task);
}

static void
read_next (Task *task)
{
  g_input_stream_read_async (task->stream, task->buffer, LAB_FETCH_CHUNK, G_PRIORITY_DEFAULT,
                             task->self->cancellable, on_read, task);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Task *task = user_data;
  g_autoptr(GError) send_error = NULL;
  g_autoptr(GError) error = NULL;

  task->stream = soup_session_send_finish (SOUP_SESSION (source), result, &send_error);
  if (!lab_fetch_sent (task->fetch, send_error, &task->span, &error))
    {
      finish_task (task, error);
      return;
    }
  task->buffer = g_malloc (LAB_FETCH_CHUNK);
  read_next (task);
}

static gboolean
on_timer (gpointer user_data)
{
  Task *task = user_data;

  g_clear_pointer (&task->timer, g_source_unref);
  task->span.checksum = task->span.task;
  finish_task (task, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_task (LabAsyncExecutor *self,
            guint             slot,
            guint             index)
{
  const LabWorkload *workload = self->workload;
  Task *task = g_new0 (Task, 1);
  g_autoptr(GError) error = NULL;

  task->self = self;
  task->slot = slot;
  task->span.task = index;
  task->span.worker = slot;
  task->span.pid = getpid ();
  task->span.tid = lab_thread_id ();
  task->span.queued_us = 0;  /* everything is queued at the start */
  task->span.start_us = g_get_monotonic_time ();
  self->slots[slot] = task;

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      finish_task (task, error);
      return;
    }

  if (workload->kind == LAB_WORKLOAD_SLEEP)
    {
      task->timer = g_timeout_source_new (workload->size);
      g_source_set_callback (task->timer, on_timer, task, NULL);
      g_source_attach (task->timer, self->context);
      return;
    }

  g_assert (workload->kind == LAB_WORKLOAD_DOWNLOAD);
  task->fetch = lab_fetch_new (lab_workload_task_argument (workload, index), workload->max_bytes, &error);
  if (task->fetch == NULL)
    {
      finish_task (task, error);
      return;
    }
  soup_session_send_async (lab_task_runner_get_session (self->runner), lab_fetch_get_message (task->fetch),
                           G_PRIORITY_DEFAULT, self->cancellable, on_sent, task);
}

/* Fills every free slot while tasks remain. Re-entered from finish_task(),
 * which is why the slot is taken before the task can finish. */
static void
start_tasks (LabAsyncExecutor *self)
{
  for (guint slot = 0; slot < self->concurrency; slot++)
    while (self->slots[slot] == NULL && self->next_task < self->workload->tasks)
      start_task (self, slot, self->next_task++);
}

/* Timers do not watch the cancellable: end them when it fires. Downloads
 * end by themselves with G_IO_ERROR_CANCELLED. */
static void
end_timers (LabAsyncExecutor *self)
{
  for (guint slot = 0; slot < self->concurrency; slot++)
    {
      Task *task = self->slots[slot];

      if (task != NULL && task->timer != NULL)
        {
          g_autoptr(GError) error = NULL;

          g_cancellable_set_error_if_cancelled (self->cancellable, &error);
          finish_task (task, error);
        }
    }
}

/* In the thread that cancels: the loop in lab_async_executor_run() looks
 * at the cancellable when it wakes. */
static void
wake_on_cancel (GCancellable *cancellable,
                gpointer      user_data)
{
  g_main_context_wakeup (user_data);
}

/**
 * lab_async_executor_new:
 *
 * Returns: (transfer full): the executor, with its own main context
 */
LabAsyncExecutor *
lab_async_executor_new (const LabWorkload *workload,
                        guint              concurrency)
{
  LabAsyncExecutor *self;

  g_return_val_if_fail (workload != NULL && workload->kind != LAB_WORKLOAD_CPU, NULL);

  self = g_new0 (LabAsyncExecutor, 1);
  self->workload = lab_workload_copy (workload);
  self->concurrency = MAX (1, concurrency);
  self->slots = g_new0 (Task *, self->concurrency);
  self->context = g_main_context_new ();

  /* The session calls back on the context that is the thread default when
   * it is made and used: ours. */
  g_main_context_push_thread_default (self->context);
  self->runner = lab_task_runner_new (workload, self->concurrency);
  g_main_context_pop_thread_default (self->context);
  return self;
}

void
lab_async_executor_free (LabAsyncExecutor *self)
{
  if (self == NULL)
    return;

  g_main_context_push_thread_default (self->context);
  g_clear_pointer (&self->runner, lab_task_runner_free);
  /* Let the session's pending sources run down before the context goes. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  g_main_context_unref (self->context);
  g_clear_pointer (&self->workload, lab_workload_free);
  g_free (self->slots);
  g_free (self);
}

gboolean
lab_async_executor_run (LabAsyncExecutor *self,
                        gint64            t0,
                        LabSpanFunc       func,
                        gpointer          user_data,
                        GCancellable     *cancellable)
{
  gulong cancel_handler = 0;
  gboolean timers_ended = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  self->t0 = t0;
  self->func = func;
  self->user_data = user_data;
  self->cancellable = cancellable;
  self->next_task = 0;
  self->done = 0;

  g_main_context_push_thread_default (self->context);
  /* A handler, not a GCancellableSource: GLib 2.74 leaks a cancellable
   * source disposed while another thread is still emitting "cancelled"
   * (its dispose keeps a reference for a handler call that has already
   * happened), and this thread ends the run while the one that cancelled
   * may still be in its other handlers. Disconnecting the handler waits
   * for the emission instead. */
  if (cancellable != NULL)
    cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_on_cancel), self->context, NULL);

  start_tasks (self);
  while (self->done < self->workload->tasks)
    {
      if (!timers_ended && g_cancellable_is_cancelled (cancellable))
        {
          timers_ended = TRUE;
          end_timers (self);
          continue;
        }
      g_main_context_iteration (self->context, TRUE);
    }

  g_cancellable_disconnect (cancellable, cancel_handler);
  g_main_context_pop_thread_default (self->context);
  self->cancellable = NULL;
  return !g_cancellable_is_cancelled (cancellable);
}

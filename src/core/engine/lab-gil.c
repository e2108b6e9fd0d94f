/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-gil.h"
#include "lab-task.h"
#include "lab-yield.h"

/* What one worker thread does with the lock. Only that thread touches it
 * while a repetition runs; the coordinator reads it when all are idle. */
typedef struct
{
  LabGil        *gil;
  LabYieldHooks  hooks;
  guint          worker;
  gint64         tid;
  gboolean       acquired;      /* between lab_gil_acquire() and lab_gil_release() */
  gboolean       held;          /* holds the lock now (not while blocking) */
  guint          blocking;      /* depth of blocking regions */
  gint64         hold_start_us;
  GArray        *intervals;     /* LabGilInterval */
} GilThread;

struct _LabGil
{
  GMutex      mutex;
  GCond       cond;             /* the lock was dropped */
  GCond       switch_cond;      /* another thread took the lock */
  gboolean    locked;
  GilThread  *last_holder;
  guint64     switch_number;    /* times the lock went to another thread */
  gint        drop_request;     /* atomic: the holder must drop it at its next check point */
  guint       switch_requests;  /* atomic */
  gint64      interval_us;
  gint64      t0;
  guint       n_threads;
  GilThread  *threads;          /* one per worker */
};

static void
record (GilThread   *thread,
        LabGilState  state,
        gint64       start_us,
        gint64       end_us)
{
  LabGilInterval interval = {
    .worker = thread->worker,
    .tid = thread->tid,
    .state = state,
    .start_us = start_us - thread->gil->t0,
    .end_us = end_us - thread->gil->t0,
  };

  g_array_append_val (thread->intervals, interval);
}

/* take_gil() */
static void
gil_take (GilThread *thread)
{
  LabGil *self = thread->gil;
  gint64 wait_start_us = g_get_monotonic_time ();
  gboolean waited = FALSE;
  gint64 now;

  g_assert (!thread->held);

  g_mutex_lock (&self->mutex);
  while (self->locked)
    {
      guint64 switch_number = self->switch_number;
      gint64 deadline = g_get_monotonic_time () + self->interval_us;
      gboolean timed_out;

      waited = TRUE;
      timed_out = !g_cond_wait_until (&self->cond, &self->mutex, deadline);
      /* A whole interval without a switch: time to ask the holder. */
      if (timed_out && self->locked && self->switch_number == switch_number &&
          !g_atomic_int_get (&self->drop_request))
        {
          g_atomic_int_set (&self->drop_request, TRUE);
          g_atomic_int_inc (&self->switch_requests);
        }
    }

  self->locked = TRUE;
  if (self->last_holder != thread)
    {
      self->last_holder = thread;
      self->switch_number++;
    }
  /* Forced switching: the thread that dropped it may ask again now. */
  g_cond_broadcast (&self->switch_cond);
  g_atomic_int_set (&self->drop_request, FALSE);
  now = g_get_monotonic_time ();
  g_mutex_unlock (&self->mutex);

  if (waited)
    record (thread, LAB_GIL_WAIT, wait_start_us, now);
  thread->held = TRUE;
  thread->hold_start_us = now;
}

/* drop_gil() */
static void
gil_drop (GilThread *thread)
{
  LabGil *self = thread->gil;
  gint64 now;

  g_assert (thread->held);

  g_mutex_lock (&self->mutex);
  now = g_get_monotonic_time ();
  self->locked = FALSE;
  g_cond_signal (&self->cond);
  /* Forced switching: when asked to drop it, wait until another thread
   * has taken it, or this one could take it straight back. A request
   * means that someone waits in gil_take(), so someone will. */
  if (g_atomic_int_get (&self->drop_request) && self->last_holder == thread)
    {
      g_atomic_int_set (&self->drop_request, FALSE);
      while (self->last_holder == thread)
        g_cond_wait (&self->switch_cond, &self->mutex);
    }
  g_mutex_unlock (&self->mutex);

  thread->held = FALSE;
  record (thread, LAB_GIL_HOLD, thread->hold_start_us, now);
}

static void
hook_check_point (gpointer user_data)
{
  GilThread *thread = user_data;

  if (G_LIKELY (!g_atomic_int_get (&thread->gil->drop_request)) || !thread->held)
    return;
  gil_drop (thread);
  gil_take (thread);
}

static void
hook_blocking_begin (gpointer user_data)
{
  GilThread *thread = user_data;

  if (thread->blocking++ == 0 && thread->held)
    gil_drop (thread);
}

static void
hook_blocking_end (gpointer user_data)
{
  GilThread *thread = user_data;

  g_return_if_fail (thread->blocking > 0);

  if (--thread->blocking == 0 && thread->acquired)
    gil_take (thread);
}

/**
 * lab_gil_new:
 * @workers: how many threads will attach (as workers 0..@workers-1)
 * @switch_interval_us: how long a thread waits before it asks the
 *   holder to drop the lock (LAB_GIL_SWITCH_INTERVAL_US: CPython's)
 *
 * Returns: (transfer full): an unlocked GIL
 */
LabGil *
lab_gil_new (guint  workers,
             gint64 switch_interval_us)
{
  LabGil *self;

  g_return_val_if_fail (workers > 0, NULL);
  g_return_val_if_fail (switch_interval_us > 0, NULL);

  self = g_new0 (LabGil, 1);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_cond_init (&self->switch_cond);
  self->interval_us = switch_interval_us;
  self->t0 = g_get_monotonic_time ();
  self->n_threads = workers;
  self->threads = g_new0 (GilThread, workers);
  for (guint i = 0; i < workers; i++)
    {
      GilThread *thread = &self->threads[i];

      thread->gil = self;
      thread->worker = i;
      thread->hooks = (LabYieldHooks) {
        .check_point = hook_check_point,
        .blocking_begin = hook_blocking_begin,
        .blocking_end = hook_blocking_end,
        .user_data = thread,
      };
      thread->intervals = g_array_new (FALSE, FALSE, sizeof (LabGilInterval));
    }
  return self;
}

void
lab_gil_free (LabGil *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (!self->locked);

  for (guint i = 0; i < self->n_threads; i++)
    g_array_unref (self->threads[i].intervals);
  g_free (self->threads);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_cond_clear (&self->switch_cond);
  g_free (self);
}

void
lab_gil_begin_repetition (LabGil *self,
                          gint64  t0)
{
  g_return_if_fail (self != NULL);

  self->t0 = t0;
  for (guint i = 0; i < self->n_threads; i++)
    g_array_set_size (self->threads[i].intervals, 0);
  g_atomic_int_set (&self->switch_requests, 0);
}

/**
 * lab_gil_thread_attach:
 *
 * Installs the hooks of worker @worker for the calling thread. A pool
 * thread attaches for each task and detaches after it: GLib hands idle
 * threads on to other pools, which must not find the hooks there.
 */
void
lab_gil_thread_attach (LabGil *self,
                       guint   worker)
{
  GilThread *thread;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->n_threads);

  thread = &self->threads[worker];
  g_return_if_fail (!thread->acquired);
  thread->tid = lab_thread_id ();
  lab_yield_set_hooks (&thread->hooks);
}

static GilThread *
current_thread (LabGil *self)
{
  const LabYieldHooks *hooks = lab_yield_get_hooks ();
  GilThread *thread;

  if (hooks == NULL)
    return NULL;
  thread = hooks->user_data;
  return thread->gil == self ? thread : NULL;
}

void
lab_gil_thread_detach (LabGil *self)
{
  GilThread *thread;

  g_return_if_fail (self != NULL);

  thread = current_thread (self);
  g_return_if_fail (thread != NULL);
  g_return_if_fail (!thread->acquired);
  lab_yield_set_hooks (NULL);
}

void
lab_gil_acquire (LabGil *self)
{
  GilThread *thread;

  g_return_if_fail (self != NULL);

  thread = current_thread (self);
  g_return_if_fail (thread != NULL);
  g_return_if_fail (!thread->acquired);

  thread->acquired = TRUE;
  if (thread->blocking == 0)
    gil_take (thread);
}

void
lab_gil_release (LabGil *self)
{
  GilThread *thread;

  g_return_if_fail (self != NULL);

  thread = current_thread (self);
  g_return_if_fail (thread != NULL);
  g_return_if_fail (thread->acquired);

  thread->acquired = FALSE;
  if (thread->held)
    gil_drop (thread);
}

static int
compare_intervals (gconstpointer a,
                   gconstpointer b)
{
  const LabGilInterval *x = a;
  const LabGilInterval *y = b;

  if (x->worker != y->worker)
    return x->worker < y->worker ? -1 : 1;
  if (x->start_us != y->start_us)
    return x->start_us < y->start_us ? -1 : 1;
  return (x->end_us > y->end_us) - (x->end_us < y->end_us);
}

/**
 * lab_gil_take_intervals:
 *
 * Called while no worker runs, after a repetition.
 *
 * Returns: (transfer full) (element-type LabGilInterval): what each
 *   worker recorded since lab_gil_begin_repetition(), sorted by worker
 *   then start, times relative to its t0
 */
GArray *
lab_gil_take_intervals (LabGil *self)
{
  GArray *all;
  guint n = 0;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->n_threads; i++)
    n += self->threads[i].intervals->len;
  all = g_array_sized_new (FALSE, FALSE, sizeof (LabGilInterval), n);
  for (guint i = 0; i < self->n_threads; i++)
    {
      GArray *intervals = self->threads[i].intervals;

      g_array_append_vals (all, intervals->data, intervals->len);
      g_array_set_size (intervals, 0);
    }
  g_array_sort (all, compare_intervals);
  return all;
}

/**
 * lab_gil_get_switch_requests:
 *
 * Returns: how many times a waiting thread asked the holder to drop the
 *   lock since lab_gil_begin_repetition()
 */
guint
lab_gil_get_switch_requests (LabGil *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return g_atomic_int_get (&self->switch_requests);
}

gint64
lab_gil_get_switch_interval_us (LabGil *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->interval_us;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>

#include "lab-task.h"
#include "lab-thread-pool.h"

struct _LabThreadPool
{
  GThreadPool   *pool;
  LabGil        *gil;           /* NULL: no emulated GIL */
  int            nice;
  guint64        serial;        /* unique per pool, for slot_owner */
  GMutex         mutex;
  GCond          idle;
  /* Under @mutex */
  guint          next_lane;
  guint          outstanding;   /* tasks queued and not done */
  /* Set by lab_thread_pool_start() while no task runs */
  LabThreadBody  body;
  gpointer       user_data;
  gint64        *queued_us;     /* per task */
};

/* The lane of the calling pool thread, assigned on its first task. GLib
 * hands the threads of a freed pool to later pools, so ownership is by
 * serial number (a new pool may reuse a freed one's address). */
static __thread guint64 lane_owner;
static __thread guint lane_index;
static gsize next_serial = 1;

static void
run_task (gpointer data,
          gpointer user_data)
{
  LabThreadPool *self = user_data;
  LabThreadTask task = { .task = GPOINTER_TO_UINT (data) - 1, .picked_us = g_get_monotonic_time () };

  if (lane_owner != self->serial)
    {
      g_mutex_lock (&self->mutex);
      lane_index = self->next_lane++;
      g_mutex_unlock (&self->mutex);
      lane_owner = self->serial;
      if (self->nice > 0)
        setpriority (PRIO_PROCESS, (id_t) lab_thread_id (), self->nice);
    }

  task.lane = lane_index;
  task.queued_us = self->queued_us[task.task];
  self->body (&task, self->user_data);

  g_mutex_lock (&self->mutex);
  if (--self->outstanding == 0)
    {
      g_clear_pointer (&self->queued_us, g_free);
      g_cond_broadcast (&self->idle);
    }
  g_mutex_unlock (&self->mutex);
}

/**
 * lab_thread_pool_new:
 * @gil: (nullable): the emulated GIL the threads take, which must have
 *   @workers threads and outlive the pool
 *
 * Returns: (transfer full) (nullable): the pool, its threads started
 */
LabThreadPool *
lab_thread_pool_new (guint    workers,
                     int      nice,
                     LabGil  *gil,
                     GError **error)
{
  g_autoptr(LabThreadPool) self = g_new0 (LabThreadPool, 1);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->idle);
  self->gil = gil;
  self->nice = nice;
  self->serial = g_atomic_pointer_add (&next_serial, 1);
  self->pool = g_thread_pool_new (run_task, self, workers, TRUE, error);
  if (self->pool == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
lab_thread_pool_free (LabThreadPool *self)
{
  if (self == NULL)
    return;
  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_free (self->queued_us);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->idle);
  g_free (self);
}

void
lab_thread_pool_start (LabThreadPool *self,
                       guint          n_tasks,
                       LabThreadBody  body,
                       gpointer       user_data)
{
  g_return_if_fail (self != NULL && body != NULL);

  g_mutex_lock (&self->mutex);
  g_assert (self->outstanding == 0);
  self->body = body;
  self->user_data = user_data;
  self->outstanding = n_tasks;
  self->queued_us = n_tasks > 0 ? g_new (gint64, n_tasks) : NULL;
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < n_tasks; i++)
    {
      self->queued_us[i] = g_get_monotonic_time ();
      g_thread_pool_push (self->pool, GUINT_TO_POINTER (i + 1), NULL);
    }
}

void
lab_thread_pool_enter (LabThreadPool       *self,
                       const LabThreadTask *task)
{
  if (self->gil == NULL)
    return;
  lab_gil_thread_attach (self->gil, task->lane);
  lab_gil_acquire (self->gil);
}

void
lab_thread_pool_leave (LabThreadPool *self)
{
  if (self->gil == NULL)
    return;
  lab_gil_release (self->gil);
  lab_gil_thread_detach (self->gil);
}

gboolean
lab_thread_pool_draining (LabThreadPool *self)
{
  gboolean last;

  g_mutex_lock (&self->mutex);
  last = self->outstanding == 1 || g_thread_pool_unprocessed (self->pool) == 0;
  g_mutex_unlock (&self->mutex);
  return last;
}

void
lab_thread_pool_wait (LabThreadPool *self)
{
  g_mutex_lock (&self->mutex);
  while (self->outstanding > 0)
    g_cond_wait (&self->idle, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

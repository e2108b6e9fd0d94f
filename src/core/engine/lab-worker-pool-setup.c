/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* sched_getaffinity() */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <poll.h>
#include <sched.h>
#include <string.h>

#include "lab-run-config.h"
#include "lab-worker-pool-private.h"

/* The pool's life around its runs (lab-worker-pool.c): starting its
 * workers, collecting what they used, stopping them. */

#define START_TIMEOUT_MS 10000

/* Starts the worker of slot @w, pinned to its CPU if the pool pins. */
gboolean
lab_worker_pool_spawn (LabWorkerPool  *self,
                       LabWorkerSlot  *w,
                       GError        **error)
{
  int cpu = -1;

  if (self->cpus != NULL)
    cpu = g_array_index (self->cpus, int, w->slot % self->cpus->len);
  return lab_worker_slot_spawn_full (w, (const char * const *) self->argv, self->nice, cpu, -1, error);
}

/* Adds what @w's usage report @msg says it used since its last one. */
void
lab_worker_pool_add_usage (LabWorkerPool    *self,
                           LabWorkerSlot    *w,
                           const LabMessage *msg)
{
  if (msg->user_us >= w->user_us)
    self->user_us += msg->user_us - w->user_us;
  if (msg->sys_us >= w->sys_us)
    self->sys_us += msg->sys_us - w->sys_us;
  if (msg->voluntary_switches >= w->voluntary_switches)
    self->voluntary_switches += msg->voluntary_switches - w->voluntary_switches;
  if (msg->involuntary_switches >= w->involuntary_switches)
    self->involuntary_switches += msg->involuntary_switches - w->involuntary_switches;
  w->user_us = msg->user_us;
  w->sys_us = msg->sys_us;
  w->voluntary_switches = msg->voluntary_switches;
  w->involuntary_switches = msg->involuntary_switches;
  self->slot_peak_rss_kib[w->slot] = MAX (self->slot_peak_rss_kib[w->slot], msg->maxrss_kib);
  w->usage_pending = FALSE;
}

/* Takes the usage reports the worker sent; anything else but its
 * greeting means it is not fit to keep. */
static void
read_usage (LabWorkerPool *self,
            LabWorkerSlot *w)
{
  g_autoptr(GError) error = NULL;
  LabMessage msg;

  while (lab_worker_slot_next_message (w, &msg, &error))
    {
      gboolean usage = msg.type == LAB_MESSAGE_USAGE;

      if (usage)
        lab_worker_pool_add_usage (self, w, &msg);
      lab_message_clear (&msg);
      if (!usage)
        {
          lab_worker_slot_close (w, TRUE);
          return;
        }
    }
  if (error != NULL)
    lab_worker_slot_close (w, TRUE);
}

/* Asks every live worker for its usage and waits for the answers. */
static void
collect_usage (LabWorkerPool *self)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_MS * 1000;

  for (guint i = 0; i < self->n_workers; i++)
    {
      LabWorkerSlot *w = &self->workers[i];

      if (w->process == NULL || !g_queue_is_empty (&w->in_flight))
        continue;
      w->usage_pending = TRUE;
      if (!lab_worker_slot_write (w, "U\n", 2, NULL))
        lab_worker_slot_close (w, TRUE);
    }

  for (guint i = 0; i < self->n_workers; i++)
    {
      LabWorkerSlot *w = &self->workers[i];

      while (w->process != NULL && w->usage_pending)
        {
          struct pollfd pfd = { .fd = w->out_fd, .events = POLLIN };
          gint64 left = deadline - g_get_monotonic_time ();

          if (left <= 0 || poll (&pfd, 1, left / 1000) <= 0 || !lab_worker_slot_read (w))
            {
              lab_worker_slot_close (w, TRUE);
              break;
            }
          read_usage (self, w);
        }
    }
}

/**
 * lab_worker_pool_new:
 * @worker_path: (nullable): the worker executable, or NULL for the default
 * @workers: the number of worker slots (processes at a time)
 * @tasks_per_worker: tasks a process runs before it is replaced; 0 = no
 *   limit (persistent workers, started now), 1 = a fresh process per task
 * @nice: niceness for the workers, 0..19
 *
 * Returns: (transfer full) (nullable): the pool, or NULL when persistent
 *   workers could not be started
 */
LabWorkerPool *
lab_worker_pool_new (const char  *worker_path,
                     guint        workers,
                     guint        tasks_per_worker,
                     int          nice,
                     GError     **error)
{
  g_autofree char *path = worker_path != NULL ? g_strdup (worker_path) : lab_worker_path_default ();
  const char *argv[] = { path, NULL };

  return lab_worker_pool_new_full (argv, workers, 1, LAB_POOL_LANES_SLOT, tasks_per_worker, nice, error);
}

/* The CPUs this process may run on, in order (its affinity mask). */
static GArray *
allowed_cpus (void)
{
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (int));
  cpu_set_t set;

  if (sched_getaffinity (0, sizeof set, &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
      if (CPU_ISSET (cpu, &set))
        g_array_append_val (cpus, cpu);
  if (cpus->len == 0)
    {
      int first = 0;

      g_array_append_val (cpus, first);
    }
  return cpus;
}

static LabWorkerPool *
pool_new (const char * const  *argv,
          guint                workers,
          guint                concurrency,
          LabPoolLanes         lanes,
          guint                tasks_per_worker,
          int                  nice,
          gboolean             pinned,
          GError             **error)
{
  g_autoptr(LabWorkerPool) self = NULL;

  self = g_new0 (LabWorkerPool, 1);
  self->argv = g_strdupv ((char **) argv);
  self->worker_path = self->argv[0];
  self->concurrency = concurrency;
  self->lanes = lanes;
  self->lane_keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->n_workers = workers;
  self->tasks_per_worker = tasks_per_worker;
  self->nice = CLAMP (nice, 0, 19);
  self->cpus = pinned ? allowed_cpus () : NULL;
  self->workers = g_new0 (LabWorkerSlot, workers);
  self->slot_peak_rss_kib = g_new0 (guint64, workers);
  self->out = g_string_new (NULL);
  for (guint i = 0; i < workers; i++)
    {
      lab_worker_slot_init (&self->workers[i], i);
      self->workers[i].unordered = concurrency > 1;
    }

  if (tasks_per_worker == 0)
    {
      /* A persistent pool is warm before anything is measured, like a
       * multiprocessing.Pool that already exists: start every worker, wait
       * for its greeting, and take its start-up CPU time out of the count. */
      for (guint i = 0; i < workers; i++)
        if (!lab_worker_pool_spawn (self, &self->workers[i], error))
          return NULL;
      collect_usage (self);
      for (guint i = 0; i < workers; i++)
        if (self->workers[i].process == NULL || !self->workers[i].said_hello)
          {
            g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                         _("The worker “%s” started but did not answer"), self->worker_path);
            return NULL;
          }
      lab_worker_pool_take_usage (self, NULL, NULL, NULL);
    }

  return g_steal_pointer (&self);
}

/**
 * lab_worker_pool_new_full:
 * @argv: the command line of a worker, which speaks the worker protocol
 *   (the native worker, or an interpreter on the Python kernels)
 * @concurrency: how many tasks each worker runs at once (its threads, or
 *   its event loop's limit); replies then come in any order
 * @lanes: how the spans of such a worker are spread over lanes
 *
 * Like lab_worker_pool_new().
 *
 * Returns: (transfer full) (nullable): the pool
 */
LabWorkerPool *
lab_worker_pool_new_full (const char * const  *argv,
                          guint                workers,
                          guint                concurrency,
                          LabPoolLanes         lanes,
                          guint                tasks_per_worker,
                          int                  nice,
                          GError             **error)
{
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (workers > 0 && workers <= LAB_MAX_WORKERS, NULL);
  g_return_val_if_fail (concurrency > 0, NULL);

  return pool_new (argv, workers, concurrency, lanes, tasks_per_worker, nice, FALSE, error);
}

/**
 * lab_worker_pool_new_pinned:
 * @worker_path: (nullable): the native worker, or NULL for the default
 * @workers: the number of persistent workers, started now
 *
 * Like lab_worker_pool_new(), but the worker of slot i runs on one CPU
 * only: the (i mod n)-th of the n this process may run on. The worker
 * pins itself (--cpu) before its greeting.
 *
 * Returns: (transfer full) (nullable): the pool
 */
LabWorkerPool *
lab_worker_pool_new_pinned (const char  *worker_path,
                            guint        workers,
                            GError     **error)
{
  g_autofree char *path = worker_path != NULL ? g_strdup (worker_path) : lab_worker_path_default ();
  const char *argv[] = { path, NULL };

  g_return_val_if_fail (workers > 0 && workers <= LAB_MAX_WORKERS, NULL);

  return pool_new (argv, workers, 1, LAB_POOL_LANES_SLOT, 0, 0, TRUE, error);
}

void
lab_worker_pool_free (LabWorkerPool *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_workers; i++)
    {
      LabWorkerSlot *w = &self->workers[i];

      lab_worker_slot_close (w, !g_queue_is_empty (&w->in_flight));
    }
  g_free (self->workers);
  g_free (self->slot_peak_rss_kib);
  g_clear_pointer (&self->cpus, g_array_unref);
  g_string_free (self->out, TRUE);
  g_array_unref (self->lane_keys);
  g_strfreev (self->argv);
  g_free (self);
}

void
lab_worker_pool_take_usage_full (LabWorkerPool *self,
                                 LabPoolUsage  *usage)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (usage != NULL);

  collect_usage (self);
  *usage = (LabPoolUsage) {
    .user_us = self->user_us,
    .sys_us = self->sys_us,
    .voluntary_switches = self->voluntary_switches,
    .involuntary_switches = self->involuntary_switches,
  };
  for (guint i = 0; i < self->n_workers; i++)
    usage->peak_rss_kib += self->slot_peak_rss_kib[i];

  self->user_us = 0;
  self->sys_us = 0;
  self->voluntary_switches = 0;
  self->involuntary_switches = 0;
  memset (self->slot_peak_rss_kib, 0, self->n_workers * sizeof (guint64));
}

void
lab_worker_pool_take_usage (LabWorkerPool *self,
                            guint64       *user_us,
                            guint64       *sys_us,
                            guint64       *peak_rss_kib)
{
  LabPoolUsage usage;

  g_return_if_fail (self != NULL);

  lab_worker_pool_take_usage_full (self, &usage);
  if (user_us != NULL)
    *user_us = usage.user_us;
  if (sys_us != NULL)
    *sys_us = usage.sys_us;
  if (peak_rss_kib != NULL)
    *peak_rss_kib = usage.peak_rss_kib;
}

/**
 * lab_worker_pool_get_last_signal:
 *
 * Returns: the signal that last killed one of the workers (a crash: not
 *   one the pool sent), or 0 when none died of a signal
 */
int
lab_worker_pool_get_last_signal (LabWorkerPool *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->last_signal;
}

/**
 * lab_worker_pool_get_pids:
 *
 * Returns: (transfer full): the pids (gint) of the live workers
 */
GArray *
lab_worker_pool_get_pids (LabWorkerPool *self)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (gint));

  for (guint i = 0; i < self->n_workers; i++)
    if (self->workers[i].process != NULL)
      g_array_append_val (pids, self->workers[i].pid);
  return pids;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "lab-protocol.h"
#include "lab-worker-pool-private.h"

/* Requests in flight per worker: at most this many, and no more bytes of
 * requests than fit easily in a pipe, so that writes never block. */
#define MAX_DEPTH          64
#define MAX_PENDING_BYTES  (16 * 1024)


/* State of one lab_worker_pool_run_full() call. */
typedef struct
{
  LabWorkerPool     *pool;
  const LabWorkload *workload;
  GString           *workload_line;  /* its W message, formatted once */
  guint              task_timeout_ms;
  gint64             t0;
  LabPoolResultFunc  result;
  gpointer           user_data;
  const LabPoolFeed *feed;         /* NULL: tasks 0..tasks-1 in order */
  LabInFlight       *staged;       /* taken from the feed, not sent yet */
  GQueue             requeued;     /* LabInFlight: tasks to send first */
  guint              next_task;
  guint              done;
  guint              consecutive_start_failures;
} Run;

static void
fail_span (Run           *run,
           LabWorkerSlot *w,
           LabInFlight   *req,
           const char    *reason)
{
  gint64 now = g_get_monotonic_time ();
  LabSpan span = {
    .task = req->task,
    .worker = w->slot,
    .pid = w->pid,
    .queued_us = req->sent_us - run->t0,
    .start_us = MAX (w->head_since_us, req->sent_us) - run->t0,
    .end_us = now - run->t0,
    .status = LAB_TASK_FAILED,
    .error = (char *) reason,
  };

  run->result (&span, NULL, run->user_data);
  run->done++;
}

/* The worker in @w is unusable: fail its running task with @reason, give
 * the requests queued behind it to other workers, and free the slot. */
static void
worker_lost (Run           *run,
             LabWorkerSlot *w,
             const char    *reason,
             gboolean       kill)
{
  g_autoptr(LabInFlight) head = g_queue_pop_head (&w->in_flight);
  g_autofree char *why = NULL;

  lab_worker_slot_stop (w, kill);
  why = reason != NULL ? g_strdup (reason) : lab_worker_slot_describe_exit (w);
  if (!kill && g_subprocess_get_if_signaled (w->process))
    run->pool->last_signal = g_subprocess_get_term_sig (w->process);

  if (head != NULL)
    fail_span (run, w, head, why);
  else
    g_debug ("worker %d lost while idle: %s", w->pid, why);

  /* Requests that never started are not failures: send them again. */
  for (LabInFlight *req; (req = g_queue_pop_tail (&w->in_flight)) != NULL;)
    g_queue_push_head (&run->requeued, req);

  lab_worker_slot_reset (w);
}

/* Whether a task is ready to be sent; one from a feed is taken from it
 * here, and kept until it is. */
static gboolean
pending_tasks (Run *run)
{
  guint task;
  GBytes *document = NULL;

  if (!g_queue_is_empty (&run->requeued) || run->staged != NULL)
    return TRUE;
  if (run->feed == NULL)
    return run->next_task < run->workload->tasks;
  if (!run->feed->next (run->feed->user_data, &task, &document))
    return FALSE;
  run->staged = g_new0 (LabInFlight, 1);
  run->staged->task = task;
  run->staged->document = document;
  return TRUE;
}

/* The next task to send (its document, if it has one, moves to @req). */
static guint
take_task (Run         *run,
           LabInFlight *req)
{
  g_autoptr(LabInFlight) next = g_queue_pop_head (&run->requeued);

  if (next == NULL)
    next = g_steal_pointer (&run->staged);
  if (next == NULL)
    return run->next_task++;
  req->document = g_steal_pointer (&next->document);
  return next->task;
}

/* Like multiprocessing.Pool.map's chunksize: many requests in flight while
 * much work remains (hides the pipe round trip), one at a time near the end
 * (keeps the workers balanced). */
static guint
target_depth (Run *run)
{
  LabWorkerPool *self = run->pool;
  guint remaining = run->requeued.length + (run->workload->tasks - run->next_task);

  /* A feed's tasks come one by one: the next one goes to whichever
   * worker is free first. */
  if (self->tasks_per_worker == 1 || run->feed != NULL)
    return 1;
  /* A worker that runs several tasks at once (an interpreter's thread
   * pool) gets them all queued, as ThreadPoolExecutor.map() would. */
  if (self->concurrency > 1)
    return self->concurrency + remaining;
  return 1 + MIN (remaining / (4 * self->n_workers), MAX_DEPTH - 1);
}

static gsize
max_pending_bytes (LabWorkerPool *self)
{
  /* Its reader takes requests off the pipe as they come. */
  return self->concurrency > 1 ? 4 * MAX_PENDING_BYTES : MAX_PENDING_BYTES;
}

/* The lane of a task that ran in @w: the slot, or for a worker running
 * several tasks at once the thread it ran on or, when they all run on one
 * thread (an event loop), the first lane free when it started. */
static guint
task_lane (LabWorkerPool *self,
           LabWorkerSlot *w,
           gint64         tid,
           gint64         start_us,
           gint64         end_us)
{
  GArray *keys = self->lane_keys;
  guint best = 0;

  switch (self->lanes)
    {
    case LAB_POOL_LANES_THREAD:
      for (guint i = 0; i < keys->len; i++)
        if (g_array_index (keys, gint64, i) == tid)
          return i;
      g_array_append_val (keys, tid);
      return keys->len - 1;

    case LAB_POOL_LANES_PACKED:
      for (guint i = 0; i < keys->len; i++)
        if (g_array_index (keys, gint64, i) <= start_us)
          {
            g_array_index (keys, gint64, i) = end_us;
            return i;
          }
      if (keys->len < self->concurrency)
        {
          g_array_append_val (keys, end_us);
          return keys->len - 1;
        }
      for (guint i = 1; i < keys->len; i++)
        if (g_array_index (keys, gint64, i) < g_array_index (keys, gint64, best))
          best = i;
      g_array_index (keys, gint64, best) = end_us;
      return best;

    case LAB_POOL_LANES_SLOT:
    default:
      return w->slot;
    }
}

static gboolean
send_request (Run            *run,
              LabWorkerSlot  *w,
              GError        **error)
{
  LabWorkerPool *self = run->pool;
  LabMessage msg = { .type = LAB_MESSAGE_TASK };
  LabInFlight *req;
  gsize before;

  g_string_truncate (self->out, 0);
  if (w->generation != self->generation)
    g_string_append_len (self->out, run->workload_line->str, run->workload_line->len);
  before = self->out->len;

  req = g_new0 (LabInFlight, 1);
  req->id = ++self->next_id;
  req->task = take_task (run, req);
  req->sent_us = g_get_monotonic_time ();
  msg.id = req->id;
  msg.task = req->task;
  if (req->document != NULL)
    {
      /* An analysis: the document follows its line. */
      msg.type = LAB_MESSAGE_ANALYSE;
      msg.bytes = g_bytes_get_size (req->document);
      lab_message_format (&msg, self->out);
      g_string_append_len (self->out, g_bytes_get_data (req->document, NULL), msg.bytes);
    }
  else
    {
      msg.text = (char *) lab_workload_task_argument (run->workload, req->task);
      lab_message_format (&msg, self->out);
    }
  req->bytes = self->out->len - before;

  /* Its last task: ask for its usage in the same write, to save a round trip. */
  if (self->tasks_per_worker > 0 &&
      w->tasks_done + g_queue_get_length (&w->in_flight) + 1 >= self->tasks_per_worker)
    {
      g_string_append (self->out, "U\n");
      w->usage_pending = TRUE;
    }

  if (g_queue_is_empty (&w->in_flight))
    w->head_since_us = req->sent_us;
  g_queue_push_tail (&w->in_flight, req);
  w->pending_bytes += req->bytes;

  if (!lab_worker_slot_write (w, self->out->str, self->out->len, error))
    return FALSE;
  w->generation = self->generation;
  return TRUE;
}

static void
fill_worker (Run           *run,
             LabWorkerSlot *w)
{
  LabWorkerPool *self = run->pool;
  guint depth;

  if (w->retiring || !pending_tasks (run))
    return;

  if (w->process == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lab_worker_pool_spawn (self, w, &error))
        {
          LabInFlight req = { .sent_us = g_get_monotonic_time () };

          req.task = take_task (run, &req);
          w->head_since_us = req.sent_us;
          fail_span (run, w, &req, error->message);
          g_clear_pointer (&req.document, g_bytes_unref);
          run->consecutive_start_failures++;
          lab_worker_slot_reset (w);
          return;
        }
    }

  depth = target_depth (run);
  if (self->tasks_per_worker > 0)
    depth = MIN (depth, self->tasks_per_worker - w->tasks_done);

  while (g_queue_get_length (&w->in_flight) < depth && pending_tasks (run) &&
         w->pending_bytes < max_pending_bytes (self))
    {
      g_autoptr(GError) error = NULL;

      if (!send_request (run, w, &error))
        {
          /* Most likely it died: its exit status says why. Not killed
           * by us, so that the signal that ended it is the pool's last
           * signal (the crash experiment reads it) whether its death is
           * noticed here or by reading its end; one that only closed its
           * stdin gets the usual time to exit. */
          worker_lost (run, w, NULL, FALSE);
          return;
        }
    }
}

static void
handle_result (Run           *run,
               LabWorkerSlot *w,
               LabMessage    *msg)
{
  LabWorkerPool *self = run->pool;
  GList *link = lab_worker_slot_find_request (w, msg);
  g_autoptr(LabInFlight) req = link->data;
  LabSpan span = {
    .task = req->task,
    .worker = task_lane (self, w, msg->tid, msg->start_us, msg->end_us),
    .pid = w->pid,
    .tid = msg->tid,
    .queued_us = req->sent_us - run->t0,
    .start_us = msg->start_us - run->t0,
    .end_us = msg->end_us - run->t0,
    .bytes = msg->bytes,
    .checksum = msg->checksum,
    .http_status = msg->http_status,
    .cached_bytes = msg->cached_bytes,
    .status = msg->ok ? LAB_TASK_OK : LAB_TASK_FAILED,
    .error = msg->text,
  };

  g_queue_delete_link (&w->in_flight, link);
  w->pending_bytes -= req->bytes;
  w->head_since_us = g_get_monotonic_time ();
  w->tasks_done++;
  run->consecutive_start_failures = 0;
  run->result (&span, msg, run->user_data);
  run->done++;

  /* A worker that did its share (the spawn mode) goes once it has reported
   * its usage, which send_request() asked for with its last task. */
  if (self->tasks_per_worker > 0 && w->tasks_done >= self->tasks_per_worker &&
      g_queue_is_empty (&w->in_flight))
    w->retiring = TRUE;
}

/* Reads what the worker wrote and acts on it. A worker that is gone or
 * broke the protocol is dealt with here. */
static void
read_worker (Run           *run,
             LabWorkerSlot *w)
{
  if (!lab_worker_slot_read (w))
    {
      worker_lost (run, w, NULL, FALSE);
      return;
    }

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      LabMessage msg;

      if (!lab_worker_slot_next_message (w, &msg, &error))
        {
          if (error != NULL)
            {
              g_autofree char *reason = g_strdup_printf (_("protocol error: %s"), error->message);

              worker_lost (run, w, reason, TRUE);
            }
          return;
        }
      if (msg.type == LAB_MESSAGE_RESULT)
        handle_result (run, w, &msg);
      else
        {
          lab_worker_pool_add_usage (run->pool, w, &msg);
          if (w->retiring)
            lab_worker_slot_close (w, FALSE);
        }
      lab_message_clear (&msg);
      if (w->process == NULL)
        return;
    }
}

static void
check_timeouts (Run *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->task_timeout_ms == 0)
    return;

  for (guint i = 0; i < run->pool->n_workers; i++)
    {
      LabWorkerSlot *w = &run->pool->workers[i];

      if (w->process != NULL && !g_queue_is_empty (&w->in_flight) &&
          now - w->head_since_us >= (gint64) run->task_timeout_ms * 1000)
        {
          g_autofree char *reason = g_strdup_printf (_("timed out after %.1f s: the worker was killed"),
                                                     run->task_timeout_ms / 1000.0);

          worker_lost (run, w, reason, TRUE);
        }
    }
}

static int
poll_timeout_ms (Run *run)
{
  gint64 now = g_get_monotonic_time ();
  gint64 earliest = G_MAXINT64;

  if (run->task_timeout_ms == 0)
    return -1;
  for (guint i = 0; i < run->pool->n_workers; i++)
    {
      LabWorkerSlot *w = &run->pool->workers[i];

      if (w->process != NULL && !g_queue_is_empty (&w->in_flight))
        earliest = MIN (earliest, w->head_since_us + (gint64) run->task_timeout_ms * 1000);
    }
  if (earliest == G_MAXINT64)
    return -1;
  return (int) CLAMP ((earliest - now + 999) / 1000, 0, G_MAXINT);
}

/* Whether tasks remain to be sent or answered. A feed says when no more
 * will come; asked first, as a task may come just before it closes. */
static gboolean
tasks_left (Run *run)
{
  if (run->feed == NULL)
    return run->done < run->workload->tasks;
  if (run->feed->more (run->feed->user_data) || pending_tasks (run))
    return TRUE;
  for (guint i = 0; i < run->pool->n_workers; i++)
    if (!g_queue_is_empty (&run->pool->workers[i].in_flight))
      return TRUE;
  return FALSE;
}

static gboolean
busy (Run *run)
{
  if (tasks_left (run))
    return TRUE;
  /* Wait for retiring workers' usage too. */
  for (guint i = 0; i < run->pool->n_workers; i++)
    if (run->pool->workers[i].retiring)
      return TRUE;
  return FALSE;
}

static GString *
format_workload (const LabWorkload *workload)
{
  LabMessage msg = { .type = LAB_MESSAGE_WORKLOAD, .workload = (LabWorkload *) workload };
  GString *line = g_string_new (NULL);

  lab_message_format (&msg, line);
  return line;
}

/**
 * lab_worker_pool_run_full:
 * @feed: (nullable): where the tasks come from; NULL: tasks 0 to
 *   workload->tasks - 1, in order
 * @result: gets each task's span (times relative to @t0) and the worker's
 *   answer, or NULL for a task that failed with its worker
 *
 * Runs tasks of @workload on the pool's workers, in the calling thread,
 * until there are none left.
 *
 * Returns: FALSE when cancelled, or when no worker can be started at all
 */
gboolean
lab_worker_pool_run_full (LabWorkerPool      *self,
                          const LabWorkload  *workload,
                          guint               task_timeout_ms,
                          gint64              t0,
                          const LabPoolFeed  *feed,
                          LabPoolResultFunc   result,
                          gpointer            user_data,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autofree struct pollfd *pfds = NULL;
  g_autofree LabWorkerSlot **polled = NULL;
  GPollFD cancel_fd = { .fd = -1 };
  gboolean have_cancel_fd, complete;
  Run run = {
    .pool = self,
    .workload = workload,
    .task_timeout_ms = task_timeout_ms,
    .t0 = t0,
    .result = result,
    .user_data = user_data,
    .feed = feed,
  };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (workload != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  run.workload_line = format_workload (workload);
  g_array_set_size (self->lane_keys, 0);
  g_queue_init (&run.requeued);
  self->generation++;
  pfds = g_new0 (struct pollfd, self->n_workers + 2);
  polled = g_new0 (LabWorkerSlot *, self->n_workers);
  have_cancel_fd = cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel_fd);

  while (busy (&run))
    {
      guint n = 0, extra = 0;
      int wake = -1;
      int ready;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      /* Every start failing means the worker cannot run at all: stop. */
      if (run.consecutive_start_failures > self->n_workers + 2)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                       _("The worker “%s” cannot be started"), self->worker_path);
          break;
        }

      for (guint i = 0; i < self->n_workers; i++)
        fill_worker (&run, &self->workers[i]);

      for (guint i = 0; i < self->n_workers; i++)
        if (self->workers[i].process != NULL)
          {
            pfds[n] = (struct pollfd) { .fd = self->workers[i].out_fd, .events = POLLIN };
            polled[n++] = &self->workers[i];
          }
      if (n == 0)
        continue;
      if (have_cancel_fd)
        pfds[n + extra++] = (struct pollfd) { .fd = cancel_fd.fd, .events = POLLIN };
      if (feed != NULL && feed->wake_fd >= 0)
        {
          wake = n + extra++;
          pfds[wake] = (struct pollfd) { .fd = feed->wake_fd, .events = POLLIN };
        }

      ready = poll (pfds, n + extra, poll_timeout_ms (&run));
      if (ready < 0 && errno != EINTR)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "poll: %s", g_strerror (saved));
          break;
        }

      for (guint i = 0; ready > 0 && i < n; i++)
        if (pfds[i].revents != 0 && polled[i]->process != NULL)
          read_worker (&run, polled[i]);
      if (ready > 0 && wake >= 0 && pfds[wake].revents != 0)
        {
          guint64 count;

          /* The feed may have tasks: drain its wake-up, and look. */
          if (read (feed->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN && errno != EINTR)
            g_warning ("reading the pool's wake-up: %s", g_strerror (errno));
        }
      check_timeouts (&run);
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);

  complete = !tasks_left (&run);
  if (!complete && (error == NULL || *error == NULL))
    {
      /* Cancelled: a killed worker stops at once, whatever it was doing. */
      for (guint i = 0; i < self->n_workers; i++)
        if (self->workers[i].process != NULL)
          lab_worker_slot_close (&self->workers[i], TRUE);
      g_cancellable_set_error_if_cancelled (cancellable, error);
    }

  g_queue_clear_full (&run.requeued, (GDestroyNotify) lab_in_flight_free);
  g_clear_pointer (&run.staged, lab_in_flight_free);
  g_string_free (run.workload_line, TRUE);
  return complete;
}

typedef struct
{
  LabSpanFunc func;
  gpointer    user_data;
} SpanResult;

static void
span_result (const LabSpan    *span,
             const LabMessage *reply,
             gpointer          user_data)
{
  SpanResult *adapter = user_data;

  adapter->func (span, adapter->user_data);
}

gboolean
lab_worker_pool_run (LabWorkerPool      *self,
                     const LabWorkload  *workload,
                     guint               task_timeout_ms,
                     gint64              t0,
                     LabSpanFunc         func,
                     gpointer            user_data,
                     GCancellable       *cancellable,
                     GError            **error)
{
  SpanResult adapter = { func, user_data };

  g_return_val_if_fail (func != NULL, FALSE);

  return lab_worker_pool_run_full (self, workload, task_timeout_ms, t0, NULL, span_result, &adapter,
                                   cancellable, error);
}

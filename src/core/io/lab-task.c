/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab-fetch.h"
#include "lab-task.h"
#include "lab-yield.h"

struct _LabTaskRunner
{
  LabWorkload *workload;
  guint        concurrency;
  SoupSession *session;      /* downloads only; thread-safe for sync use */
};

gint64
lab_thread_id (void)
{
  return (gint64) syscall (SYS_gettid);
}

/**
 * lab_task_runner_new:
 * @workload: what the tasks are
 * @concurrency: how many threads will call lab_task_runner_run() at once
 *
 * Returns: (transfer full): a runner
 */
LabTaskRunner *
lab_task_runner_new (const LabWorkload *workload,
                     guint              concurrency)
{
  LabTaskRunner *self;

  g_return_val_if_fail (workload != NULL, NULL);

  self = g_new0 (LabTaskRunner, 1);
  self->workload = lab_workload_copy (workload);
  self->concurrency = MAX (1, concurrency);
  if (workload->kind == LAB_WORKLOAD_DOWNLOAD || workload->kind == LAB_WORKLOAD_PIPELINE)
    {
      /* libsoup's defaults (10 connections, 2 per host) would silently
       * serialise the demo. TLS verification stays on (the default). */
      self->session = soup_session_new_with_options ("max-conns", MAX (self->concurrency, 10),
                                                     "max-conns-per-host", MAX (self->concurrency, 2),
                                                     "timeout", workload->timeout_s,
                                                     NULL);
    }
  return self;
}

void
lab_task_runner_free (LabTaskRunner *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->session);
  g_clear_pointer (&self->workload, lab_workload_free);
  g_free (self);
}

/**
 * lab_task_runner_get_session:
 *
 * Returns: (transfer none) (nullable): the session of a download runner
 */
SoupSession *
lab_task_runner_get_session (LabTaskRunner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->session;
}

const LabWorkload *
lab_task_runner_get_workload (LabTaskRunner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->workload;
}

/* Waits @ms milliseconds, or less when @cancellable fires. */
static gboolean
wait_cancellable (guint64       ms,
                  GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  GPollFD pollfd;

  if (cancellable == NULL || !g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_usleep (ms * 1000);
      return TRUE;
    }

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfd = { .fd = pollfd.fd, .events = POLLIN };
      int timeout_ms;

      if (g_cancellable_is_cancelled (cancellable) || now >= deadline)
        break;
      /* Round up so that we never wake a little early and spin. */
      timeout_ms = (int) MIN ((deadline - now + 999) / 1000, G_MAXINT);
      poll (&pfd, 1, timeout_ms);
    }
  g_cancellable_release_fd (cancellable);
  return !g_cancellable_is_cancelled (cancellable);
}

/* Fetches @url, filling span->bytes, checksum and http_status, and
 * keeping the body in @body when it is not NULL. */
static gboolean
download (LabTaskRunner  *self,
          const char     *url,
          GCancellable   *cancellable,
          LabSpan        *span,
          GByteArray     *body,
          GError        **error)
{
  g_autoptr(LabFetch) fetch = lab_fetch_new (url, self->workload->max_bytes, error);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) send_error = NULL;
  g_autofree guint8 *buffer = NULL;
  gboolean ok = TRUE;

  if (fetch == NULL)
    return FALSE;

  /* Waiting for the network is a blocking region: a thread behind an
   * interpreter lock lets the others compute meanwhile. */
  lab_yield_blocking_begin ();
  stream = soup_session_send (self->session, lab_fetch_get_message (fetch), cancellable, &send_error);
  lab_yield_blocking_end ();
  if (!lab_fetch_sent (fetch, send_error, span, error))
    return FALSE;

  buffer = g_malloc (LAB_FETCH_CHUNK);
  for (;;)
    {
      g_autoptr(GError) read_error = NULL;
      gssize n;

      lab_yield_blocking_begin ();
      n = g_input_stream_read (stream, buffer, LAB_FETCH_CHUNK, cancellable, &read_error);
      lab_yield_blocking_end ();

      if (n == 0)
        break;
      if (!lab_fetch_add (fetch, buffer, n, read_error, span, error))
        {
          ok = FALSE;
          break;
        }
      if (body != NULL)
        g_byte_array_append (body, buffer, n);
    }
  /* Closing early (over the cap) drops the connection rather than reading the rest. */
  g_input_stream_close (stream, NULL, NULL);
  return ok && lab_fetch_finish (fetch, span, error);
}

/* Ends @span now; a task that ran to its end after a cancel counts as cancelled. */
static void
finish_span (LabSpan      *span,
             GCancellable *cancellable)
{
  span->end_us = g_get_monotonic_time ();
  if (span->status == LAB_TASK_OK && g_cancellable_is_cancelled (cancellable))
    {
      span->status = LAB_TASK_CANCELLED;
      span->error = g_strdup (_("Cancelled"));
    }
}

/* Prepares @span for task @task of @stage, started now in this thread. */
static void
start_span (LabSpan  *span,
            guint     task,
            LabStage  stage)
{
  span->task = task;
  span->stage = stage;
  span->pid = getpid ();
  span->tid = lab_thread_id ();
  span->status = LAB_TASK_OK;
  span->start_us = g_get_monotonic_time ();
}

void
lab_task_runner_run (LabTaskRunner *self,
                     guint          task,
                     const char    *argument,
                     GCancellable  *cancellable,
                     LabSpan       *span)
{
  const LabWorkload *workload;

  g_return_if_fail (self != NULL);
  g_return_if_fail (span != NULL);

  workload = self->workload;
  start_span (span, task, LAB_STAGE_TASK);

  switch (workload->kind)
    {
    case LAB_WORKLOAD_CPU:
      span->checksum = lab_kernel_run_task (workload->kernel, workload->size,
                                            task, workload->tasks, cancellable);
      break;

    case LAB_WORKLOAD_SLEEP:
      lab_yield_blocking_begin ();
      wait_cancellable (workload->size, cancellable);
      lab_yield_blocking_end ();
      span->checksum = task;
      break;

    case LAB_WORKLOAD_DOWNLOAD:
      {
        g_autoptr(GError) error = NULL;

        if (argument == NULL)
          argument = lab_workload_task_argument (workload, task);
        if (!download (self, argument, cancellable, span, NULL, &error))
          lab_span_fail (span, error);
      }
      break;

    case LAB_WORKLOAD_PIPELINE:  /* its documents: lab_task_runner_run_document() */
    default:
      g_assert_not_reached ();
    }

  finish_span (span, cancellable);
}

/**
 * lab_task_runner_fetch_document:
 * @url: (nullable): where document @task is; NULL: the workload's URL
 * @body: (out) (transfer full) (optional): the document, when it came
 *
 * The download stage of the pipeline: fills @span as
 * lab_task_runner_run() does, with the stage LAB_STAGE_DOWNLOAD and no
 * checksum (the rows make the repetition's).
 *
 * Returns: whether the document came whole
 */
gboolean
lab_task_runner_fetch_document (LabTaskRunner  *self,
                                guint           task,
                                const char     *url,
                                GCancellable   *cancellable,
                                LabSpan        *span,
                                GBytes        **body)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self != NULL && self->workload->kind == LAB_WORKLOAD_PIPELINE, FALSE);
  g_return_val_if_fail (span != NULL, FALSE);

  start_span (span, task, LAB_STAGE_DOWNLOAD);
  if (url == NULL)
    url = lab_workload_task_argument (self->workload, task);
  if (!download (self, url, cancellable, span, buffer, &error))
    lab_span_fail (span, error);
  span->checksum = 0;
  finish_span (span, cancellable);
  if (body != NULL)
    *body = span->status == LAB_TASK_OK ? g_byte_array_free_to_bytes (g_steal_pointer (&buffer)) : NULL;
  return span->status == LAB_TASK_OK;
}

/**
 * lab_task_runner_analyse_document:
 *
 * The analysis stage of the pipeline: lab_document_analyse() of @data
 * with the workload's rounds, timed in @span (LAB_STAGE_ANALYSE, no
 * checksum, no bytes).
 *
 * Returns: FALSE when cancelled
 */
gboolean
lab_task_runner_analyse_document (LabTaskRunner  *self,
                                  guint           task,
                                  const guint8   *data,
                                  gsize           len,
                                  GCancellable   *cancellable,
                                  LabSpan        *span,
                                  LabDocumentRow *row)
{
  g_return_val_if_fail (self != NULL && self->workload->kind == LAB_WORKLOAD_PIPELINE, FALSE);
  g_return_val_if_fail (span != NULL && row != NULL, FALSE);

  start_span (span, task, LAB_STAGE_ANALYSE);
  lab_document_analyse (data, len, task, self->workload->size, cancellable, row);
  finish_span (span, cancellable);
  return span->status == LAB_TASK_OK;
}

/**
 * lab_task_runner_run_document:
 *
 * Downloads document @task and analyses it, in the calling thread: both
 * stages of the pipeline that come before storing.
 *
 * Returns: whether @row holds the document's analysis; if not, the
 *   failed or cancelled stage's span says why
 */
gboolean
lab_task_runner_run_document (LabTaskRunner  *self,
                              guint           task,
                              const char     *url,
                              GCancellable   *cancellable,
                              LabSpan        *download_span,
                              LabSpan        *analyse_span,
                              LabDocumentRow *row)
{
  g_autoptr(GBytes) body = NULL;

  if (!lab_task_runner_fetch_document (self, task, url, cancellable, download_span, &body))
    return FALSE;
  return lab_task_runner_analyse_document (self, task, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                           cancellable, analyse_span, row);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab-task.h"

struct _LabTaskRunner
{
  LabWorkload *workload;
  guint        concurrency;
  SoupSession *session;      /* downloads only; thread-safe for sync use */
};

#define DOWNLOAD_CHUNK (64 * 1024)

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
  if (workload->kind == LAB_WORKLOAD_DOWNLOAD)
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

/* Refuses anything but an absolute http or https URL with a host, before
 * any request is made. */
static gboolean
check_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_TASK, _("no URL to download"));
      return FALSE;
    }
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, _("malformed URL “%s”: %s"),
                   url, local_error->message);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK,
                   _("unsupported scheme “%s”: only http and https URLs can be downloaded"), scheme);
      return FALSE;
    }
  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, _("URL “%s” has no host"), url);
      return FALSE;
    }
  return TRUE;
}

/* A streaming 64-bit hash of a body, eight bytes at a time (a
 * multiply-xorshift mix): the same for any split of the body into reads,
 * and cheap enough not to be what a bulk download measures (SHA-256 ran
 * at a fraction of the loopback speed). */
typedef struct
{
  guint64 hash;
  guint64 length;
  guint8  tail[8];
  guint   tail_len;
} BodyHash;

static inline guint64
body_hash_mix (guint64 h,
               guint64 word)
{
  h = (h ^ word) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  return h ^ (h >> 29);
}

static void
body_hash_update (BodyHash     *bh,
                  const guint8 *data,
                  gsize         len)
{
  bh->length += len;
  while (len > 0 && (bh->tail_len > 0 || len < 8))
    {
      bh->tail[bh->tail_len++] = *data++;
      len--;
      if (bh->tail_len == 8)
        {
          guint64 word;

          memcpy (&word, bh->tail, 8);
          bh->hash = body_hash_mix (bh->hash, GUINT64_FROM_LE (word));
          bh->tail_len = 0;
        }
    }
  for (; len >= 8; data += 8, len -= 8)
    {
      guint64 word;

      memcpy (&word, data, 8);
      bh->hash = body_hash_mix (bh->hash, GUINT64_FROM_LE (word));
    }
  while (len-- > 0)
    bh->tail[bh->tail_len++] = *data++;
}

static guint64
body_hash_finish (BodyHash *bh)
{
  guint64 word = 0;

  memcpy (&word, bh->tail, bh->tail_len);
  return body_hash_mix (body_hash_mix (bh->hash, GUINT64_FROM_LE (word)), bh->length);
}

/* Fetches @url, filling span->bytes, checksum and http_status. */
static gboolean
download (LabTaskRunner  *self,
          const char     *url,
          GCancellable   *cancellable,
          LabSpan        *span,
          GError        **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  BodyHash checksum = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buffer = NULL;
  guint64 max_bytes = self->workload->max_bytes;
  guint status;

  if (!check_url (url, error))
    return FALSE;

  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, _("malformed URL “%s”"), url);
      return FALSE;
    }

  stream = soup_session_send (self->session, msg, cancellable, &local_error);
  if (stream == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, _("request failed: %s"), local_error->message);
      return FALSE;
    }
  status = soup_message_get_status (msg);
  span->http_status = status;

  buffer = g_malloc (DOWNLOAD_CHUNK);
  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, DOWNLOAD_CHUNK, cancellable, &local_error);

      if (n < 0)
        {
          g_input_stream_close (stream, NULL, NULL);
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, _("reading the body failed: %s"),
                         local_error->message);
          return FALSE;
        }
      if (n == 0)
        break;
      /* span->bytes <= max_bytes here, so this cannot overflow. */
      if ((guint64) n > max_bytes - span->bytes)
        {
          span->bytes += n;
          /* Closing early drops the connection rather than reading the rest. */
          g_input_stream_close (stream, NULL, NULL);
          g_set_error (error, LAB_ERROR, LAB_ERROR_TASK,
                       _("body larger than the cap of %" G_GUINT64_FORMAT " bytes"), max_bytes);
          return FALSE;
        }
      span->bytes += n;
      body_hash_update (&checksum, buffer, n);
    }
  g_input_stream_close (stream, NULL, NULL);
  span->checksum = body_hash_finish (&checksum);

  if (status >= 400)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, "HTTP %u %s", status,
                   soup_status_get_phrase (status) != NULL ? soup_status_get_phrase (status) : "");
      return FALSE;
    }
  return TRUE;
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
  span->task = task;
  span->pid = getpid ();
  span->tid = lab_thread_id ();
  span->status = LAB_TASK_OK;
  span->start_us = g_get_monotonic_time ();

  switch (workload->kind)
    {
    case LAB_WORKLOAD_CPU:
      span->checksum = lab_kernel_run_task (workload->kernel, workload->size,
                                            task, workload->tasks, cancellable);
      break;

    case LAB_WORKLOAD_SLEEP:
      wait_cancellable (workload->size, cancellable);
      span->checksum = task;
      break;

    case LAB_WORKLOAD_DOWNLOAD:
      {
        g_autoptr(GError) error = NULL;

        if (argument == NULL)
          argument = lab_workload_task_argument (workload, task);
        if (!download (self, argument, cancellable, span, &error))
          {
            if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
              span->status = LAB_TASK_CANCELLED;
            else
              span->status = LAB_TASK_FAILED;
            span->error = g_strdup (error->message);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  span->end_us = g_get_monotonic_time ();
  if (span->status == LAB_TASK_OK && g_cancellable_is_cancelled (cancellable))
    {
      span->status = LAB_TASK_CANCELLED;
      span->error = g_strdup (_("Cancelled"));
    }
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "lab-fetch.h"
#include "lab-workload.h"

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

struct _LabFetch
{
  SoupMessage *message;
  guint64      max_bytes;
  BodyHash     hash;
};

/**
 * lab_fetch_new:
 *
 * Returns: (transfer full) (nullable): a fetch of @url, not yet sent
 */
LabFetch *
lab_fetch_new (const char  *url,
               guint64      max_bytes,
               GError     **error)
{
  g_autoptr(LabFetch) self = NULL;

  if (!check_url (url, error))
    return NULL;

  self = g_new0 (LabFetch, 1);
  self->max_bytes = max_bytes;
  self->message = soup_message_new (SOUP_METHOD_GET, url);
  if (self->message == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, _("malformed URL “%s”"), url);
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
lab_fetch_free (LabFetch *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->message);
  g_free (self);
}

SoupMessage *
lab_fetch_get_message (LabFetch *self)
{
  return self->message;
}

/* Cancellation stays G_IO_ERROR_CANCELLED, so the task counts as cancelled. */
static void
set_task_error (GError     *cause,
                const char *what,
                GError    **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, cause->message);
  else
    g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, "%s: %s", what, cause->message);
}

gboolean
lab_fetch_sent (LabFetch  *self,
                GError    *send_error,
                LabSpan   *span,
                GError   **error)
{
  if (send_error != NULL)
    {
      set_task_error (send_error, _("request failed"), error);
      return FALSE;
    }
  span->http_status = soup_message_get_status (self->message);
  return TRUE;
}

gboolean
lab_fetch_add (LabFetch      *self,
               const guint8  *data,
               gssize         len,
               GError        *read_error,
               LabSpan       *span,
               GError       **error)
{
  if (read_error != NULL || len < 0)
    {
      set_task_error (read_error, _("reading the body failed"), error);
      return FALSE;
    }
  /* span->bytes <= max_bytes here, so this cannot overflow. */
  if ((guint64) len > self->max_bytes - span->bytes)
    {
      span->bytes += len;
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK,
                   _("body larger than the cap of %" PRIu64 " bytes"), self->max_bytes);
      return FALSE;
    }
  span->bytes += len;
  body_hash_update (&self->hash, data, len);
  return TRUE;
}

gboolean
lab_fetch_finish (LabFetch  *self,
                  LabSpan   *span,
                  GError   **error)
{
  guint status = soup_message_get_status (self->message);

  span->checksum = body_hash_finish (&self->hash);
  if (status >= 400)
    {
      const char *phrase = soup_status_get_phrase (status);

      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, "HTTP %u %s", status, phrase != NULL ? phrase : "");
      return FALSE;
    }
  return TRUE;
}

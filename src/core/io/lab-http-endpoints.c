/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "lab-document.h"
#include "lab-http-request.h"
#include "lab-http-server-private.h"

/* What LabHttpServer answers: the endpoints, and the responses that wait
 * on a timer (/delay, /drip). */

/*
 * Every response body is a slice of one infinite, 256-periodic byte
 * pattern. A shared read-only block of it (a multiple of the period) is
 * built once; bodies are lists of references into that block, so a
 * 256 MiB response costs a few thousand GBytes headers, not 256 MiB.
 */
#define PATTERN_BLOCK_SIZE (64 * 1024)

/* Drip chunks are at least this far apart, so a long drip is not a timer storm. */
#define DRIP_MIN_INTERVAL_MS 10

/* A response waiting on a timer: a delayed answer or a drip in progress. */
typedef struct
{
  LabHttpServer *self;          /* unowned: stop() frees every pending response */
  SoupServerMessage *msg;
  GSource *timer;
  gulong finished_id;
  gulong disconnected_id;

  /* Drip only. */
  guint64 total_bytes;
  guint n_chunks;
  guint next_chunk;
  gint64 start_us;
  guint duration_ms;
} LabPendingResponse;

/* Pattern */

static GBytes *
get_pattern_block (void)
{
  static GBytes *block;

  if (g_once_init_enter (&block))
    {
      guint8 *data = g_malloc (PATTERN_BLOCK_SIZE);

      for (gsize i = 0; i < PATTERN_BLOCK_SIZE; i++)
        data[i] = lab_http_server_pattern_byte (i);

      g_once_init_leave (&block, g_bytes_new_take (data, PATTERN_BLOCK_SIZE));
    }

  return block;
}

/* Appends pattern bytes [offset, offset + length) as slices of the shared block. */
static void
append_pattern (SoupMessageBody *body,
                guint64          offset,
                guint64          length)
{
  GBytes *block = get_pattern_block ();

  G_STATIC_ASSERT (PATTERN_BLOCK_SIZE % 256 == 0);

  while (length > 0)
    {
      gsize start = offset % PATTERN_BLOCK_SIZE;
      gsize n = MIN (length, (guint64) (PATTERN_BLOCK_SIZE - start));
      g_autoptr(GBytes) slice = g_bytes_new_from_bytes (block, start, n);

      soup_message_body_append_bytes (body, slice);
      offset += n;
      length -= n;
    }
}

/* Responses */

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *format,
              ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

/* Sets a 200 with a binary body; the caller says how it is framed. */
static void
respond_octet_stream (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/octet-stream", NULL);
  /* Not accumulating lets written chunks go, and stops libsoup from
   * flattening the whole body to answer a Range request. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
}

/* Sets a 200 whose body is pattern bytes [0, n_bytes), with a Content-Length. */
static void
respond_pattern (SoupServerMessage *msg,
                 guint64            n_bytes)
{
  respond_octet_stream (msg);
  soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg),
                                           n_bytes);
  append_pattern (soup_server_message_get_response_body (msg), 0, n_bytes);
}

/* Pending responses */

static void
lab_pending_response_free (LabPendingResponse *pending)
{
  if (pending->timer != NULL)
    {
      g_source_destroy (pending->timer);
      g_clear_pointer (&pending->timer, g_source_unref);
    }

  g_clear_signal_handler (&pending->finished_id, pending->msg);
  g_clear_signal_handler (&pending->disconnected_id, pending->msg);
  g_clear_object (&pending->msg);
  g_free (pending);
}

GHashTable *
lab_http_server_new_pending_set (void)
{
  return g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) lab_pending_response_free);
}

/* The message ended early (client gone, server stopping): never touch it again. */
static void
on_pending_message_gone (SoupServerMessage  *msg,
                         LabPendingResponse *pending)
{
  g_hash_table_remove (pending->self->pending, pending);
}

static LabPendingResponse *
lab_pending_response_new (LabHttpServer     *self,
                          SoupServerMessage *msg)
{
  LabPendingResponse *pending = g_new0 (LabPendingResponse, 1);

  pending->self = self;
  pending->msg = g_object_ref (msg);
  pending->finished_id = g_signal_connect (msg, "finished",
                                           G_CALLBACK (on_pending_message_gone), pending);
  pending->disconnected_id = g_signal_connect (msg, "disconnected",
                                               G_CALLBACK (on_pending_message_gone), pending);
  g_hash_table_add (self->pending, pending);

  return pending;
}

static void
lab_pending_response_schedule (LabPendingResponse *pending,
                               guint               delay_ms,
                               GSourceFunc         callback)
{
  g_assert (pending->timer == NULL);

  pending->timer = g_timeout_source_new (delay_ms);
  g_source_set_static_name (pending->timer, "[lab] http server timer");
  g_source_set_callback (pending->timer, callback, pending, NULL);
  g_source_attach (pending->timer, pending->self->context);
}

/* Lets the response go out as it stands, and frees @pending. */
static void
lab_pending_response_finish (LabPendingResponse *pending)
{
  soup_server_message_unpause (pending->msg);
  g_hash_table_remove (pending->self->pending, pending);
}

/* Called from the timer's own dispatch: forget it, GLib destroys it. */
static void
lab_pending_response_timer_fired (LabPendingResponse *pending)
{
  g_clear_pointer (&pending->timer, g_source_unref);
}

/* /delay/<ms> */

static gboolean
delay_elapsed_cb (gpointer user_data)
{
  LabPendingResponse *pending = user_data;

  lab_pending_response_timer_fired (pending);
  lab_pending_response_finish (pending);

  return G_SOURCE_REMOVE;
}

/* Holds the response set on @msg back for @delay_ms, without blocking:
 * nothing is written until the timer unpauses the message. */
static void
respond_after (LabHttpServer     *self,
               SoupServerMessage *msg,
               guint64            delay_ms)
{
  LabPendingResponse *pending;

  if (delay_ms == 0)
    return;
  soup_server_message_pause (msg);
  pending = lab_pending_response_new (self, msg);
  lab_pending_response_schedule (pending, delay_ms, delay_elapsed_cb);
}

static void
handle_delay (LabHttpServer        *self,
              SoupServerMessage    *msg,
              const LabHttpRequest *request)
{
  respond_pattern (msg, request->bytes);
  respond_after (self, msg, request->delay_ms);
}

/* /text/<n>[?doc=I&delay=MS]: the first n bytes of the pipeline's
 * document I (lab_document_fill()), after MS milliseconds */

static void
handle_text (LabHttpServer        *self,
             SoupServerMessage    *msg,
             const LabHttpRequest *request)
{
  guint8 *text = g_malloc (MAX (request->bytes, 1));

  lab_document_fill (request->doc, text, request->bytes);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    (const char *) text, request->bytes);
  respond_after (self, msg, request->delay_ms);
}

/* /bytes/<n> */

static void
handle_bytes (LabHttpServer        *self,
              SoupServerMessage    *msg,
              const LabHttpRequest *request)
{
  respond_pattern (msg, request->bytes);
}

/* /status/<code> */

/*
 * A 204 or a 304 goes out without Content-Length (a 204 must not have
 * one, a 304's would have to be the 200's). Finding no framing in its
 * headers, libsoup 3.2 then takes the response for one that ends at end
 * of file: it closes the connection without saying so, and requests
 * pipelined after it are lost. Once the headers are out, record that the
 * response had no body: the connection stays open.
 */
static void
on_bodiless_headers_written (SoupServerMessage *msg,
                             gpointer           user_data)
{
  soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg), 0);
}

static void
handle_status (LabHttpServer        *self,
               SoupServerMessage    *msg,
               const LabHttpRequest *request)
{
  guint code = request->status;

  if (code == SOUP_STATUS_NO_CONTENT || code == SOUP_STATUS_NOT_MODIFIED)
    {
      soup_server_message_set_status (msg, code, NULL);
      g_signal_connect (msg, "wrote-headers", G_CALLBACK (on_bodiless_headers_written), NULL);
    }
  else
    respond_text (msg, code, "%u %s\n", code, soup_status_get_phrase (code));
}

/* /redirect/<n>: a chain of n redirects (302) ending in a small 200, so
 * that clients' redirect limits can be tested (libsoup stops after 20). */

static void
handle_redirect (LabHttpServer        *self,
                 SoupServerMessage    *msg,
                 const LabHttpRequest *request)
{
  g_autofree char *location = NULL;

  if (request->hops == 0)
    {
      respond_text (msg, SOUP_STATUS_OK, "redirected\n");
      return;
    }
  location = g_strdup_printf ("/redirect/%u", request->hops - 1);
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

/* /drip */

static guint64
drip_chunk_offset (LabPendingResponse *pending,
                   guint               chunk)
{
  guint64 base = pending->total_bytes / pending->n_chunks;
  guint64 extra = pending->total_bytes % pending->n_chunks;

  /* The first @extra chunks carry one byte more. */
  return chunk * base + MIN (chunk, extra);
}

static gboolean drip_tick_cb (gpointer user_data);

static void
drip_schedule_next (LabPendingResponse *pending)
{
  /* Chunk j is due at start + D·(j+1)/k: deadlines from the start, not
   * from the last tick, so timer lateness does not add up. */
  gint64 due_us = pending->start_us +
                  (gint64) pending->duration_ms * 1000 * (pending->next_chunk + 1) / pending->n_chunks;
  gint64 wait_us = MAX (0, due_us - g_get_monotonic_time ());

  lab_pending_response_schedule (pending, (guint) ((wait_us + 999) / 1000), drip_tick_cb);
}

static gboolean
drip_tick_cb (gpointer user_data)
{
  LabPendingResponse *pending = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (pending->msg);
  guint chunk = pending->next_chunk++;
  guint64 from = drip_chunk_offset (pending, chunk);
  guint64 to = drip_chunk_offset (pending, chunk + 1);

  lab_pending_response_timer_fired (pending);
  append_pattern (body, from, to - from);

  if (pending->next_chunk == pending->n_chunks)
    {
      soup_message_body_complete (body);
      lab_pending_response_finish (pending);
      return G_SOURCE_REMOVE;
    }

  /* libsoup pauses a chunked response itself when it runs out of chunks. */
  soup_server_message_unpause (pending->msg);
  drip_schedule_next (pending);

  return G_SOURCE_REMOVE;
}

/* The headers go out now; each tick appends a chunk and unpauses. */
static void
drip_start (LabHttpServer     *self,
            SoupServerMessage *msg,
            guint64            n_bytes,
            guint64            duration_ms)
{
  LabPendingResponse *pending = lab_pending_response_new (self, msg);

  pending->total_bytes = n_bytes;
  pending->duration_ms = duration_ms;
  pending->n_chunks = CLAMP (MIN (n_bytes, duration_ms / DRIP_MIN_INTERVAL_MS), 1, G_MAXUINT);
  pending->start_us = g_get_monotonic_time ();
  drip_schedule_next (pending);
}

static void
handle_drip (LabHttpServer        *self,
             SoupServerMessage    *msg,
             const LabHttpRequest *request)
{
  respond_octet_stream (msg);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);

  /* HEAD gets the headers at once; libsoup writes no body for it. */
  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_HEAD) != 0)
    drip_start (self, msg, request->bytes, request->duration_ms);
}

/* Routing */

static void
respond_not_found (SoupServerMessage *msg)
{
  respond_text (msg, SOUP_STATUS_NOT_FOUND,
                "Not found. Endpoints: /delay/<ms>[?bytes=N], /bytes/<n>, /text/<n>[?doc=I&delay=MS], "
                "/status/<code>, /redirect/<n>, /drip[?bytes=N&duration_ms=D].\n");
}

static void
count_request (LabHttpServer *self)
{
  g_atomic_pointer_add (&self->requests_served, 1);
}

static gboolean
has_request_body (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      return soup_message_headers_get_content_length (headers) > 0;
    case SOUP_ENCODING_NONE:
      return FALSE;
    default:
      return TRUE;
    }
}

/*
 * Runs once the request's headers are read, before its body: no endpoint
 * takes a body, so a request that is not a GET or a HEAD gets 405 and one
 * that has a body 413, and the connection closes. libsoup then reads the
 * body all the same (it reads every body before writing the response,
 * except after "Expect: 100-continue"): not accumulating lets each piece
 * go as it arrives, so no body is ever held in memory.
 */
static void
on_early_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  LabHttpServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if ((method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD) && !has_request_body (msg))
    return;

  count_request (self);
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Only GET and HEAD are served.\n");
    }
  else
    {
      respond_text (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                    "These endpoints take no request body.\n");
    }
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
}

/* Every request: what it asks for (lab-http-request.c), then the answer. */
static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  LabHttpServer *self = user_data;
  g_autoptr(GError) error = NULL;
  LabHttpRequest request;

  count_request (self);

  if (!lab_http_request_parse (path, query, g_atomic_pointer_get (&self->max_bytes), &request, &error))
    {
      respond_text (msg, SOUP_STATUS_BAD_REQUEST, "%s.\n", error->message);
      return;
    }

  switch (request.endpoint)
    {
    case LAB_HTTP_ENDPOINT_DELAY:
      handle_delay (self, msg, &request);
      break;
    case LAB_HTTP_ENDPOINT_BYTES:
      handle_bytes (self, msg, &request);
      break;
    case LAB_HTTP_ENDPOINT_TEXT:
      handle_text (self, msg, &request);
      break;
    case LAB_HTTP_ENDPOINT_STATUS:
      handle_status (self, msg, &request);
      break;
    case LAB_HTTP_ENDPOINT_REDIRECT:
      handle_redirect (self, msg, &request);
      break;
    case LAB_HTTP_ENDPOINT_DRIP:
      handle_drip (self, msg, &request);
      break;
    case LAB_HTTP_ENDPOINT_NONE:
    default:
      respond_not_found (msg);
      break;
    }
}

/* One handler for every path, and one early handler for their headers:
 * the request's own parse says which endpoint it is for, if any. */
void
lab_http_server_add_endpoints (LabHttpServer *self,
                               SoupServer    *server)
{
  soup_server_add_handler (server, NULL, on_request, self, NULL);
  soup_server_add_early_handler (server, NULL, on_early_request, self, NULL);
}

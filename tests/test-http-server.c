/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gnetworking.h>
#include <libsoup/soup.h>

#include "lab-http-server.h"
#include "lab-machine.h"
#include "lab-test-server.h"

static void
assert_pattern (GBytes  *body,
                guint64  expected_size)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (body, &size);

  g_assert_cmpuint (size, ==, expected_size);
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] != lab_http_server_pattern_byte (i))
        g_error ("body byte %" G_GSIZE_FORMAT " is %u, expected %u",
                 i, data[i], lab_http_server_pattern_byte (i));
    }
}

static void
assert_text_contains (GBytes     *body,
                      const char *needle)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  if (strstr (text, needle) == NULL)
    g_error ("body “%s” does not contain “%s”", text, needle);
}

static void
test_start_stop (void)
{
  g_autoptr(LabHttpServer) server = lab_http_server_new ();
  g_autoptr(LabHttpServer) other = lab_http_server_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  guint port;

  g_assert_false (lab_http_server_is_running (server));
  g_assert_null (lab_http_server_get_base_url (server));

  g_assert_true (lab_http_server_start_in_thread (server, 0, &error));
  g_assert_no_error (error);
  port = lab_http_server_get_port (server);
  g_assert_cmpuint (port, >, 0);
  expected = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_assert_cmpstr (lab_http_server_get_base_url (server), ==, expected);

  /* Starting twice is an error, not a second listener. */
  g_assert_false (lab_http_server_start (server, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* The port is taken: both modes report it. */
  g_assert_false (lab_http_server_start_in_thread (other, port, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_false (lab_http_server_start (other, port, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_false (lab_http_server_is_running (other));

  lab_http_server_stop (server);
  g_assert_false (lab_http_server_is_running (server));
  g_assert_cmpuint (lab_http_server_get_port (server), ==, 0);
  lab_http_server_stop (server);

  /* Restart, on the caller's context this time. */
  g_assert_true (lab_http_server_start (server, 0, &error));
  g_assert_no_error (error);
  g_assert_true (lab_http_server_is_running (server));
  lab_http_server_stop (server);
}

/* The non-threaded mode answers while the caller iterates its context. */
static void
on_main_context_response (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GBytes **out_body = user_data;
  g_autoptr(GError) error = NULL;

  *out_body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
test_main_context_mode (void)
{
  g_autoptr(LabHttpServer) server = lab_http_server_new ();
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_assert_true (lab_http_server_start (server, 0, &error));
  g_assert_no_error (error);

  url = g_strconcat (lab_http_server_get_base_url (server), "/delay/50?bytes=32", NULL);
  msg = soup_message_new ("GET", url);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_main_context_response, &body);
  while (body == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  assert_pattern (body, 32);

  lab_http_server_stop (server);
  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_bytes (LabTestServer  *fixture,
            gconstpointer  user_data)
{
  static const guint64 sizes[] = { 0, 1, 255, 256, 1000, 65536, 65537, 5 * 1024 * 1024 + 123 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bytes/%" G_GUINT64_FORMAT, sizes[i]);
      g_autoptr(SoupMessageHeaders) headers = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GBytes) again = NULL;
      guint status;

      body = lab_test_server_request (fixture, "GET", path, &status, &headers);
      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpint (soup_message_headers_get_encoding (headers), ==, SOUP_ENCODING_CONTENT_LENGTH);
      g_assert_cmpint (soup_message_headers_get_content_length (headers), ==, sizes[i]);
      assert_pattern (body, sizes[i]);

      /* Deterministic: the same request gives the same bytes. */
      again = lab_test_server_request (fixture, "GET", path, &status, NULL);
      g_assert_cmpuint (status, ==, 200);
      g_assert_true (g_bytes_equal (body, again));
    }
}

static void
test_bytes_head (LabTestServer  *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  body = lab_test_server_request (fixture, "HEAD", "/bytes/12345", &status, &headers);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (soup_message_headers_get_content_length (headers), ==, 12345);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
}

/* A Range header must not make libsoup flatten the body; the full body comes back. */
static void
test_bytes_range_ignored (LabTestServer  *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *url = lab_test_server_url (fixture, "/bytes/1000");
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_set_range (soup_message_get_request_headers (msg), 10, 20);
  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  assert_pattern (body, 1000);
}

static void
test_max_bytes (LabTestServer  *fixture,
                gconstpointer  user_data)
{
  static const char *over_cap[] = {
    "/bytes/1001", "/delay/0?bytes=1001", "/drip?bytes=1001&duration_ms=0",
  };
  g_autoptr(GBytes) body = NULL;
  guint status;

  g_assert_cmpuint (lab_http_server_get_max_bytes (fixture->server), ==, 256 * 1024 * 1024);
  body = lab_test_server_request (fixture, "GET", "/bytes/268435457", &status, NULL);
  g_assert_cmpuint (status, ==, 400);
  assert_text_contains (body, "268435456");
  g_clear_pointer (&body, g_bytes_unref);

  g_object_set (fixture->server, "max-bytes", (guint64) 1000, NULL);
  g_assert_cmpuint (lab_http_server_get_max_bytes (fixture->server), ==, 1000);

  body = lab_test_server_request (fixture, "GET", "/bytes/1000", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_pattern (body, 1000);
  g_clear_pointer (&body, g_bytes_unref);

  for (guint i = 0; i < G_N_ELEMENTS (over_cap); i++)
    {
      body = lab_test_server_request (fixture, "GET", over_cap[i], &status, NULL);
      g_assert_cmpuint (status, ==, 400);
      assert_text_contains (body, "cap of 1000 bytes");
      g_clear_pointer (&body, g_bytes_unref);
    }
}

static void
test_status (LabTestServer  *fixture,
             gconstpointer  user_data)
{
  static const guint good[] = { 200, 201, 204, 301, 304, 404, 418, 500, 503, 599 };
  static const char *bad[] = { "/status/100", "/status/101", "/status/199", "/status/99",
                               "/status/600", "/status/0", "/status/abc", "/status/" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *path = g_strdup_printf ("/status/%u", good[i]);
      g_autoptr(SoupMessageHeaders) headers = NULL;
      g_autoptr(GBytes) body = NULL;
      guint status;

      body = lab_test_server_request (fixture, "GET", path, &status, &headers);
      g_assert_cmpuint (status, ==, good[i]);

      if (good[i] != 204 && good[i] != 304)
        {
          g_autofree char *code = g_strdup_printf ("%u", good[i]);

          g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "text/plain");
          assert_text_contains (body, code);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) body = NULL;
      guint status;

      body = lab_test_server_request (fixture, "GET", bad[i], &status, NULL);
      g_assert_cmpuint (status, ==, 400);
      assert_text_contains (body, "status code");
    }
}

static void
test_delay (LabTestServer  *fixture,
            gconstpointer  user_data)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) sized = NULL;
  g_autoptr(GBytes) head = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  guint status;

  body = lab_test_server_request (fixture, "GET", "/delay/200", &status, NULL);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpfloat (elapsed, >=, 0.19);
  g_assert_cmpfloat (elapsed, <, 2.0);
  assert_pattern (body, 16);

  sized = lab_test_server_request (fixture, "GET", "/delay/0?bytes=100000", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_pattern (sized, 100000);

  start = g_get_monotonic_time ();
  head = lab_test_server_request (fixture, "HEAD", "/delay/100", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (head), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 95 * 1000);
}

typedef struct
{
  guint pending;
  guint ok;
} ParallelRun;

static void
on_parallel_response (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ParallelRun *run = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) == 200 && g_bytes_get_size (body) == 16)
    run->ok++;
  run->pending--;
}

/* Ten waits of 300 ms overlap: the server never blocks on one of them. */
static void
test_delay_parallel (LabTestServer  *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *url = lab_test_server_url (fixture, "/delay/300");
  ParallelRun run = { 0 };
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      run.pending++;
      soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                        on_parallel_response, &run);
    }

  while (run.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("10 x /delay/300 in parallel: %.3f s", elapsed);
  g_assert_cmpuint (run.ok, ==, 10);
  g_assert_cmpfloat (elapsed, >=, 0.29);
  g_assert_cmpfloat (elapsed, <, 1.5);
}

static void
test_drip (LabTestServer  *fixture,
           gconstpointer  user_data)
{
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) instant = NULL;
  g_autoptr(GBytes) head = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  guint status;

  body = lab_test_server_request (fixture, "GET", "/drip?bytes=1000&duration_ms=500", &status, &headers);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("/drip 1000 bytes over 500 ms: %.3f s", elapsed);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (soup_message_headers_get_encoding (headers), ==, SOUP_ENCODING_CHUNKED);
  g_assert_cmpfloat (elapsed, >=, 0.4);
  g_assert_cmpfloat (elapsed, <, 3.0);
  assert_pattern (body, 1000);

  instant = lab_test_server_request (fixture, "GET", "/drip?bytes=3&duration_ms=0", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_pattern (instant, 3);
  g_clear_pointer (&instant, g_bytes_unref);

  instant = lab_test_server_request (fixture, "GET", "/drip?bytes=0&duration_ms=50", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_pattern (instant, 0);
  g_clear_pointer (&instant, g_bytes_unref);

  /* Large and spread: crosses pattern block boundaries at odd offsets. */
  instant = lab_test_server_request (fixture, "GET", "/drip?bytes=300007&duration_ms=100", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_pattern (instant, 300007);

  start = g_get_monotonic_time ();
  head = lab_test_server_request (fixture, "HEAD", "/drip?bytes=10&duration_ms=5000", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (head), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

static void
test_bad_input (LabTestServer  *fixture,
                gconstpointer  user_data)
{
  static const struct {
    const char *method;
    const char *path;
    guint status;
    const char *mentions;
  } cases[] = {
    { "GET", "/delay/abc", 400, "delay" },
    { "GET", "/delay/-5", 400, "“-5”" },
    { "GET", "/delay/+5", 400, "delay" },
    { "GET", "/delay/99999999999999999999999", 400, "delay" },
    { "GET", "/delay/600001", 400, "600000" },
    { "GET", "/delay/", 400, "delay" },
    { "GET", "/delay/1?bytes=x", 400, "bytes" },
    { "GET", "/bytes/12a", 400, "byte count" },
    { "GET", "/bytes/-1", 400, "byte count" },
    { "GET", "/bytes/18446744073709551616", 400, "byte count" },
    { "GET", "/bytes/", 400, "byte count" },
    { "GET", "/drip?bytes=abc", 400, "bytes" },
    { "GET", "/drip?bytes=1&duration_ms=-1", 400, "duration_ms" },
    { "GET", "/drip?duration_ms=1e3", 400, "duration_ms" },
    { "GET", "/", 404, "/bytes/" },
    { "GET", "/nothing", 404, "Not found" },
    { "GET", "/bytes/10/more", 404, "Not found" },
    { "GET", "/bytes", 404, "Not found" },
    { "GET", "/drip/5", 404, "Not found" },
    { "POST", "/bytes/10", 405, "GET" },
    { "DELETE", "/delay/1", 405, "GET" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = NULL;
      guint status;

      body = lab_test_server_request (fixture, cases[i].method, cases[i].path, &status, NULL);
      if (status != cases[i].status)
        g_error ("%s %s answered %u, expected %u",
                 cases[i].method, cases[i].path, status, cases[i].status);
      assert_text_contains (body, cases[i].mentions);
    }
}

/* Sequential keep-alive requests must not wait on delayed ACKs (TCP_NODELAY). */
static void
test_keepalive_latency (LabTestServer  *fixture,
                        gconstpointer  user_data)
{
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GBytes) body = NULL;
      guint status;

      body = lab_test_server_request (fixture, "GET", "/bytes/20000", &status, NULL);
      g_assert_cmpuint (status, ==, 200);
    }

  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("20 sequential keep-alive requests: %.3f s", elapsed);
  g_assert_cmpfloat (elapsed, <, 0.5);
}

static void
test_requests_served (LabTestServer  *fixture,
                      gconstpointer  user_data)
{
  guint64 before = lab_http_server_get_requests_served (fixture->server);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GBytes) body = NULL;
      guint status;

      body = lab_test_server_request (fixture, "GET", i % 2 ? "/bytes/1" : "/nothing", &status, NULL);
    }

  g_assert_cmpuint (lab_http_server_get_requests_served (fixture->server), ==, before + 5);
}

/* A client that goes away mid-delay, and a stop with responses still waiting. */
typedef struct
{
  gboolean done;
  gsize full_size;
} AbandonedRequest;

/* The request must not complete: an error, or (libsoup's client is lenient
 * about a chunked body cut by EOF) fewer bytes than the full body. */
static void
on_abandoned_response (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  AbandonedRequest *abandoned = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body != NULL)
    g_assert_cmpuint (g_bytes_get_size (body), <, abandoned->full_size);
  else
    g_assert_nonnull (error);

  abandoned->done = TRUE;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_client_gone (LabTestServer  *fixture,
                  gconstpointer  user_data)
{
  static const char *paths[] = { "/delay/400?bytes=100", "/drip?bytes=100&duration_ms=400" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = lab_test_server_url (fixture, paths[i]);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GBytes) body = NULL;
      AbandonedRequest abandoned = { .full_size = 100 };
      guint status;

      soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                        on_abandoned_response, &abandoned);
      g_timeout_add (100, cancel_cb, cancellable);
      while (!abandoned.done)
        g_main_context_iteration (NULL, TRUE);

      /* Past the abandoned deadline: the server is still fine. */
      g_usleep (400 * 1000);
      body = lab_test_server_request (fixture, "GET", "/bytes/10", &status, NULL);
      g_assert_cmpuint (status, ==, 200);
      assert_pattern (body, 10);
    }
}

static void
test_stop_with_pending (void)
{
  g_autoptr(LabHttpServer) server = lab_http_server_new ();
  g_autoptr(SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr(SoupMessage) delayed = NULL;
  g_autoptr(SoupMessage) dripping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *delay_url = NULL;
  g_autofree char *drip_url = NULL;
  AbandonedRequest delay_request = { .full_size = 16 };
  AbandonedRequest drip_request = { .full_size = 100 };
  gint64 deadline;

  g_assert_true (lab_http_server_start_in_thread (server, 0, &error));
  delay_url = g_strconcat (lab_http_server_get_base_url (server), "/delay/5000", NULL);
  drip_url = g_strconcat (lab_http_server_get_base_url (server),
                          "/drip?bytes=100&duration_ms=5000", NULL);
  delayed = soup_message_new ("GET", delay_url);
  dripping = soup_message_new ("GET", drip_url);
  soup_session_send_and_read_async (session, delayed, G_PRIORITY_DEFAULT, NULL,
                                    on_abandoned_response, &delay_request);
  soup_session_send_and_read_async (session, dripping, G_PRIORITY_DEFAULT, NULL,
                                    on_abandoned_response, &drip_request);

  deadline = g_get_monotonic_time () + 200 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);

  lab_http_server_stop (server);
  g_assert_finalize_object (g_steal_pointer (&server));

  /* The clients see the connections close well before the 5 s deadlines. */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while ((!delay_request.done || !drip_request.done) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (delay_request.done);
  g_assert_true (drip_request.done);
}

/*
 * Raw keep-alive connections, all open at once: each sends one request,
 * waits until every connection got its first answer, then sends a second
 * request on the same connection.
 */

#define KEEPALIVE_BODY_SIZE 64

typedef struct KeepAliveRun KeepAliveRun;

typedef struct
{
  KeepAliveRun *run;
  GSocketConnection *connection;
  GByteArray *received;
  guint8 buffer[4096];
  guint responses;
} KeepAliveClient;

struct KeepAliveRun
{
  GSocketAddress *address;
  KeepAliveClient *clients;
  guint n_clients;
  guint first_answers;
  gint64 first_round_us;
  guint finished;
  guint failed;
  char *first_error;
};

static void keepalive_send (KeepAliveClient *client);

static void
keepalive_fail (KeepAliveClient *client,
                const char      *format,
                ...) G_GNUC_PRINTF (2, 3);

static void
keepalive_fail (KeepAliveClient *client,
                const char      *format,
                ...)
{
  KeepAliveRun *run = client->run;
  va_list args;

  if (run->first_error == NULL)
    {
      va_start (args, format);
      run->first_error = g_strdup_vprintf (format, args);
      va_end (args);
    }

  run->failed++;
  g_clear_object (&client->connection);
}

/* Returns TRUE once @received holds one whole response; checks it. */
static gboolean
keepalive_parse (KeepAliveClient *client,
                 gboolean        *out_ok)
{
  const char *data = (const char *) client->received->data;
  gsize len = client->received->len;
  g_autofree char *head = NULL;
  const char *end;
  const char *length_header;
  guint64 content_length;
  g_autoptr(GBytes) body = NULL;

  end = g_strstr_len (data, len, "\r\n\r\n");
  if (end == NULL)
    return FALSE;

  head = g_ascii_strdown (data, end - data);
  length_header = strstr (head, "\r\ncontent-length: ");
  *out_ok = FALSE;

  if (!g_str_has_prefix (head, "http/1.1 200 ") || length_header == NULL ||
      strstr (head, "\r\nconnection: close") != NULL)
    {
      keepalive_fail (client, "unexpected response head: %s", head);
      return TRUE;
    }

  content_length = g_ascii_strtoull (length_header + strlen ("\r\ncontent-length: "), NULL, 10);
  if (len < (gsize) (end + 4 - data) + content_length)
    return FALSE;

  body = g_bytes_new (end + 4, content_length);
  if (len != (gsize) (end + 4 - data) + content_length)
    keepalive_fail (client, "%" G_GSIZE_FORMAT " extra bytes after the body", len);
  else if (content_length != KEEPALIVE_BODY_SIZE)
    keepalive_fail (client, "body of %" G_GUINT64_FORMAT " bytes", content_length);
  else
    *out_ok = TRUE;

  for (gsize i = 0; *out_ok && i < content_length; i++)
    {
      if (((const guint8 *) g_bytes_get_data (body, NULL))[i] != lab_http_server_pattern_byte (i))
        {
          keepalive_fail (client, "body byte %" G_GSIZE_FORMAT " differs", i);
          *out_ok = FALSE;
        }
    }

  return TRUE;
}

static void
keepalive_answered (KeepAliveClient *client)
{
  KeepAliveRun *run = client->run;

  g_byte_array_set_size (client->received, 0);
  client->responses++;

  if (client->responses == 2)
    {
      run->finished++;
      g_clear_object (&client->connection);
      return;
    }

  /* Barrier: the second round starts once all 500 are open and answered. */
  if (++run->first_answers == run->n_clients)
    {
      run->first_round_us = g_get_monotonic_time ();
      for (guint i = 0; i < run->n_clients; i++)
        {
          if (run->clients[i].connection != NULL)
            keepalive_send (&run->clients[i]);
        }
    }
}

static void
on_keepalive_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  KeepAliveClient *client = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n <= 0)
    {
      keepalive_fail (client, "read after %u responses: %s", client->responses,
                      error != NULL ? error->message : "connection closed");
      return;
    }

  g_byte_array_append (client->received, client->buffer, n);

  if (!keepalive_parse (client, &ok))
    {
      g_input_stream_read_async (G_INPUT_STREAM (source), client->buffer, sizeof client->buffer,
                                 G_PRIORITY_DEFAULT, NULL, on_keepalive_read, client);
      return;
    }

  if (ok)
    keepalive_answered (client);
}

static void
on_keepalive_written (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  KeepAliveClient *client = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      keepalive_fail (client, "write: %s", error->message);
      return;
    }

  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (client->connection)),
                             client->buffer, sizeof client->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_keepalive_read, client);
}

static void
keepalive_send (KeepAliveClient *client)
{
  static const char request_text[] =
    "GET /bytes/" G_STRINGIFY (KEEPALIVE_BODY_SIZE) " HTTP/1.1\r\n"
    "Host: 127.0.0.1\r\n"
    "\r\n";
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));

  g_output_stream_write_all_async (output, request_text, strlen (request_text),
                                   G_PRIORITY_DEFAULT, NULL, on_keepalive_written, client);
}

static void
on_keepalive_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  KeepAliveClient *client = user_data;
  g_autoptr(GError) error = NULL;

  client->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (client->connection == NULL)
    {
      keepalive_fail (client, "connect: %s", error->message);
      return;
    }

  g_socket_set_option (g_socket_connection_get_socket (client->connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  keepalive_send (client);
}

/* Returns how long the first round took (all connects and first answers), in s. */
static double
run_keepalive_clients (LabTestServer *fixture,
                       guint          n_clients)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  KeepAliveRun run = { 0 };
  guint64 served_before = lab_http_server_get_requests_served (fixture->server);
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + 60 * G_USEC_PER_SEC;

  run.address = g_inet_socket_address_new (loopback, lab_http_server_get_port (fixture->server));
  run.clients = g_new0 (KeepAliveClient, n_clients);
  run.n_clients = n_clients;
  g_socket_client_set_timeout (socket_client, 30);
  g_socket_client_set_enable_proxy (socket_client, FALSE);

  for (guint i = 0; i < n_clients; i++)
    {
      KeepAliveClient *client = &run.clients[i];

      client->run = &run;
      client->received = g_byte_array_new ();
      g_socket_client_connect_async (socket_client, G_SOCKET_CONNECTABLE (run.address), NULL,
                                     on_keepalive_connected, client);
    }

  /* One failure stalls the barrier: stop at the first. */
  while (run.failed == 0 && run.finished < n_clients && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("%u keep-alive clients x 2 requests: %.3f s (first round %.3f s)",
                  n_clients, (g_get_monotonic_time () - start) / 1e6,
                  (run.first_round_us - start) / 1e6);
  if (run.first_error != NULL)
    g_error ("keep-alive client failed: %s", run.first_error);
  g_assert_cmpuint (run.finished, ==, n_clients);
  g_assert_cmpuint (lab_http_server_get_requests_served (fixture->server), ==,
                    served_before + 2 * n_clients);

  for (guint i = 0; i < n_clients; i++)
    {
      g_clear_object (&run.clients[i].connection);
      g_byte_array_unref (run.clients[i].received);
    }
  g_free (run.clients);
  g_object_unref (run.address);

  return (run.first_round_us - start) / 1e6;
}

static void
test_keepalive_500 (LabTestServer  *fixture,
                    gconstpointer  user_data)
{
  run_keepalive_clients (fixture, 500);
}

/* 100 simultaneous connects: a shallow listen backlog drops SYNs and costs
 * a 1 s retransmission, which would distort every download measurement. */
static void
test_connect_burst (LabTestServer  *fixture,
                    gconstpointer  user_data)
{
  g_assert_cmpfloat (run_keepalive_clients (fixture, 100), <, 0.9);
}


/*
 * Raw HTTP on blocking sockets: what a hostile, pipelining or careless
 * client sends, byte for byte.
 */

static int
raw_connect (LabTestServer *fixture)
{
  struct sockaddr_in address = {
    .sin_family = AF_INET,
    .sin_port = g_htons (lab_http_server_get_port (fixture->server)),
    .sin_addr.s_addr = g_htonl (INADDR_LOOPBACK),
  };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    g_error ("connect: %s", g_strerror (errno));

  return fd;
}

static gboolean
raw_send (int         fd,
          const void *data,
          gsize       length)
{
  const char *p = data;

  while (length > 0)
    {
      gssize n = send (fd, p, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      length -= n;
    }

  return TRUE;
}

/* Waits up to @timeout_ms for data and appends it; FALSE at end of file or on timeout. */
static gboolean
raw_receive (int      fd,
             GString *received,
             int      timeout_ms,
             gboolean *out_closed)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char buffer[16384];
  gssize n;

  *out_closed = FALSE;
  if (poll (&pfd, 1, timeout_ms) <= 0)
    return FALSE;

  n = recv (fd, buffer, sizeof buffer, 0);
  if (n <= 0)
    {
      *out_closed = TRUE;
      return FALSE;
    }

  g_string_append_len (received, buffer, n);
  return TRUE;
}

/* Reads until the server closes the connection or @timeout_ms pass in silence. */
static GString *
raw_receive_all (int       fd,
                 int       timeout_ms,
                 gboolean *out_closed)
{
  GString *received = g_string_new (NULL);

  while (raw_receive (fd, received, timeout_ms, out_closed))
    ;

  return received;
}

/* The head of the response that starts at @response, lower-cased, or NULL. */
static char *
response_head (const char *response)
{
  const char *end = strstr (response, "\r\n\r\n");

  return end != NULL ? g_ascii_strdown (response, end - response) : NULL;
}

/* Two pipelined requests in one write, the first for a response without a
 * body: the second must be answered on the same connection (or the first
 * must have said that the connection closes). */
static void
test_status_no_body_pipelined (LabTestServer  *fixture,
                               gconstpointer  user_data)
{
  static const char *codes[] = { "204", "304" };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autofree char *request = NULL;
      g_autofree char *first = NULL;
      g_autoptr(GString) received = NULL;
      const char *second;
      gboolean closed;
      int fd = raw_connect (fixture);

      request = g_strdup_printf ("GET /status/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                 "GET /bytes/5 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                                 codes[i]);
      g_assert_true (raw_send (fd, request, strlen (request)));
      received = raw_receive_all (fd, 5000, &closed);
      close (fd);

      first = response_head (received->str);
      g_assert_nonnull (first);
      g_assert_true (g_str_has_prefix (first, "http/1.1 "));
      g_assert_true (g_str_has_prefix (first + strlen ("http/1.1 "), codes[i]));
      second = strstr (received->str + 1, "HTTP/1.1 ");
      if (second == NULL && strstr (first, "\r\nconnection: close") == NULL)
        g_error ("/status/%s closed the connection without “Connection: close” and dropped the "
                 "request pipelined after it; received:\n%s", codes[i], received->str);
      g_assert_nonnull (second);
      g_assert_true (g_str_has_prefix (second, "HTTP/1.1 200 "));
      g_assert_true (g_str_has_suffix (received->str, "\r\n\r\n\x07\x26\x45\x64\x83"));
      g_assert_true (closed);
    }
}

/*
 * Request bodies: the endpoints take none. A client streams a large body;
 * the server must answer from the headers and never hold the body in
 * memory.
 */

#define BODY_SIZE (G_GUINT64_CONSTANT (64) * 1024 * 1024)
#define BODY_BLOCK 65536

/* AddressSanitizer keeps freed memory in quarantine (256 MiB): there the
 * resident memory counts every piece of a body that was read and let go. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_COUNTS_FREED_MEMORY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_COUNTS_FREED_MEMORY 1
#endif
#endif
#ifndef RSS_COUNTS_FREED_MEMORY
#define RSS_COUNTS_FREED_MEMORY 0
#endif

typedef struct
{
  int fd;
  gboolean chunked;
  guint64 sent;
} BodyWriter;

static gpointer
body_writer_main (gpointer user_data)
{
  BodyWriter *writer = user_data;
  static char block[BODY_BLOCK];

  memset (block, 'x', sizeof block);
  while (writer->sent < BODY_SIZE)
    {
      if (writer->chunked &&
          !raw_send (writer->fd, "10000\r\n", strlen ("10000\r\n")))
        return NULL;
      if (!raw_send (writer->fd, block, sizeof block) ||
          (writer->chunked && !raw_send (writer->fd, "\r\n", 2)))
        return NULL;
      writer->sent += sizeof block;
    }
  if (writer->chunked)
    raw_send (writer->fd, "0\r\n\r\n", 5);

  return NULL;
}

static guint64
rss_kib (void)
{
  LabProcessMemory memory;

  g_assert_true (lab_machine_process_memory (0, &memory));
  return memory.rss_kib;
}

/* Whether @received holds a whole response (head and Content-Length body). */
static gboolean
response_complete (GString *received)
{
  g_autofree char *head = response_head (received->str);
  const char *length;

  if (head == NULL)
    return FALSE;
  length = strstr (head, "\r\ncontent-length: ");
  if (length == NULL)
    return FALSE;

  return received->len >= strlen (head) + 4 +
         g_ascii_strtoull (length + strlen ("\r\ncontent-length: "), NULL, 10);
}

static void
test_request_body_refused (LabTestServer  *fixture,
                           gconstpointer  user_data)
{
  static const struct {
    const char *method;
    const char *path;
    gboolean chunked;
    guint status;
  } cases[] = {
    { "POST", "/bytes/10", FALSE, 405 },
    { "GET", "/bytes/10", FALSE, 413 },
    { "GET", "/delay/0", TRUE, 413 },
    { "PUT", "/nothing", TRUE, 405 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BodyWriter writer = { .chunked = cases[i].chunked };
      g_autoptr(GString) received = g_string_new (NULL);
      g_autofree char *request = NULL;
      g_autofree char *head = NULL;
      g_autofree char *status = NULL;
      guint64 rss_before = rss_kib ();
      guint64 rss_peak = rss_before;
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      gboolean closed = FALSE;
      GThread *thread;

      writer.fd = raw_connect (fixture);
      if (cases[i].chunked)
        request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n",
                                   cases[i].method, cases[i].path);
      else
        request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Content-Length: %" G_GUINT64_FORMAT "\r\n\r\n",
                                   cases[i].method, cases[i].path, BODY_SIZE);
      g_assert_true (raw_send (writer.fd, request, strlen (request)));
      thread = g_thread_new ("body-writer", body_writer_main, &writer);

      /* Sample the resident memory while the body goes out. */
      while (!closed && !response_complete (received) && g_get_monotonic_time () < deadline)
        {
          raw_receive (writer.fd, received, 10, &closed);
          rss_peak = MAX (rss_peak, rss_kib ());
        }
      /* Then the server must close the connection it said it would close. */
      while (!closed && raw_receive (writer.fd, received, 5000, &closed))
        ;
      shutdown (writer.fd, SHUT_RDWR);
      g_thread_join (thread);
      close (writer.fd);

      head = response_head (received->str);
      g_test_message ("%s %s with a %s body of %" G_GUINT64_FORMAT " MiB: %" G_GUINT64_FORMAT
                      " MiB sent, resident memory +%" G_GUINT64_FORMAT " MiB, answer: %s",
                      cases[i].method, cases[i].path, cases[i].chunked ? "chunked" : "declared",
                      BODY_SIZE >> 20, writer.sent >> 20, (rss_peak - rss_before) >> 10,
                      head != NULL ? head : received->str);
      g_assert_nonnull (head);
      status = g_strdup_printf ("http/1.1 %u ", cases[i].status);
      g_assert_true (g_str_has_prefix (head, status));
      if (!RSS_COUNTS_FREED_MEMORY)
        g_assert_cmpuint (rss_peak - rss_before, <, 8 * 1024);
      else
        g_test_message ("resident memory not checked: AddressSanitizer's quarantine keeps freed memory");
      g_assert_nonnull (strstr (head, "\r\nconnection: close"));
      g_assert_true (closed);
    }

  /* The server is fine afterwards. */
  {
    g_autoptr(GBytes) body = NULL;
    guint status;

    body = lab_test_server_request (fixture, "GET", "/bytes/10", &status, NULL);
    g_assert_cmpuint (status, ==, 200);
    assert_pattern (body, 10);
  }
}

/*
 * Descriptor exhaustion: clients take every descriptor this process may
 * open, so the server's accept() fails (EMFILE). Once they are gone the
 * server must accept again.
 */

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_accept_after_emfile (LabTestServer  *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  struct rlimit saved, low;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = count_open_fds () + 48;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);

  for (;;)
    {
      int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      struct sockaddr_in address = {
        .sin_family = AF_INET,
        .sin_port = g_htons (lab_http_server_get_port (fixture->server)),
        .sin_addr.s_addr = g_htonl (INADDR_LOOPBACK),
      };

      if (fd < 0)
        {
          g_assert_cmpint (errno, ==, EMFILE);
          break;
        }
      g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
      g_array_append_val (fds, fd);
    }

  /* The server tries to accept the last connections, and cannot. */
  g_usleep (300 * 1000);
  g_test_message ("%u client connections filled the table of %u descriptors",
                  fds->len, (guint) low.rlim_cur);
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  g_usleep (300 * 1000);

  session = soup_session_new_with_options ("timeout", 5, "proxy-resolver", NULL, NULL);
  url = lab_test_server_url (fixture, "/bytes/10");
  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  assert_pattern (body, 10);
}

/* A server of its own, with @max_connections and @idle_timeout_s, in the
 * fixture's place. */
static void
restart_with_limits (LabTestServer *fixture,
                     guint          max_connections,
                     guint          idle_timeout_s)
{
  g_autoptr(GError) error = NULL;

  lab_http_server_stop (fixture->server);
  g_object_set (fixture->server,
                "max-connections", max_connections,
                "idle-timeout-s", idle_timeout_s,
                NULL);
  g_assert_true (lab_http_server_start_in_thread (fixture->server, 0, &error));
  g_assert_no_error (error);
}

static void
assert_answered (GString    *received,
                 const char *status_line)
{
  if (!g_str_has_prefix (received->str, status_line))
    g_error ("expected “%s”, received “%s”", status_line, received->str);
}

/* At the cap, a further client waits in the backlog until a connection closes. */
static void
test_connection_cap (LabTestServer  *fixture,
                     gconstpointer  user_data)
{
  static const char request[] = "GET /bytes/5 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  g_autoptr(GString) received = g_string_new (NULL);
  int idle[4];
  gboolean closed;
  int waiting;

  restart_with_limits (fixture, G_N_ELEMENTS (idle), 0);
  g_assert_cmpuint (lab_http_server_get_max_connections (fixture->server), ==, 4);

  for (guint i = 0; i < G_N_ELEMENTS (idle); i++)
    idle[i] = raw_connect (fixture);
  g_usleep (200 * 1000);

  waiting = raw_connect (fixture);
  g_assert_true (raw_send (waiting, request, strlen (request)));
  g_assert_false (raw_receive (waiting, received, 1500, &closed));
  g_assert_false (closed);
  g_assert_cmpuint (received->len, ==, 0);

  /* One idle client goes: the waiting one is served at once. */
  close (idle[0]);
  g_assert_true (raw_receive (waiting, received, 2000, &closed));
  while (raw_receive (waiting, received, 2000, &closed))
    ;
  assert_answered (received, "HTTP/1.1 200 OK\r\n");
  g_assert_true (closed);
  close (waiting);

  for (guint i = 1; i < G_N_ELEMENTS (idle); i++)
    close (idle[i]);
}

/* Idle connections are closed after the time-out; waiting responses are not idle. */
static void
test_idle_timeout (LabTestServer  *fixture,
                   gconstpointer  user_data)
{
  static const char keepalive_request[] = "GET /bytes/5 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  static const char *slow[] = { "/delay/2500", "/drip?bytes=3&duration_ms=2500" };
  g_autoptr(GString) received = g_string_new (NULL);
  gint64 start;
  gboolean closed;
  int fd;

  restart_with_limits (fixture, 0, 1);
  g_assert_cmpuint (lab_http_server_get_idle_timeout_s (fixture->server), ==, 1);

  /* A client that connects and sends nothing. */
  fd = raw_connect (fixture);
  start = g_get_monotonic_time ();
  g_assert_false (raw_receive (fd, received, 5000, &closed));
  g_assert_true (closed);
  g_test_message ("a silent connection closed after %.2f s",
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  close (fd);

  /* A keep-alive connection after its answer. */
  fd = raw_connect (fixture);
  g_assert_true (raw_send (fd, keepalive_request, strlen (keepalive_request)));
  g_assert_true (raw_receive (fd, received, 2000, &closed));
  assert_answered (received, "HTTP/1.1 200 OK\r\n");
  start = g_get_monotonic_time ();
  while (raw_receive (fd, received, 5000, &closed))
    ;
  g_assert_true (closed);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  close (fd);

  /* Responses that wait on a timer longer than the time-out. */
  for (guint i = 0; i < G_N_ELEMENTS (slow); i++)
    {
      g_autoptr(GBytes) body = NULL;
      guint status;

      body = lab_test_server_request (fixture, "GET", slow[i], &status, NULL);
      g_assert_cmpuint (status, ==, 200);
      assert_pattern (body, i == 0 ? 16 : 3);
    }
}

static void
test_connections_for_fd_limit (void)
{
  g_assert_cmpuint (lab_http_server_connections_for_fd_limit (1024), ==, 480);
  g_assert_cmpuint (lab_http_server_connections_for_fd_limit (20000), ==, 9968);
  g_assert_cmpuint (lab_http_server_connections_for_fd_limit (64), ==, 16);
  g_assert_cmpuint (lab_http_server_connections_for_fd_limit (G_MAXUINT64), ==, 65536);
}

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  /* 500 client and 500 server sockets live in this one process. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

#define ADD_SERVER_TEST(path, func) \
  g_test_add (path, LabTestServer, NULL, lab_test_server_set_up, func, lab_test_server_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  raise_fd_limit ();

  g_test_add_func ("/http-server/start-stop", test_start_stop);
  g_test_add_func ("/http-server/main-context-mode", test_main_context_mode);
  g_test_add_func ("/http-server/stop-with-pending", test_stop_with_pending);
  ADD_SERVER_TEST ("/http-server/bytes", test_bytes);
  ADD_SERVER_TEST ("/http-server/bytes-head", test_bytes_head);
  ADD_SERVER_TEST ("/http-server/bytes-range-ignored", test_bytes_range_ignored);
  ADD_SERVER_TEST ("/http-server/max-bytes", test_max_bytes);
  ADD_SERVER_TEST ("/http-server/status", test_status);
  ADD_SERVER_TEST ("/http-server/delay", test_delay);
  ADD_SERVER_TEST ("/http-server/delay-parallel", test_delay_parallel);
  ADD_SERVER_TEST ("/http-server/drip", test_drip);
  ADD_SERVER_TEST ("/http-server/bad-input", test_bad_input);
  ADD_SERVER_TEST ("/http-server/keepalive-latency", test_keepalive_latency);
  ADD_SERVER_TEST ("/http-server/requests-served", test_requests_served);
  ADD_SERVER_TEST ("/http-server/client-gone", test_client_gone);
  ADD_SERVER_TEST ("/http-server/connect-burst", test_connect_burst);
  ADD_SERVER_TEST ("/http-server/keepalive-500", test_keepalive_500);
  ADD_SERVER_TEST ("/http-server/status-no-body-pipelined", test_status_no_body_pipelined);
  ADD_SERVER_TEST ("/http-server/request-body-refused", test_request_body_refused);
  ADD_SERVER_TEST ("/http-server/accept-after-emfile", test_accept_after_emfile);
  ADD_SERVER_TEST ("/http-server/connection-cap", test_connection_cap);
  ADD_SERVER_TEST ("/http-server/idle-timeout", test_idle_timeout);
  g_test_add_func ("/http-server/connections-for-fd-limit", test_connections_for_fd_limit);

  return g_test_run ();
}

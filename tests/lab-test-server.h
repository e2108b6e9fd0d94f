/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "lab-http-server.h"

/*
 * A fixture for tests against the real embedded server on 127.0.0.1,
 * served from its own thread while the test thread blocks in libsoup's
 * synchronous API.
 */
typedef struct
{
  LabHttpServer *server;
  SoupSession   *session;
} LabTestServer;

static inline void
lab_test_server_set_up (LabTestServer *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = lab_http_server_new ();
  g_assert_true (lab_http_server_start_in_thread (fixture->server, 0, &error));
  g_assert_no_error (error);

  /* No proxy: a proxy from the environment must not see loopback tests. */
  fixture->session = soup_session_new_with_options ("max-conns", 64,
                                                    "max-conns-per-host", 64,
                                                    "timeout", 20,
                                                    "proxy-resolver", NULL,
                                                    NULL);
}

static inline void
lab_test_server_tear_down (LabTestServer *fixture,
                           gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  lab_http_server_stop (fixture->server);
  g_assert_finalize_object (fixture->server);
}

/* The server's URL for @path ("/bytes/10"). */
static inline char *
lab_test_server_url (LabTestServer *fixture,
                     const char    *path)
{
  return g_strconcat (lab_http_server_get_base_url (fixture->server), path, NULL);
}

/* Blocking request; returns the body, sets @out_status and, unless NULL,
 * @out_headers. */
static inline GBytes *
lab_test_server_request (LabTestServer       *fixture,
                         const char          *method,
                         const char          *path,
                         guint               *out_status,
                         SoupMessageHeaders **out_headers)
{
  g_autofree char *url = lab_test_server_url (fixture, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  g_assert_nonnull (msg);
  body = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (body);

  *out_status = soup_message_get_status (msg);
  if (out_headers != NULL)
    *out_headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  return body;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * LabHttpServer: the embedded HTTP/1.1 test server (libsoup), bound to
 * 127.0.0.1 only. Endpoints (GET and HEAD):
 *
 *   /delay/<ms>[?bytes=N]           200 after @ms milliseconds, N pattern bytes (default 16)
 *   /bytes/<n>                      200 with @n pattern bytes and a Content-Length
 *   /text/<n>[?doc=I&delay=MS]      200 after MS milliseconds (default 0) with the first @n
 *                                   bytes of the pipeline's document I (default 0), text
 *                                   made of seeded random words (lab_document_fill())
 *   /status/<code>                  that status (200..599), plain-text body
 *   /drip[?bytes=N&duration_ms=D]   N pattern bytes (default 10) spread over D ms
 *                                   (default 1000), chunked transfer encoding
 *   /redirect/<n>                   a chain of n 302 redirects (n <= 1000), then a small 200
 *
 * The pattern is lab_http_server_pattern_byte(): byte i of every body is
 * (i * 31 + 7) & 0xff. Bad numbers answer 400, unknown paths 404. Byte
 * counts above #LabHttpServer:max-bytes answer 400. No endpoint takes a
 * body: other methods answer 405 and requests with a body 413, from their
 * headers, and the connection closes; a body is never kept in memory.
 * No request ever blocks the server's thread.
 *
 * At most #LabHttpServer:max-connections connections are open at once
 * (further clients wait in the backlog), an idle one is closed after
 * #LabHttpServer:idle-timeout-s, and the server keeps accepting after the
 * process ran out of descriptors (lab-http-connections.c).
 */

#define LAB_TYPE_HTTP_SERVER (lab_http_server_get_type ())

G_DECLARE_FINAL_TYPE (LabHttpServer, lab_http_server, LAB, HTTP_SERVER, GObject)

#define LAB_HTTP_SERVER_DEFAULT_MAX_BYTES  (G_GUINT64_CONSTANT (256) * 1024 * 1024)
#define LAB_HTTP_SERVER_MAX_DURATION_MS    (10 * 60 * 1000)
#define LAB_HTTP_SERVER_DEFAULT_IDLE_TIMEOUT_S 30

/* Byte @offset of every response body. */
static inline guint8
lab_http_server_pattern_byte (guint64 offset)
{
  return (guint8) ((offset * 31 + 7) & 0xff);
}

LabHttpServer *lab_http_server_new                 (void);

gboolean       lab_http_server_start               (LabHttpServer  *self,
                                                    guint           port,
                                                    GError        **error);
gboolean       lab_http_server_start_in_thread     (LabHttpServer  *self,
                                                    guint           port,
                                                    GError        **error);
void           lab_http_server_stop                (LabHttpServer  *self);

gboolean       lab_http_server_is_running          (LabHttpServer  *self);
const char    *lab_http_server_get_base_url        (LabHttpServer  *self);
guint          lab_http_server_get_port            (LabHttpServer  *self);
guint64        lab_http_server_get_requests_served (LabHttpServer  *self);

guint64        lab_http_server_get_max_bytes       (LabHttpServer  *self);
void           lab_http_server_set_max_bytes       (LabHttpServer  *self,
                                                    guint64         max_bytes);
guint          lab_http_server_get_max_connections (LabHttpServer  *self);
void           lab_http_server_set_max_connections (LabHttpServer  *self,
                                                    guint           max_connections);
guint          lab_http_server_get_idle_timeout_s  (LabHttpServer  *self);
void           lab_http_server_set_idle_timeout_s  (LabHttpServer  *self,
                                                    guint           idle_timeout_s);

guint          lab_http_server_connections_for_fd_limit (guint64    fd_limit);

G_END_DECLS

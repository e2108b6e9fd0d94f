/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The embedded server's endpoints. */
typedef enum
{
  LAB_HTTP_ENDPOINT_NONE,      /* no such URL: 404 */
  LAB_HTTP_ENDPOINT_DELAY,     /* /delay/<ms>[?bytes=N] */
  LAB_HTTP_ENDPOINT_BYTES,     /* /bytes/<n> */
  LAB_HTTP_ENDPOINT_TEXT,      /* /text/<n>[?doc=I&delay=MS] */
  LAB_HTTP_ENDPOINT_STATUS,    /* /status/<code> */
  LAB_HTTP_ENDPOINT_REDIRECT,  /* /redirect/<n> */
  LAB_HTTP_ENDPOINT_DRIP,      /* /drip[?bytes=N&duration_ms=D] */
} LabHttpEndpoint;

/**
 * LabHttpRequest:
 *
 * What a request to the embedded server asks for: its endpoint and the
 * figures that endpoint takes, each within its range. Figures an
 * endpoint does not take are 0.
 */
typedef struct
{
  LabHttpEndpoint endpoint;
  guint64         bytes;        /* delay, bytes, text, drip: the body's size */
  guint64         delay_ms;     /* delay, text */
  guint64         duration_ms;  /* drip */
  guint64         doc;          /* text: the document */
  guint           status;       /* status: 200–599 */
  guint           hops;         /* redirect: 0–1000 */
} LabHttpRequest;

/* Parses a request's path (as libsoup hands it to a handler) and query
 * (NULL when it has none), with bodies capped at @max_bytes. FALSE with
 * @error set (LAB_ERROR_INVALID_ARGUMENT, the text of a 400 without its
 * final full stop) when a figure is malformed or out of range; a path
 * that is no endpoint's is LAB_HTTP_ENDPOINT_NONE. */
gboolean lab_http_request_parse (const char     *path,
                                 GHashTable     *query,
                                 guint64         max_bytes,
                                 LabHttpRequest *request,
                                 GError        **error);

G_END_DECLS

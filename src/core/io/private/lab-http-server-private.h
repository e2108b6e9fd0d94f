/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "lab-http-server.h"

G_BEGIN_DECLS

/* The object's fields, shared by its lifecycle (lab-http-server.c) and
 * its endpoints (lab-http-endpoints.c). */
struct _LabHttpServer
{
  GObject parent_instance;

  /* g_atomic: read and written from any thread. gsize because GLib has
   * no 64-bit atomics; where gsize is 32 bits the cap saturates at
   * G_MAXSIZE and the count wraps. */
  gsize max_bytes;
  gsize requests_served;

  /* Set by start, cleared by stop; read-only in between. */
  guint port;
  char *base_url;

  /* Owned by the server's context (its thread, in threaded mode). */
  GMainContext *context;
  SoupServer *server;
  GHashTable *pending;          /* set of LabPendingResponse (lab-http-endpoints.c) */

  /* Threaded mode only. */
  GThread *thread;
  GMainLoop *loop;
};

/* lab-http-endpoints.c */

/* Registers the handler of every path: the endpoints, and 404 for any other. */
void        lab_http_server_add_endpoints   (LabHttpServer *self,
                                             SoupServer    *server);
/* A new, empty LabHttpServer:pending; unreffing it drops every waiting response. */
GHashTable *lab_http_server_new_pending_set (void);

G_END_DECLS

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
  guint max_connections;        /* 0: from the limit of open files at start */
  guint idle_timeout_s;         /* 0: none */

  /* Set by start, cleared by stop; read-only in between. */
  guint port;
  char *base_url;

  /* Owned by the server's context (its thread, in threaded mode). */
  GMainContext *context;
  SoupServer *server;
  GHashTable *pending;          /* set of LabPendingResponse (lab-http-endpoints.c) */
  GSocket *listener;            /* lab-http-connections.c */
  GMainContext *parked_context;
  GSource *accept_source;       /* NULL while not accepting */
  GSource *retry_source;        /* while not accepting: when to look again */
  GSource *sweep_source;        /* while some connection is idle */
  GHashTable *connections;      /* remote GSocketAddress → LabHttpConnection */
  guint connection_cap;

  /* Threaded mode only. */
  GThread *thread;
  GMainLoop *loop;
};

/* lab-http-connections.c */

/* Serves @socket, which listens, through @server: accepts connections
 * itself, up to the cap, with the idle time-out, and keeps accepting
 * after an error. Call from the server's context. */
gboolean    lab_http_server_serve_socket       (LabHttpServer  *self,
                                                SoupServer     *server,
                                                GSocket        *socket,
                                                GError        **error);
/* Stops accepting; before soup_server_disconnect(). */
void        lab_http_server_stop_accepting     (LabHttpServer  *self);
/* Lets go of the listening socket and the connections; after it. */
void        lab_http_server_forget_connections (LabHttpServer  *self);

/* lab-http-endpoints.c */

/* Registers the handler of every path: the endpoints, and 404 for any other. */
void        lab_http_server_add_endpoints   (LabHttpServer *self,
                                             SoupServer    *server);
/* A new, empty LabHttpServer:pending; unreffing it drops every waiting response. */
GHashTable *lab_http_server_new_pending_set (void);

G_END_DECLS

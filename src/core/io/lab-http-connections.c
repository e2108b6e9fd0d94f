/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* POLLRDHUP */

#include "config.h"

#include <gio/gnetworking.h>
#include <poll.h>

#include "lab-http-server-private.h"
#include "lab-limits.h"

/*
 * The server's connections. This file accepts them itself and hands each
 * to libsoup (soup_server_accept_iostream()) rather than letting libsoup's
 * listener accept, because with libsoup 3.2 (Debian 12):
 *
 *  - its listener stops watching the socket at the first failed accept()
 *    (soup-listener.c returns G_SOURCE_REMOVE): after one EMFILE the
 *    server accepts nothing ever again;
 *  - nothing caps the number of connections, so idle clients can take
 *    every descriptor of the process;
 *  - no connection ever times out;
 *  - a kept-alive connection whose client goes away while it waits for
 *    the next request is never closed (fixed in libsoup 3.3): every
 *    client that leaves keeps a descriptor of the server.
 *
 * So: an accept error pauses accepting for ACCEPT_RETRY_MS; at the cap
 * further clients wait in the kernel's backlog until a connection closes;
 * each socket has the idle time-out (g_socket_set_timeout(): a read or
 * write that waits longer fails and libsoup closes the connection); and a
 * sweep closes the kept-alive connections whose client has gone or that
 * stayed idle past the time-out. A response waiting on a timer (/delay,
 * /drip) does not wait on its socket, so it is not idle.
 *
 * libsoup keeps a connection alive after a response only while the server
 * has a listener. So the listening socket is given to libsoup as well, with
 * its listener's source attached to a main context that never runs
 * (parked_context): it counts as a listener and never accepts.
 */

/* How long accepting pauses after an error (EMFILE, ENFILE, ENOBUFS…),
 * for descriptors or memory to be freed. */
#define ACCEPT_RETRY_MS 100
/* How often a server at its cap looks for connections closed meanwhile. */
#define FULL_RECHECK_MS 1000
/* Connections accepted per dispatch, so that requests still get served
 * during a burst of connects. */
#define ACCEPT_BATCH 64
/* How often idle kept-alive connections are looked at. */
#define SWEEP_INTERVAL_MS 500

#define MIN_CONNECTIONS 16
#define MAX_CONNECTIONS 65536

/* One accepted connection, from accept() until libsoup lets go of it. */
typedef struct
{
  LabHttpServer *self;
  GIOStream *stream;            /* weak: libsoup owns it */
  GSocket *socket;              /* the stream's */
  GSocketAddress *remote;       /* what soup_server_message_get_remote_address() returns */
  guint requests;               /* in progress */
  guint answered;
  gint64 idle_since_us;         /* when the last request finished */
  gboolean shut;                /* shut down by the sweep, to be closed by the next */
} LabHttpConnection;

/**
 * lab_http_server_connections_for_fd_limit:
 * @fd_limit: a limit of open files (lab_fd_limit_get())
 *
 * The cap of a server whose #LabHttpServer:max-connections is 0: half the
 * descriptors left after %LAB_FD_RESERVE, as the clients downloading from
 * it in the same process need the other half; 480 at a limit of 1024.
 *
 * Returns: a number of simultaneous connections
 */
guint
lab_http_server_connections_for_fd_limit (guint64 fd_limit)
{
  guint64 available = fd_limit > LAB_FD_RESERVE ? fd_limit - LAB_FD_RESERVE : 0;

  return (guint) CLAMP (available / 2, MIN_CONNECTIONS, MAX_CONNECTIONS);
}

static void start_accepting (LabHttpServer *self);
static void on_connection_finalized (gpointer  user_data,
                                     GObject  *where_the_object_was);

/* Connections */

static void
lab_http_connection_free (LabHttpConnection *connection)
{
  if (connection->stream != NULL)
    g_object_weak_unref (G_OBJECT (connection->stream), on_connection_finalized, connection);
  g_object_unref (connection->remote);
  g_free (connection);
}

static LabHttpConnection *
lab_http_connection_new (LabHttpServer     *self,
                         GSocketConnection *stream,
                         GSocketAddress    *remote)
{
  LabHttpConnection *connection = g_new0 (LabHttpConnection, 1);

  connection->self = self;
  connection->stream = G_IO_STREAM (stream);
  connection->socket = g_socket_connection_get_socket (stream);
  connection->remote = g_object_ref (remote);
  g_object_weak_ref (G_OBJECT (stream), on_connection_finalized, connection);
  g_hash_table_insert (self->connections, connection->remote, connection);

  return connection;
}

/* Forgets @connection, whose descriptor is closed; frees it. */
static void
forget_connection (LabHttpConnection *connection)
{
  LabHttpServer *self = connection->self;

  g_hash_table_remove (self->connections, connection->remote);

  /* A descriptor and a place are free: take the next waiting client. */
  if (self->accept_source == NULL && self->listener != NULL)
    start_accepting (self);
}

static void
on_connection_finalized (gpointer  user_data,
                         GObject  *where_the_object_was)
{
  LabHttpConnection *connection = user_data;

  connection->stream = NULL;
  forget_connection (connection);
}

/* The connection @msg came on, if it is one of ours: libsoup hands back
 * the very address object serve_connection() gave it. */
static LabHttpConnection *
lookup_connection (LabHttpServer     *self,
                   SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_hash_table_lookup (self->connections, remote) : NULL;
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  LabHttpConnection *connection = lookup_connection (user_data, msg);

  if (connection != NULL)
    connection->requests++;
}

static void start_sweeping (LabHttpServer *self);

static void
on_request_ended (SoupServer        *server,
                  SoupServerMessage *msg,
                  gpointer           user_data)
{
  LabHttpConnection *connection = lookup_connection (user_data, msg);

  if (connection == NULL || connection->requests == 0)
    return;

  connection->answered++;
  if (--connection->requests == 0)
    {
      connection->idle_since_us = g_get_monotonic_time ();
      start_sweeping (user_data);
    }
}

/* The sweep of idle kept-alive connections */

static gboolean
is_kept_alive_idle (LabHttpConnection *connection)
{
  return connection->answered > 0 && connection->requests == 0 &&
         !g_socket_is_closed (connection->socket);
}

/*
 * Looks at each kept-alive connection waiting for its next request. One
 * whose client has gone (end of file, reset) or that waited past the
 * time-out is shut down, which ends whatever libsoup still does with it;
 * at the next sweep its descriptor is closed if libsoup has not, since
 * libsoup 3.2 leaves such connections open.
 */
static gboolean
sweep_cb (gpointer user_data)
{
  LabHttpServer *self = user_data;
  guint idle_timeout_s = g_atomic_int_get (&self->idle_timeout_s);
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) idle = g_ptr_array_new ();
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (struct pollfd));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LabHttpConnection *connection = value;
      struct pollfd pfd = { .events = POLLRDHUP };

      if (!is_kept_alive_idle (connection))
        continue;
      pfd.fd = g_socket_get_fd (connection->socket);
      g_ptr_array_add (idle, connection);
      g_array_append_val (fds, pfd);
    }

  if (idle->len == 0)
    {
      g_clear_pointer (&self->sweep_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  if (poll ((struct pollfd *) fds->data, fds->len, 0) < 0)
    g_array_set_size (fds, 0);

  for (guint i = 0; i < idle->len; i++)
    {
      LabHttpConnection *connection = g_ptr_array_index (idle, i);
      gboolean gone = i < fds->len &&
                      (g_array_index (fds, struct pollfd, i).revents & (POLLRDHUP | POLLHUP | POLLERR));
      gboolean expired = idle_timeout_s > 0 &&
                         now - connection->idle_since_us >= (gint64) idle_timeout_s * G_USEC_PER_SEC;

      if (connection->shut)
        {
          g_socket_close (connection->socket, NULL);
          forget_connection (connection);
        }
      else if (gone || expired)
        {
          g_socket_shutdown (connection->socket, TRUE, TRUE, NULL);
          connection->shut = TRUE;
        }
    }

  return G_SOURCE_CONTINUE;
}

static void
start_sweeping (LabHttpServer *self)
{
  if (self->sweep_source != NULL || self->listener == NULL)
    return;

  self->sweep_source = g_timeout_source_new (SWEEP_INTERVAL_MS);
  g_source_set_static_name (self->sweep_source, "[lab] http server idle sweep");
  g_source_set_callback (self->sweep_source, sweep_cb, self, NULL);
  g_source_attach (self->sweep_source, self->context);
}

/* Accepting */

static gboolean
retry_cb (gpointer user_data)
{
  LabHttpServer *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  start_accepting (self);

  return G_SOURCE_REMOVE;
}

/* Stops watching the listening socket, and looks again in @delay_ms. */
static void
pause_accepting (LabHttpServer *self,
                 guint          delay_ms)
{
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  if (self->retry_source != NULL)
    return;

  self->retry_source = g_timeout_source_new (delay_ms);
  g_source_set_static_name (self->retry_source, "[lab] http server accept retry");
  g_source_set_callback (self->retry_source, retry_cb, self, NULL);
  g_source_attach (self->retry_source, self->context);
}

static gboolean
is_closed (gpointer key,
           gpointer value,
           gpointer user_data)
{
  LabHttpConnection *connection = value;

  return g_socket_is_closed (connection->socket);
}

/* Whether another connection may be accepted. A connection counts until
 * libsoup lets go of it, or until its socket is found closed. */
static gboolean
has_room (LabHttpServer *self)
{
  if (g_hash_table_size (self->connections) < self->connection_cap)
    return TRUE;

  g_hash_table_foreach_remove (self->connections, is_closed, NULL);
  return g_hash_table_size (self->connections) < self->connection_cap;
}

/* Hands @socket, just accepted, to libsoup. */
static void
serve_connection (LabHttpServer *self,
                  GSocket       *socket)
{
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  /* Without TCP_NODELAY, keep-alive responses (headers and body written
   * separately) can wait ~40 ms for the client's delayed ACK. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    g_debug ("Could not set TCP_NODELAY: %s", error->message);
  g_socket_set_timeout (socket, g_atomic_int_get (&self->idle_timeout_s));

  local = g_socket_get_local_address (socket, NULL);
  remote = g_socket_get_remote_address (socket, NULL);
  if (local == NULL || remote == NULL)
    return;   /* the client is gone already; unreffing closes the socket */

  stream = g_socket_connection_factory_create_connection (socket);
  lab_http_connection_new (self, stream, remote);

  if (!soup_server_accept_iostream (self->server, G_IO_STREAM (stream), local, remote, &error))
    g_debug ("libsoup refused a connection: %s", error->message);
}

static gboolean
on_listener_ready (GSocket      *listener,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  LabHttpServer *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GError) error = NULL;

      if (!has_room (self))
        {
          /* The rest wait in the kernel's backlog until one closes. */
          g_debug ("At the cap of %u connections: not accepting for now", self->connection_cap);
          pause_accepting (self, FULL_RECHECK_MS);
          return G_SOURCE_REMOVE;
        }

      socket = g_socket_accept (listener, NULL, &error);
      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return G_SOURCE_CONTINUE;

          g_debug ("Cannot accept a connection (%s): trying again in %d ms",
                   error->message, ACCEPT_RETRY_MS);
          pause_accepting (self, ACCEPT_RETRY_MS);
          return G_SOURCE_REMOVE;
        }

      serve_connection (self, socket);
    }

  return G_SOURCE_CONTINUE;
}

static void
start_accepting (LabHttpServer *self)
{
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  if (self->accept_source != NULL)
    return;

  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_static_name (self->accept_source, "[lab] http server accept");
  g_source_set_callback (self->accept_source, (GSourceFunc) G_CALLBACK (on_listener_ready),
                         self, NULL);
  g_source_attach (self->accept_source, self->context);
}

/* libsoup's own listener on @socket, parked where it never accepts. */
static gboolean
park_soup_listener (LabHttpServer  *self,
                    SoupServer     *server,
                    GSocket        *socket,
                    GError        **error)
{
  gboolean ok;

  self->parked_context = g_main_context_new ();
  g_main_context_push_thread_default (self->parked_context);
  ok = soup_server_listen_socket (server, socket, 0, error);
  g_main_context_pop_thread_default (self->parked_context);

  return ok;
}

gboolean
lab_http_server_serve_socket (LabHttpServer  *self,
                              SoupServer     *server,
                              GSocket        *socket,
                              GError        **error)
{
  guint max_connections = g_atomic_int_get (&self->max_connections);

  g_assert (self->listener == NULL && self->connections == NULL);

  if (!park_soup_listener (self, server, socket, error))
    {
      g_clear_pointer (&self->parked_context, g_main_context_unref);
      return FALSE;
    }

  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (on_request_ended), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (on_request_ended), self);

  g_socket_set_blocking (socket, FALSE);
  self->listener = g_object_ref (socket);
  self->connections = g_hash_table_new_full (NULL, NULL, NULL,
                                             (GDestroyNotify) lab_http_connection_free);
  self->connection_cap = max_connections != 0
                         ? max_connections
                         : lab_http_server_connections_for_fd_limit (lab_fd_limit_get ());
  start_accepting (self);

  return TRUE;
}

void
lab_http_server_stop_accepting (LabHttpServer *self)
{
  if (self->accept_source != NULL)
    g_source_destroy (self->accept_source);
  if (self->retry_source != NULL)
    g_source_destroy (self->retry_source);
  if (self->sweep_source != NULL)
    g_source_destroy (self->sweep_source);
  g_clear_pointer (&self->accept_source, g_source_unref);
  g_clear_pointer (&self->retry_source, g_source_unref);
  g_clear_pointer (&self->sweep_source, g_source_unref);

  /* Connections that close from now on must not start accepting again. */
  g_clear_object (&self->listener);
}

void
lab_http_server_forget_connections (LabHttpServer *self)
{
  g_assert (self->accept_source == NULL && self->retry_source == NULL && self->sweep_source == NULL);

  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->parked_context, g_main_context_unref);
  self->connection_cap = 0;
}

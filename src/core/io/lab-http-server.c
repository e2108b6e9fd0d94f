/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gnetworking.h>

#include "lab-http-server-private.h"

/* The object: starting and stopping, the server's own thread. How it
 * accepts connections is in lab-http-connections.c, what it answers in
 * lab-http-endpoints.c. */

/* libsoup listens with a backlog of 10: a burst of W > 10 simultaneous
 * connects then loses SYNs and waits a 1 s retransmission, which would
 * distort every download measurement. The kernel caps this at somaxconn. */
#define LISTEN_BACKLOG 4096

G_DEFINE_FINAL_TYPE (LabHttpServer, lab_http_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAX_BYTES,
  PROP_MAX_CONNECTIONS,
  PROP_IDLE_TIMEOUT_S,
  PROP_PORT,
  PROP_BASE_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Lifecycle */

/* A socket listening on 127.0.0.1:@port (0 = ephemeral) with a deep backlog. */
static GSocket *
listen_on_loopback (guint    port,
                    GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);

  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

/* The port @socket listens on: the one asked for, or the one the kernel
 * picked. Read from the socket rather than soup_server_get_uris(): in
 * libsoup 3.2 that caches the address in the listener, which never frees
 * it. */
static guint
get_listening_port (GSocket  *socket,
                    GError  **error)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, error);

  if (address == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

/* Creates the SoupServer and listens; @context must be the thread-default one. */
static gboolean
server_listen (LabHttpServer  *self,
               GMainContext   *context,
               guint           port,
               GError        **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GMainContext) thread_default = g_main_context_ref_thread_default ();

  g_assert (context == thread_default);

  /* The equivalent of soup_server_listen_local (IPV4_ONLY) with a deeper backlog. */
  socket = listen_on_loopback (port, error);
  if (socket == NULL)
    return FALSE;

  port = get_listening_port (socket, error);
  if (port == 0)
    return FALSE;

  server = soup_server_new ("server-header", "concurrency-lab/" PACKAGE_VERSION " ", NULL);
  lab_http_server_add_endpoints (self, server);

  self->context = g_main_context_ref (context);
  self->server = g_object_ref (server);
  if (!lab_http_server_serve_socket (self, server, socket, error))
    {
      g_clear_object (&self->server);
      g_clear_pointer (&self->context, g_main_context_unref);
      return FALSE;
    }

  self->port = port;
  self->base_url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  self->pending = lab_http_server_new_pending_set ();

  return TRUE;
}

/* Runs on the server's context: drops waiting responses and closes everything. */
static void
server_teardown (LabHttpServer *self)
{
  g_clear_pointer (&self->pending, g_hash_table_unref);
  lab_http_server_stop_accepting (self);

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  lab_http_server_forget_connections (self);
}

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  LabHttpServer *self;
  GMainContext *context;
  guint port;

  GMutex lock;
  GCond cond;
  gboolean done;
  gboolean ok;
  GError *error;
} LabServerStartup;

/* Hands server_listen()'s outcome, and @error, to run_server_thread(). */
static void
startup_report (LabServerStartup *startup,
                gboolean          ok,
                GError           *error)
{
  g_mutex_lock (&startup->lock);
  startup->ok = ok;
  startup->error = error;
  startup->done = TRUE;
  g_cond_signal (&startup->cond);
  g_mutex_unlock (&startup->lock);
}

/* Serves until stop() quits the loop, then closes everything from this thread. */
static void
serve_until_stopped (LabHttpServer *self,
                     GMainContext  *context)
{
  g_main_loop_run (self->loop);
  server_teardown (self);

  /* Let libsoup's own idle and completion sources run out. */
  for (guint i = 0; i < 100 && g_main_context_iteration (context, FALSE); i++)
    ;
}

static gpointer
server_thread_main (gpointer user_data)
{
  LabServerStartup *startup = user_data;
  LabHttpServer *self = startup->self;
  GMainContext *context = startup->context;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (context);

  ok = server_listen (self, context, startup->port, &error);
  startup_report (startup, ok, error);
  /* @startup belongs to the caller again from here. */

  if (ok)
    serve_until_stopped (self, context);

  g_main_context_pop_thread_default (context);

  return NULL;
}

/* Starts the server's thread and waits until it listens or failed to. */
static gboolean
run_server_thread (LabHttpServer  *self,
                   GMainContext   *context,
                   guint           port,
                   GError        **error)
{
  LabServerStartup startup = { .self = self, .context = context, .port = port };

  g_mutex_init (&startup.lock);
  g_cond_init (&startup.cond);

  self->thread = g_thread_try_new ("lab-http-server", server_thread_main, &startup, error);
  if (self->thread != NULL)
    {
      g_mutex_lock (&startup.lock);
      while (!startup.done)
        g_cond_wait (&startup.cond, &startup.lock);
      g_mutex_unlock (&startup.lock);
    }

  g_mutex_clear (&startup.lock);
  g_cond_clear (&startup.cond);

  if (startup.error != NULL)
    g_propagate_error (error, startup.error);

  return startup.ok;
}

/* Quits the server's loop and joins its thread, which closes everything. */
static void
stop_server_thread (LabHttpServer *self)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Quit from inside the loop: a quit before g_main_loop_run() would be lost. */
  g_source_set_callback (source, quit_loop_cb, self->loop, NULL);
  g_source_attach (source, self->context);
  g_clear_pointer (&self->thread, g_thread_join);
  g_clear_pointer (&self->loop, g_main_loop_unref);
}

static gboolean
check_not_running (LabHttpServer  *self,
                   guint           port,
                   GError        **error)
{
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->base_url == NULL && self->thread == NULL)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               "The HTTP server is already running on %s", self->base_url);
  return FALSE;
}

static void
notify_address (LabHttpServer *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

/**
 * lab_http_server_new:
 *
 * Returns: (transfer full): a stopped server
 */
LabHttpServer *
lab_http_server_new (void)
{
  return g_object_new (LAB_TYPE_HTTP_SERVER, NULL);
}

/**
 * lab_http_server_start:
 * @port: TCP port on 127.0.0.1, or 0 for an ephemeral one
 *
 * Listens on 127.0.0.1 and serves from the thread-default main context of
 * the caller, which must keep iterating it. Stop it from the same thread.
 */
gboolean
lab_http_server_start (LabHttpServer  *self,
                       guint           port,
                       GError        **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), FALSE);

  if (!check_not_running (self, port, error))
    return FALSE;

  context = g_main_context_ref_thread_default ();
  if (!server_listen (self, context, port, error))
    return FALSE;

  notify_address (self);
  return TRUE;
}

/**
 * lab_http_server_start_in_thread:
 * @port: TCP port on 127.0.0.1, or 0 for an ephemeral one
 *
 * Like lab_http_server_start(), but serves from a dedicated thread with its
 * own main context, so it answers while the caller blocks. Returns once the
 * server listens (or failed to).
 */
gboolean
lab_http_server_start_in_thread (LabHttpServer  *self,
                                 guint           port,
                                 GError        **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), FALSE);

  if (!check_not_running (self, port, error))
    return FALSE;

  /* server_listen() takes its own reference to the context on success. */
  context = g_main_context_new ();
  self->loop = g_main_loop_new (context, FALSE);

  if (!run_server_thread (self, context, port, error))
    {
      g_clear_pointer (&self->thread, g_thread_join);
      g_clear_pointer (&self->loop, g_main_loop_unref);
      return FALSE;
    }

  notify_address (self);
  return TRUE;
}

/**
 * lab_http_server_stop:
 *
 * Closes the listener and every connection; waiting responses are dropped.
 * Joins the server thread in threaded mode. Does nothing when stopped.
 */
void
lab_http_server_stop (LabHttpServer *self)
{
  gboolean was_running;

  g_return_if_fail (LAB_IS_HTTP_SERVER (self));

  was_running = self->base_url != NULL;

  if (self->thread != NULL)
    stop_server_thread (self);
  else
    server_teardown (self);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->base_url, g_free);
  self->port = 0;

  if (was_running)
    notify_address (self);
}

gboolean
lab_http_server_is_running (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), FALSE);

  return self->base_url != NULL;
}

/**
 * lab_http_server_get_base_url:
 *
 * Returns: (nullable): "http://127.0.0.1:PORT" (no trailing slash), or %NULL when stopped
 */
const char *
lab_http_server_get_base_url (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), NULL);

  return self->base_url;
}

guint
lab_http_server_get_port (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), 0);

  return self->port;
}

/**
 * lab_http_server_get_requests_served:
 *
 * Returns: how many requests reached a handler since the object was created
 * (safe from any thread)
 */
guint64
lab_http_server_get_requests_served (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), 0);

  return g_atomic_pointer_get (&self->requests_served);
}

guint64
lab_http_server_get_max_bytes (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), 0);

  return g_atomic_pointer_get (&self->max_bytes);
}

/* Takes effect for the next request, from any thread. */
void
lab_http_server_set_max_bytes (LabHttpServer *self,
                               guint64        max_bytes)
{
  gsize cap = (gsize) MIN (max_bytes, G_MAXSIZE);

  g_return_if_fail (LAB_IS_HTTP_SERVER (self));

  if ((gsize) g_atomic_pointer_exchange (&self->max_bytes, cap) != cap)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BYTES]);
}

guint
lab_http_server_get_max_connections (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), 0);

  return g_atomic_int_get (&self->max_connections);
}

/* Takes effect at the next start. */
void
lab_http_server_set_max_connections (LabHttpServer *self,
                                     guint          max_connections)
{
  g_return_if_fail (LAB_IS_HTTP_SERVER (self));

  if ((guint) g_atomic_int_exchange (&self->max_connections, max_connections) != max_connections)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONNECTIONS]);
}

guint
lab_http_server_get_idle_timeout_s (LabHttpServer *self)
{
  g_return_val_if_fail (LAB_IS_HTTP_SERVER (self), 0);

  return g_atomic_int_get (&self->idle_timeout_s);
}

/* Takes effect for the next connection, from any thread. */
void
lab_http_server_set_idle_timeout_s (LabHttpServer *self,
                                    guint          idle_timeout_s)
{
  g_return_if_fail (LAB_IS_HTTP_SERVER (self));

  if ((guint) g_atomic_int_exchange (&self->idle_timeout_s, idle_timeout_s) != idle_timeout_s)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT_S]);
}

/* GObject */

static void
lab_http_server_dispose (GObject *object)
{
  LabHttpServer *self = LAB_HTTP_SERVER (object);

  lab_http_server_stop (self);

  G_OBJECT_CLASS (lab_http_server_parent_class)->dispose (object);
}

static void
lab_http_server_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LabHttpServer *self = LAB_HTTP_SERVER (object);

  switch (prop_id)
    {
    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, lab_http_server_get_max_bytes (self));
      break;

    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, lab_http_server_get_max_connections (self));
      break;

    case PROP_IDLE_TIMEOUT_S:
      g_value_set_uint (value, lab_http_server_get_idle_timeout_s (self));
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_http_server_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LabHttpServer *self = LAB_HTTP_SERVER (object);

  switch (prop_id)
    {
    case PROP_MAX_BYTES:
      lab_http_server_set_max_bytes (self, g_value_get_uint64 (value));
      break;

    case PROP_MAX_CONNECTIONS:
      lab_http_server_set_max_connections (self, g_value_get_uint (value));
      break;

    case PROP_IDLE_TIMEOUT_S:
      lab_http_server_set_idle_timeout_s (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_http_server_class_init (LabHttpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lab_http_server_dispose;
  object_class->get_property = lab_http_server_get_property;
  object_class->set_property = lab_http_server_set_property;

  /**
   * LabHttpServer:max-bytes:
   *
   * The largest body /bytes, /delay?bytes= and /drip?bytes= will send.
   */
  properties[PROP_MAX_BYTES] =
    g_param_spec_uint64 ("max-bytes", NULL, NULL,
                         0, G_MAXUINT64, LAB_HTTP_SERVER_DEFAULT_MAX_BYTES,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LabHttpServer:max-connections:
   *
   * How many connections the server holds at once; further clients wait
   * in the listening socket's backlog. 0: derived from the limit of open
   * files when the server starts (lab_http_server_connections_for_fd_limit()).
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LabHttpServer:idle-timeout-s:
   *
   * A connection whose socket waits this long to be read from or written
   * to is closed: a client that sends nothing, keeps an idle keep-alive
   * connection or stops reading. Responses waiting on a timer (/delay,
   * /drip) do not count as waiting. 0: never.
   */
  properties[PROP_IDLE_TIMEOUT_S] =
    g_param_spec_uint ("idle-timeout-s", NULL, NULL,
                       0, G_MAXUINT, LAB_HTTP_SERVER_DEFAULT_IDLE_TIMEOUT_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lab_http_server_init (LabHttpServer *self)
{
  self->max_bytes = LAB_HTTP_SERVER_DEFAULT_MAX_BYTES;
  self->idle_timeout_s = LAB_HTTP_SERVER_DEFAULT_IDLE_TIMEOUT_S;
}

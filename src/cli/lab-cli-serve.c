/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "lab-cli.h"
#include "lab-http-server.h"
#include "lab-parse.h"

static void
quit_loop_on_cancel (GCancellable *cancellable,
                     GMainLoop    *loop)
{
  g_main_loop_quit (loop);
}

int
lab_cli_serve (int    argc,
               char **argv)
{
  g_autofree char *port_text = NULL;
  g_autofree char *max_bytes_text = NULL;
  g_autofree char *max_connections_text = NULL;
  g_autofree char *idle_timeout_text = NULL;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text,
      N_("TCP port on 127.0.0.1, 0 to 65535 (default 0: pick a free one)"), "N" },
    { "max-bytes", 0, 0, G_OPTION_ARG_STRING, &max_bytes_text,
      N_("Largest body the server sends (default 268435456 = 256 MiB)"), N_("BYTES") },
    { "max-connections", 0, 0, G_OPTION_ARG_STRING, &max_connections_text,
      N_("Connections held at once, more clients wait (default: half the files this process may open)"), "N" },
    { "idle-timeout-s", 0, 0, G_OPTION_ARG_STRING, &idle_timeout_text,
      N_("Close a connection idle this long, 0 for never (default 30)"), N_("SECONDS") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LabHttpServer) server = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint64 port = 0;
  guint64 max_bytes = LAB_HTTP_SERVER_DEFAULT_MAX_BYTES;
  guint64 max_connections = 0;
  guint64 idle_timeout_s = LAB_HTTP_SERVER_DEFAULT_IDLE_TIMEOUT_S;
  gulong cancelled_id;
  int exit_code;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Runs the embedded HTTP test server on 127.0.0.1 until interrupted."));
  g_option_context_set_description (context,
                                    _("Endpoints (GET and HEAD):\n"
                                      "  /delay/<ms>[?bytes=N]          200 after ms milliseconds\n"
                                      "  /bytes/<n>                     n deterministic bytes\n"
                                      "  /status/<code>                 that status (200..599)\n"
                                      "  /drip?bytes=N&duration_ms=D    N bytes spread over D ms\n"
                                      "  /redirect/<n>                  n redirects, then 200\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);

  if (argc > 1)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s” (see --help)"), argv[1]);

  if ((port_text != NULL &&
       !lab_parse_uint64 ("--port", port_text, 0, G_MAXUINT16, &port, &error)) ||
      (max_bytes_text != NULL &&
       !lab_parse_uint64 ("--max-bytes", max_bytes_text, 0, G_MAXUINT64, &max_bytes, &error)) ||
      (max_connections_text != NULL &&
       !lab_parse_uint64 ("--max-connections", max_connections_text, 1, G_MAXINT, &max_connections, &error)) ||
      (idle_timeout_text != NULL &&
       !lab_parse_uint64 ("--idle-timeout-s", idle_timeout_text, 0, 86400, &idle_timeout_s, &error)))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);

  server = lab_http_server_new ();
  lab_http_server_set_max_bytes (server, max_bytes);
  lab_http_server_set_max_connections (server, max_connections);
  lab_http_server_set_idle_timeout_s (server, idle_timeout_s);

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (quit_loop_on_cancel),
                                        loop, NULL);
  /* Before the URL is printed: a script may signal as soon as it reads it. */
  lab_cli_install_signals (cancellable);

  /* Serves from the default main context, which the loop below iterates. */
  if (lab_http_server_start (server, port, &error))
    {
      /* Not translated: scripts read this line for the URL. */
      g_print ("Serving on %s\n", lab_http_server_get_base_url (server));
      fflush (stdout);

      if (!g_cancellable_is_cancelled (cancellable))
        g_main_loop_run (loop);

      exit_code = LAB_CLI_EXIT_OK;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      exit_code = lab_cli_fail (LAB_CLI_EXIT_FAILED,
                                _("port %u on 127.0.0.1 is already in use "
                                  "(use --port 0 for a free one)"), (guint) port);
    }
  else
    {
      exit_code = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("cannot start the server: %s"),
                                error->message);
    }

  lab_cli_uninstall_signals ();
  g_cancellable_disconnect (cancellable, cancelled_id);
  lab_http_server_stop (server);

  return exit_code;
}

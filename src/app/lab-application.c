/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-application.h"
#include "lab-history.h"
#include "lab-http-server.h"
#include "lab-stall-benchmark.h"
#include "lab-window.h"

struct _LabApplication
{
  AdwApplication  parent_instance;

  LabHttpServer  *server;

  /* Every run the window starts is kept here; NULL, with the reason, when
   * it cannot be opened (the runs still work). */
  LabHistory     *history;
  char           *history_error;

  /* --benchmark-stalls: measure, print JSON, quit */
  gboolean        benchmark_stalls;
  int             exit_status;
};

G_DEFINE_FINAL_TYPE (LabApplication, lab_application, ADW_TYPE_APPLICATION)

LabApplication *
lab_application_new (void)
{
  /* The resources live under the base ID's path in every build, the
   * development one (APP_ID ending in .Devel) included. */
  return g_object_new (LAB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/concurrencylab/ConcurrencyLab",
                       NULL);
}

/**
 * lab_application_get_exit_status:
 *
 * Returns: the status the process should exit with once the application
 *   has run: non-zero when a benchmark failed
 */
int
lab_application_get_exit_status (LabApplication *self)
{
  g_return_val_if_fail (LAB_IS_APPLICATION (self), 1);
  return self->exit_status;
}

/**
 * lab_application_get_server_base_url:
 *
 * Returns: (transfer none) (nullable): the embedded HTTP server's base URL,
 *   NULL when it could not be started
 */
const char *
lab_application_get_server_base_url (LabApplication *self)
{
  g_return_val_if_fail (LAB_IS_APPLICATION (self), NULL);

  if (self->server == NULL || !lab_http_server_is_running (self->server))
    return NULL;
  return lab_http_server_get_base_url (self->server);
}

static void
lab_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  LabApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing the windows lets them save their state. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
lab_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  LabApplication *self = user_data;
  static const char *developers[] = { "The Concurrency Lab contributors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "application-name", _("Concurrency Lab"),
                        /* Installed under the base ID in every build. */
                        "application-icon", BASE_APP_ID,
                        "developer-name", _("The Concurrency Lab contributors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("See and measure sequential code, threads, processes and an event loop on your own machine."),
                        "website", "https://github.com/concurrencylab/concurrency-lab",
                        "issue-url", "https://github.com/concurrencylab/concurrency-lab/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: replace with your name and e-mail, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
lab_application_shortcuts_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  LabApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* GtkApplication loads gtk/help-overlay.ui from the resource base path
   * into every GtkApplicationWindow. */
  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", lab_application_quit_action },
  { "about", lab_application_about_action },
  { "shortcuts", lab_application_shortcuts_action },
};

static void
lab_application_startup (GApplication *app)
{
  LabApplication *self = LAB_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (lab_application_parent_class)->startup (app);

  /* Run from the build tree (meson devenv), the icon is not installed:
   * find it in the source tree. */
  if (g_getenv ("CONCURRENCY_LAB_ICON_DIR") != NULL)
    gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    g_getenv ("CONCURRENCY_LAB_ICON_DIR"));

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts",
                                         (const char *[]) { "<Control>question", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         (const char *[]) { "<Control>w", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.start",
                                         (const char *[]) { "<Control>Return", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page(uint32 0)",
                                         (const char *[]) { "<Alt>1", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page(uint32 1)",
                                         (const char *[]) { "<Alt>2", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page(uint32 2)",
                                         (const char *[]) { "<Alt>3", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page(uint32 3)",
                                         (const char *[]) { "<Alt>4", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.page(uint32 4)",
                                         (const char *[]) { "<Alt>5", NULL });

  /* One embedded server for the application's lifetime, on a thread of its
   * own so that a busy window never delays a response. */
  self->server = lab_http_server_new ();
  if (!lab_http_server_start_in_thread (self->server, 0, &error))
    g_warning ("The built-in HTTP server could not start: %s", error->message);
  g_clear_error (&error);

  /* Opened once: a damaged database is moved aside and replaced (the
   * window says so); one that cannot be had at all leaves the runs
   * unrecorded, not the application unable to start. */
  self->history = lab_history_open (NULL, &error);
  if (self->history == NULL)
    {
      g_warning ("The run history could not be opened: %s", error->message);
      self->history_error = g_strdup (error->message);
    }
  else if (lab_history_get_recovery_message (self->history) != NULL)
    g_message ("%s", lab_history_get_recovery_message (self->history));
}

static void
lab_application_shutdown (GApplication *app)
{
  LabApplication *self = LAB_APPLICATION (app);

  if (self->server != NULL)
    lab_http_server_stop (self->server);

  G_APPLICATION_CLASS (lab_application_parent_class)->shutdown (app);
}

static void
benchmark_stalls_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LabApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  json = lab_stall_benchmark_run_finish (LAB_EXPERIMENT_PAGE (object), result, &error);
  if (json != NULL)
    g_print ("%s\n", json);
  else
    {
      g_printerr ("concurrency-lab: the stall benchmark failed: %s\n", error->message);
      self->exit_status = 1;
    }
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static void
lab_application_activate (GApplication *app)
{
  LabApplication *self = LAB_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  gboolean fresh = window == NULL;

  if (window == NULL)
    window = GTK_WINDOW (lab_window_new (GTK_APPLICATION (self),
                                          lab_application_get_server_base_url (self),
                                          self->history, self->history_error));
  gtk_window_present (window);

  if (fresh && self->benchmark_stalls)
    {
      LabPage *page = lab_window_show_page (LAB_WINDOW (window), "cpu-kernels");

      lab_stall_benchmark_run_async (LAB_EXPERIMENT_PAGE (page), NULL, benchmark_stalls_cb, g_object_ref (self));
    }
}

static int
lab_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  LabApplication *self = LAB_APPLICATION (app);

  if (g_variant_dict_contains (options, "benchmark-stalls"))
    {
      /* A measurement of this process's own window: never hand it over
       * to an instance that is already running. */
      self->benchmark_stalls = TRUE;
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }
  return -1;
}

static void
lab_application_dispose (GObject *object)
{
  LabApplication *self = LAB_APPLICATION (object);

  g_clear_object (&self->server);
  g_clear_object (&self->history);
  g_clear_pointer (&self->history_error, g_free);

  G_OBJECT_CLASS (lab_application_parent_class)->dispose (object);
}

static void
lab_application_class_init (LabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lab_application_dispose;

  app_class->startup = lab_application_startup;
  app_class->shutdown = lab_application_shutdown;
  app_class->activate = lab_application_activate;
  app_class->handle_local_options = lab_application_handle_local_options;
}

static void
lab_application_init (LabApplication *self)
{
  static const GOptionEntry entries[] = {
    /* For developers (see README, "Benchmark"): not in --help. */
    { "benchmark-stalls", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL,
      "Run CPU kernels in threads and processes, print the window's main-loop stalls as JSON, quit", NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include "lab-cli.h"
#include "lab-limits.h"

typedef struct
{
  const char *name;
  int       (*func) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "run", lab_cli_run, N_("Run an experiment: a workload in several modes and worker counts") },
  { "serve", lab_cli_serve, N_("Run the embedded HTTP test server until interrupted") },
  { "info", lab_cli_info, N_("Print facts about this machine") },
  { "overheads", lab_cli_overheads, N_("Measure the costs and traps of threads and processes") },
  { "claims", lab_cli_claims, N_("Check the articles' claims by measurement, with a verdict for each") },
  { "bench", lab_cli_bench, N_("Measure the engine's own costs (dispatch, spawn, scaling)") },
  { "history", lab_cli_history, N_("List, show, export and delete the runs recorded in the history") },
};

static guint signal_sources[2];

gboolean
lab_cli_check_output_path (const char  *option,
                           const char  *path,
                           GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      /* Translators: "--csv: “/tmp” is a folder; give a file name" */
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, _("%s: “%s” is a folder; give a file name"),
                   option, path);
      return FALSE;
    }
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR) || access (folder, W_OK | X_OK) != 0)
    {
      /* Translators: "--csv: cannot write into “/nonexistent”; …" */
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES,
                   _("%s: cannot write into “%s”; choose a folder that exists and is writable"), option, folder);
      return FALSE;
    }
  return TRUE;
}

gboolean
lab_cli_check_csv_path (const char  *path,
                        GError     **error)
{
  return lab_cli_check_output_path ("--csv", path, error);
}

int
lab_cli_fail (int         code,
              const char *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("concurrency-lab-cli: %s\n", message);
  return code;
}

static gboolean
on_signal (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  g_printerr ("\n%s\n", _("Interrupted: stopping…"));
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

void
lab_cli_install_signals (GCancellable *cancellable)
{
  signal_sources[0] = g_unix_signal_add_full (G_PRIORITY_HIGH, SIGINT, on_signal,
                                              g_object_ref (cancellable), g_object_unref);
  signal_sources[1] = g_unix_signal_add_full (G_PRIORITY_HIGH, SIGTERM, on_signal,
                                              g_object_ref (cancellable), g_object_unref);
}

void
lab_cli_uninstall_signals (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_clear_handle_id (&signal_sources[i], g_source_remove);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  concurrency-lab-cli COMMAND [OPTION…]\n\n%s\n", _("Usage:"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “concurrency-lab-cli COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* 512 workers downloading from the embedded server need over 1024. */
  lab_fd_limit_raise ();

  if (argc < 2)
    {
      print_usage (stderr);
      return LAB_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return LAB_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("concurrency-lab-cli %s\n", PACKAGE_VERSION);
      return LAB_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *prgname = g_strdup_printf ("concurrency-lab-cli %s", commands[i].name);
        int status;

        g_set_prgname (prgname);
        argv[1] = prgname;
        status = commands[i].func (argc - 1, argv + 1);
        lab_cli_uninstall_signals ();
        return status;
      }

  print_usage (stderr);
  return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unknown command “%s”; accepted: run, serve, info, overheads, claims, bench, history"), argv[1]);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "lab-cli.h"
#include "lab-error.h"
#include "lab-export.h"
#include "lab-format.h"
#include "lab-history.h"
#include "lab-json.h"

/*
 * concurrency-lab-cli history list|show ID|export ID --csv FILE|delete ID:
 * the runs recorded by `run` (and by the window), read back.
 */

typedef struct
{
  gboolean  json;
  char     *csv;
  char     *spans_csv;
} HistoryOptions;

static void
history_options_clear (HistoryOptions *o)
{
  g_free (o->csv);
  g_free (o->spans_csv);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HistoryOptions, history_options_clear)

/**
 * lab_cli_open_history:
 *
 * Opens the history and says on stderr what its opening had to repair.
 *
 * Returns: (transfer full) (nullable): the history, or %NULL with @error set
 */
LabHistory *
lab_cli_open_history (GError **error)
{
  LabHistory *history = lab_history_open (NULL, error);

  if (history != NULL && lab_history_get_recovery_message (history) != NULL)
    /* Translators: %s says what was wrong with the history and where the old file is now */
    g_printerr (_("Warning: %s\n"), lab_history_get_recovery_message (history));
  return history;
}

/* A run that is not there: say where to find the ones that are. */
static int
fail_for (GError *error)
{
  if (g_error_matches (error, LAB_ERROR, LAB_ERROR_NOT_FOUND))
    /* Translators: %s is "The run history has no run 12" */
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s; concurrency-lab-cli history list shows the runs it has"),
                         error->message);
  return lab_cli_fail (LAB_CLI_EXIT_FAILED, "%s", error->message);
}

/* "2025-01-31 13:05:12" in local time */
static char *
format_local (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static char *
format_speedup (LabHistoryEntry *entry)
{
  double speedup = lab_history_entry_get_best_speedup (entry);

  if (!isfinite (speedup))
    return g_strdup (LAB_FORMAT_NONE);
  return g_strdup_printf ("%.2f× %s", speedup, lab_history_entry_get_best_variant (entry));
}

static void
add_entry_members (JsonBuilder     *builder,
                   LabHistoryEntry *entry)
{
  g_autofree char *started = g_date_time_format_iso8601 (lab_history_entry_get_started_at (entry));

  lab_json_add_int (builder, "id", lab_history_entry_get_id (entry));
  lab_json_add_string (builder, "run_id", lab_history_entry_get_run_id (entry));
  lab_json_add_string (builder, "started_at", started);
  lab_json_add_string (builder, "status", lab_history_status_to_string (lab_history_entry_get_status (entry)));
  lab_json_add_double (builder, "runtime_s", lab_history_entry_get_runtime_s (entry));
  lab_json_add_string (builder, "workload", lab_history_entry_get_workload (entry));
  lab_json_add_string (builder, "settings", lab_history_entry_get_settings (entry));
  lab_json_add_string (builder, "modes", lab_history_entry_get_modes (entry));
  lab_json_add_string (builder, "workers", lab_history_entry_get_workers (entry));
  lab_json_add_int (builder, "repetitions_done", lab_history_entry_get_repetitions_done (entry));
  lab_json_add_int (builder, "repetitions_total", lab_history_entry_get_repetitions_total (entry));
  lab_json_add_int (builder, "failed_tasks", lab_history_entry_get_failed_tasks (entry));
  lab_json_add_double (builder, "best_speedup", lab_history_entry_get_best_speedup (entry));
  lab_json_add_string (builder, "best_variant", lab_history_entry_get_best_variant (entry));
  lab_json_add_string (builder, "error", lab_history_entry_get_error (entry));
  lab_json_add_int (builder, "host_cpus", lab_history_entry_get_host_cpus (entry));
  lab_json_add_string (builder, "cpu_model", lab_history_entry_get_cpu_model (entry));
  lab_json_add_string (builder, "app_version", lab_history_entry_get_app_version (entry));
}

static int
history_list (LabHistory     *history,
              HistoryOptions *o)
{
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  entries = lab_history_list (history, &error);
  if (entries == NULL)
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, "%s", error->message);
  n = g_list_model_get_n_items (entries);

  if (o->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LabHistoryEntry) entry = g_list_model_get_item (entries, i);

          json_builder_begin_object (builder);
          add_entry_members (builder, entry);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      text = lab_json_to_string (builder, TRUE);
      g_print ("%s\n", text);
      return LAB_CLI_EXIT_OK;
    }

  if (n == 0)
    {
      g_print (_("No run is recorded in %s yet.\n"), lab_history_get_path (history));
      return LAB_CLI_EXIT_OK;
    }
  g_print ("%6s  %-19s  %-11s  %-14s  %-32s  %-8s  %9s  %s\n", _("id"), _("started"), _("status"), _("workload"),
           _("modes"), _("workers"), _("reps"), _("best speed-up"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabHistoryEntry) entry = g_list_model_get_item (entries, i);
      g_autofree char *started = format_local (lab_history_entry_get_started_at (entry));
      g_autofree char *reps = g_strdup_printf ("%u/%u", lab_history_entry_get_repetitions_done (entry),
                                               lab_history_entry_get_repetitions_total (entry));
      g_autofree char *speedup = format_speedup (entry);

      g_print ("%6" G_GINT64_FORMAT "  %-19s  %-11s  %-14s  %-32s  %-8s  %9s  %s\n",
               lab_history_entry_get_id (entry), started,
               lab_history_status_to_string (lab_history_entry_get_status (entry)),
               lab_history_entry_get_workload (entry), lab_history_entry_get_modes (entry),
               lab_history_entry_get_workers (entry), reps, speedup);
    }
  return LAB_CLI_EXIT_OK;
}

/* What each status means, for `history show` */
static const char *
explain_status (LabHistoryStatus status)
{
  switch (status)
    {
    case LAB_HISTORY_RUNNING:
      return _("a program is running it now");
    case LAB_HISTORY_FINISHED:
      return _("it ran to its end");
    case LAB_HISTORY_CANCELLED:
      return _("it was stopped; its completed repetitions are kept");
    case LAB_HISTORY_FAILED:
      return _("it stopped on an error; its completed repetitions are kept");
    case LAB_HISTORY_INTERRUPTED:
      return _("its program ended before the run did (killed or crashed); its completed repetitions are kept");
    default:
      g_return_val_if_reached ("");
    }
}

static void
print_entry (LabHistoryEntry *entry)
{
  LabHistoryStatus status = lab_history_entry_get_status (entry);
  g_autofree char *started = format_local (lab_history_entry_get_started_at (entry));
  g_autofree char *runtime = lab_format_duration (lab_history_entry_get_runtime_s (entry));
  g_autofree char *speedup = format_speedup (entry);

  /* Translators: "Run 12 (run_id 0b6c…)" */
  g_print (_("Run %lld (run_id %s)\n"), (long long) lab_history_entry_get_id (entry),
           lab_history_entry_get_run_id (entry));
  g_print ("%-16s %s\n", _("Started"), started);
  g_print ("%-16s %s: %s\n", _("Status"), lab_history_status_to_string (status), explain_status (status));
  if (lab_history_entry_get_error (entry) != NULL)
    g_print ("%-16s %s\n", _("Error"), lab_history_entry_get_error (entry));
  /* Translators: how long the run took */
  g_print ("%-16s %s\n", C_("duration", "Runtime"), runtime);
  g_print ("%-16s %s (%s)\n", _("Settings"), lab_history_entry_get_settings (entry),
           lab_history_entry_get_workload (entry));
  g_print ("%-16s %s\n", _("Modes"), lab_history_entry_get_modes (entry));
  g_print ("%-16s %s\n", _("Workers"), lab_history_entry_get_workers (entry));
  /* Translators: "4 of 21 completed" */
  g_print ("%-16s ", _("Repetitions"));
  g_print (_("%u of %u completed\n"), lab_history_entry_get_repetitions_done (entry),
           lab_history_entry_get_repetitions_total (entry));
  g_print ("%-16s %s\n", _("Best speed-up"), speedup);
  /* Translators: "2 CPUs, Intel(R) Core(TM) i5, Concurrency Lab 0.1.0" */
  g_print ("%-16s ", _("Machine"));
  g_print (ngettext ("%u CPU, %s, Concurrency Lab %s\n", "%u CPUs, %s, Concurrency Lab %s\n",
                     lab_history_entry_get_host_cpus (entry)),
           lab_history_entry_get_host_cpus (entry), lab_history_entry_get_cpu_model (entry),
           lab_history_entry_get_app_version (entry));
  g_print ("\n");
}

static int
history_show (LabHistory     *history,
              gint64          id,
              HistoryOptions *o)
{
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;

  entry = lab_history_get_entry (history, id, &error);
  if (entry != NULL)
    run = lab_history_load_run (history, id, &error);
  if (run == NULL)
    return fail_for (error);

  if (o->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *results = lab_export_json (run, FALSE);
      g_autofree char *text = NULL;

      if (!json_parser_load_from_data (parser, results, -1, &error))
        return lab_cli_fail (LAB_CLI_EXIT_FAILED, "%s", error->message);
      json_builder_begin_object (builder);
      add_entry_members (builder, entry);
      json_builder_set_member_name (builder, "results");
      json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
      json_builder_end_object (builder);
      text = lab_json_to_string (builder, TRUE);
      g_print ("%s\n", text);
      return LAB_CLI_EXIT_OK;
    }

  print_entry (entry);
  lab_cli_print_run_table (run);
  return LAB_CLI_EXIT_OK;
}

static int
history_export (LabHistory     *history,
                gint64          id,
                HistoryOptions *o)
{
  g_autoptr(GError) error = NULL;

  if (!lab_history_export_csv (history, id, o->csv, o->spans_csv, &error))
    return fail_for (error);
  return LAB_CLI_EXIT_OK;
}

static int
history_delete (LabHistory *history,
                gint64      id)
{
  g_autoptr(GError) error = NULL;

  if (!lab_history_delete_run (history, id, &error))
    return fail_for (error);
  g_print (_("Deleted run %lld from the history.\n"), (long long) id);
  return LAB_CLI_EXIT_OK;
}

/* The ID argument of show, export and delete */
static gboolean
parse_id (const char  *action,
          const char  *text,
          gint64      *id,
          GError     **error)
{
  guint64 value;

  if (text == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("history %s: give the id of a run (concurrency-lab-cli history list shows them)"), action);
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("history %s: “%s” is not the id of a run, a whole number from 1 (concurrency-lab-cli "
                     "history list shows them)"),
                   action, text);
      return FALSE;
    }
  *id = value;
  return TRUE;
}

/* Options that only some actions take */
static gboolean
check_options (const char      *action,
               HistoryOptions  *o,
               GError         **error)
{
  const char *wrong = NULL;

  if (o->json && !g_str_equal (action, "list") && !g_str_equal (action, "show"))
    wrong = "--json";
  else if ((o->csv != NULL || o->spans_csv != NULL) && !g_str_equal (action, "export"))
    wrong = o->csv != NULL ? "--csv" : "--spans-csv";
  if (wrong == NULL && g_str_equal (action, "export"))
    {
      if (o->csv == NULL)
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                               _("history export: give the results file with --csv FILE"));
          return FALSE;
        }
      /* Before anything is read: a folder that cannot take the files */
      return lab_cli_check_csv_path (o->csv, error) &&
             (o->spans_csv == NULL || lab_cli_check_csv_path (o->spans_csv, error));
    }
  if (wrong == NULL)
    return TRUE;
  /* Translators: "history delete does not take --json" */
  g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("history %s does not take %s"), action, wrong);
  return FALSE;
}

int
lab_cli_history (int    argc,
                 char **argv)
{
  g_auto(HistoryOptions) o = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabHistory) history = NULL;
  g_autofree char *default_path = lab_history_default_path ();
  g_autofree char *description = NULL;
  const char *actions[] = { "list", "show", "export", "delete", NULL };
  const char *action;
  gint64 id = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("list, show: print JSON instead of a table"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv, N_("export: write the results (one row per repetition) to FILE"), N_("FILE") },
    { "spans-csv", 0, 0, G_OPTION_ARG_FILENAME, &o.spans_csv, N_("export: write the spans (one row per task) to FILE"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("list|show ID|export ID|delete ID"));
  g_option_context_set_summary (context, _("The runs recorded in the history: each run is recorded as it goes, "
                                           "every completed repetition kept even when the run was stopped or "
                                           "its program killed."));
  description = g_strdup_printf (_("The history: %s\nExit status: 0 done, 1 no such run or the history failed, "
                                   "2 bad options."),
                                 default_path);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc < 2)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("history: say what to do: list, show ID, export ID --csv FILE, delete ID"));

  action = argv[1];
  if (!g_strv_contains (actions, action))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("history: unknown action “%s”; accepted: list, show, export, delete"),
                         action);
  if (!check_options (action, &o, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (!g_str_equal (action, "list") && !parse_id (action, argc > 2 ? argv[2] : NULL, &id, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc > (g_str_equal (action, "list") ? 2 : 3))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s”"), argv[g_str_equal (action, "list") ? 2 : 3]);

  history = lab_cli_open_history (&error);
  if (history == NULL)
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, "%s", error->message);

  if (g_str_equal (action, "list"))
    return history_list (history, &o);
  if (g_str_equal (action, "show"))
    return history_show (history, id, &o);
  if (g_str_equal (action, "export"))
    return history_export (history, id, &o);
  return history_delete (history, id);
}

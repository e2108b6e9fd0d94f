/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "lab-cli.h"
#include "lab-overhead-export.h"

typedef struct
{
  char    *only;
  char    *csv;
  gboolean json;
  gboolean quiet;
  gboolean list;
} OverheadsOptions;

static void
options_clear (OverheadsOptions *o)
{
  g_free (o->only);
  g_free (o->csv);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OverheadsOptions, options_clear)

/* The experiments @only names (comma-separated), in the order of the
 * page; all of them when @only is NULL. */
static gboolean
parse_only (const char  *only,
            GArray      *kinds,
            GError     **error)
{
  gboolean wanted[LAB_N_OVERHEADS] = { FALSE };
  g_autoptr(GString) accepted = g_string_new (NULL);
  g_auto(GStrv) names = NULL;

  if (only == NULL)
    {
      for (guint k = 0; k < LAB_N_OVERHEADS; k++)
        g_array_append_val (kinds, k);
      return TRUE;
    }
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    g_string_append_printf (accepted, "%s%s", k > 0 ? ", " : "", lab_overhead_kind_to_string (k));
  names = g_strsplit (only, ",", -1);
  if (names[0] == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--only: name at least one experiment; accepted: %s"), accepted->str);
      return FALSE;
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      LabOverheadKind kind;

      if (!lab_overhead_kind_from_string (g_strstrip (names[i]), &kind))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--only: unknown experiment “%s”; accepted: %s"), names[i], accepted->str);
          return FALSE;
        }
      wanted[kind] = TRUE;
    }
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    if (wanted[k])
      g_array_append_val (kinds, k);
  return TRUE;
}

static guint
utf8_width (const char *text)
{
  return g_utf8_strlen (text, -1);
}

static void
print_padded (const char *text,
              guint       width,
              gboolean    right)
{
  guint pad = width > utf8_width (text) ? width - utf8_width (text) : 0;

  if (right)
    g_print ("%*s%s", pad, "", text);
  else
    g_print ("%s%*s", text, pad, "");
}

/* A timeline (steps) has a column per moment: the terminal gets at most
 * this many of them, evenly spaced; the CSV and JSON have every point. */
#define MAX_STEP_COLUMNS 12

/* One table: a row per series, a column per measured parameter. */
static void
print_table (const LabOverheadTable *table)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (guint));
  guint stride = 1, n_columns;
  guint first_width = utf8_width (table->x_label);
  g_autofree guint *widths = NULL;

  if (table->kind == LAB_OVERHEAD_CHART_STEPS && table->columns->len > MAX_STEP_COLUMNS)
    stride = (table->columns->len + MAX_STEP_COLUMNS - 1) / MAX_STEP_COLUMNS;
  for (guint c = 0; c < table->columns->len; c += stride)
    g_array_append_val (shown, c);
  n_columns = shown->len;
  widths = g_new0 (guint, n_columns);

  for (guint c = 0; c < n_columns; c++)
    widths[c] = utf8_width (table->columns->pdata[g_array_index (shown, guint, c)]);
  for (guint s = 0; s < table->series->len; s++)
    {
      LabOverheadSeries *series = table->series->pdata[s];

      first_width = MAX (first_width, utf8_width (series->name));
      for (guint c = 0; c < n_columns; c++)
        {
          double value = g_array_index (series->values, double, g_array_index (shown, guint, c));
          char *cell = lab_overhead_format_value (value, table->unit);

          widths[c] = MAX (widths[c], utf8_width (cell));
          g_ptr_array_add (cells, cell);
        }
    }

  g_print ("\n  %s\n  ", table->title);
  print_padded (table->x_label, first_width, FALSE);
  for (guint c = 0; c < n_columns; c++)
    {
      g_print ("  ");
      print_padded (table->columns->pdata[g_array_index (shown, guint, c)], widths[c], TRUE);
    }
  g_print ("\n");
  for (guint s = 0; s < table->series->len; s++)
    {
      LabOverheadSeries *series = table->series->pdata[s];

      g_print ("  ");
      print_padded (series->name, first_width, FALSE);
      for (guint c = 0; c < n_columns; c++)
        {
          g_print ("  ");
          print_padded (cells->pdata[s * n_columns + c], widths[c], TRUE);
        }
      g_print ("\n");
    }
}

static void
print_overhead (LabOverhead *overhead)
{
  LabOverheadKind kind = lab_overhead_get_kind (overhead);
  g_autoptr(GPtrArray) tables = lab_overhead_dup_tables (overhead);
  g_autofree char *reading = lab_overhead_dup_reading (overhead);

  g_print ("\n%s (%s)\n", lab_overhead_kind_title (kind), lab_overhead_kind_to_string (kind));
  for (guint t = 0; t < tables->len; t++)
    print_table (tables->pdata[t]);
  if (reading != NULL)
    g_print ("\n  %s\n", reading);
}

static void
on_progress (LabOverhead *overhead,
             GParamSpec  *pspec,
             gpointer     user_data)
{
  const char *title = lab_overhead_kind_title (lab_overhead_get_kind (overhead));

  g_printerr ("\r\033[K%s  %.0f %%", title, lab_overhead_get_progress (overhead) * 100);
}

static void
list_experiments (void)
{
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    g_print ("%-14s %s\n%-14s %s\n", lab_overhead_kind_to_string (k), lab_overhead_kind_title (k),
             "", lab_overhead_kind_description (k));
}

int
lab_cli_overheads (int    argc,
                   char **argv)
{
  g_auto(OverheadsOptions) o = { NULL };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (LabOverheadKind));
  g_autoptr(GPtrArray) overheads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean show_progress;
  guint failed = 0;
  int status = LAB_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &o.only, N_("Run only these experiments (comma-separated)"), N_("NAME,…") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the points and readings as one JSON document"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv, N_("Write one row per measured point to FILE"), N_("FILE") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &o.list, N_("List the experiments and exit"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("Do not show progress"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Measures the costs and traps of threads and processes on this machine: start-up, "
                                  "memory, communication, crash isolation, races, task granularity, CPU affinity "
                                  "and GLib's default pool."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc > 1)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s”"), argv[1]);
  if (o.list)
    {
      list_experiments ();
      return LAB_CLI_EXIT_OK;
    }
  if (!parse_only (o.only, kinds, &error) || (o.csv != NULL && !lab_cli_check_csv_path (o.csv, &error)))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);

  show_progress = !o.quiet && isatty (STDERR_FILENO);
  lab_cli_install_signals (cancellable);
  for (guint i = 0; i < kinds->len; i++)
    {
      g_autoptr(LabOverhead) overhead = lab_overhead_new (g_array_index (kinds, LabOverheadKind, i), NULL);
      g_autoptr(GError) run_error = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (show_progress)
        g_signal_connect (overhead, "notify::progress", G_CALLBACK (on_progress), NULL);
      if (!lab_overhead_run (overhead, cancellable, &run_error) &&
          !g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        failed++;
      if (show_progress)
        g_printerr ("\r\033[K");
      /* Each experiment is printed as soon as it is over. */
      if (!o.json)
        print_overhead (overhead);
      g_ptr_array_add (overheads, g_steal_pointer (&overhead));
    }
  lab_cli_uninstall_signals ();

  if (o.json)
    {
      g_autofree char *json = lab_overhead_export_json (overheads);

      g_print ("%s\n", json);
    }
  if (o.csv != NULL && !lab_overhead_export (overheads, o.csv, &error))
    status = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s (choose another --csv path)"), error->message);

  if (g_cancellable_is_cancelled (cancellable))
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("stopped before the end; what was measured is above"));
  if (failed > 0)
    return lab_cli_fail (LAB_CLI_EXIT_FAILED,
                         g_dngettext (GETTEXT_PACKAGE, "%u experiment failed; its reason is above",
                                      "%u experiments failed; their reasons are above", failed),
                         failed);
  return status;
}

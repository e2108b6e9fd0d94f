/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <unistd.h>

#include "lab-claim.h"
#include "lab-cli.h"

/*
 * concurrency-lab-cli claims: the claims of the seed articles, each
 * checked by measurement here, with its verdict, its figures and a
 * reading printed as soon as it is checked.
 */

typedef struct
{
  char    *only;
  char    *csv;
  gboolean json;
  gboolean quick;
  gboolean quiet;
  gboolean list;
} ClaimsOptions;

static void
options_clear (ClaimsOptions *o)
{
  g_free (o->only);
  g_free (o->csv);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClaimsOptions, options_clear)

static char *
accepted_ids (void)
{
  g_autoptr(GString) accepted = g_string_new (NULL);

  for (guint i = 0; i < lab_claim_info_count (); i++)
    g_string_append_printf (accepted, "%s%s", i > 0 ? ", " : "", lab_claim_info_nth (i)->id);
  return g_string_free (g_steal_pointer (&accepted), FALSE);
}

/* The claims @only names (comma-separated, any case), in the order of
 * CLAIMS.md; all of them when @only is NULL. */
static gboolean
parse_only (const char  *only,
            GPtrArray   *infos,
            GError     **error)
{
  g_autofree gboolean *wanted = g_new0 (gboolean, lab_claim_info_count ());
  g_autofree char *accepted = accepted_ids ();
  g_auto(GStrv) ids = NULL;

  if (only == NULL)
    {
      for (guint i = 0; i < lab_claim_info_count (); i++)
        g_ptr_array_add (infos, (gpointer) lab_claim_info_nth (i));
      return TRUE;
    }
  ids = g_strsplit (only, ",", -1);
  if (ids[0] == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--only: name at least one claim; accepted: %s"), accepted);
      return FALSE;
    }
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const LabClaimInfo *info = lab_claim_info_lookup (g_strstrip (ids[i]));

      if (info == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--only: unknown claim “%s”; accepted: %s"), ids[i], accepted);
          return FALSE;
        }
      for (guint n = 0; n < lab_claim_info_count (); n++)
        wanted[n] |= lab_claim_info_nth (n) == info;
    }
  for (guint n = 0; n < lab_claim_info_count (); n++)
    if (wanted[n])
      g_ptr_array_add (infos, (gpointer) lab_claim_info_nth (n));
  return TRUE;
}

static void
print_result (const LabClaimInfo   *info,
              const LabClaimResult *result)
{
  g_print ("\n%s  %s — %s\n", info->id, lab_verdict_title (result->verdict), info->wording);
  for (guint i = 0; i < result->values->len; i++)
    {
      const LabClaimValue *value = result->values->pdata[i];
      g_autofree char *text = lab_claim_value_format (value);

      g_print ("  %-52s %s\n", value->label, text);
    }
  if (result->runtime != NULL && result->runtime[0] != '\0')
    g_print ("  %s %s\n", _("Runtime:"), result->runtime);
  if (result->extrapolation != NULL)
    g_print ("  %s\n", result->extrapolation);
  g_print ("  %s\n", result->reading);
  /* TRANSLATORS: %.1f is a number of seconds */
  g_print ("  ");
  g_print (_("Checked in %.1f s"), result->duration_s);
  g_print ("\n");
}

static void
on_progress (LabClaim   *claim,
             GParamSpec *pspec,
             gpointer    user_data)
{
  g_printerr ("\r\033[K%s  %.0f %%", lab_claim_get_id (claim), lab_claim_get_progress (claim) * 100);
}

static void
list_claims (void)
{
  for (guint i = 0; i < lab_claim_info_count (); i++)
    {
      const LabClaimInfo *info = lab_claim_info_nth (i);

      g_print ("%s  %s\n     %s\n     %s\n     %s\n", info->id, info->wording, info->sources, info->method,
               info->rule);
    }
}

/* The result of a claim that was never checked because the run stopped
 * first. */
static LabClaimResult *
not_checked (const LabClaimInfo *info)
{
  LabClaimResult *result = lab_claim_result_new (info->id);

  result->reading = g_strdup (_("Not checked: the claims were stopped before this one."));
  return result;
}

int
lab_cli_claims (int    argc,
                char **argv)
{
  g_auto(ClaimsOptions) o = { NULL };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new ();
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_claim_result_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean show_progress;
  guint failed = 0;
  gint64 start;
  int status = LAB_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &o.only, N_("Check only these claims (comma-separated ids)"), N_("C01,…") },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &o.quick, N_("Quick settings: fewer repeats, smaller counts"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the verdicts and figures as one JSON document"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv, N_("Write one row per claim to FILE"), N_("FILE") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &o.list, N_("List the claims and their rules and exit"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("Do not show progress"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Checks the claims of the articles on threads and processes by measuring them on this "
                                  "machine, and gives each a verdict: holds, does not hold or depends, with the figures "
                                  "behind it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc > 1)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s”"), argv[1]);
  if (o.list)
    {
      list_claims ();
      return LAB_CLI_EXIT_OK;
    }
  if (!parse_only (o.only, infos, &error) || (o.csv != NULL && !lab_cli_check_csv_path (o.csv, &error)))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);

  show_progress = !o.quiet && isatty (STDERR_FILENO);
  lab_cli_install_signals (cancellable);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < infos->len; i++)
    {
      const LabClaimInfo *info = infos->pdata[i];
      g_autoptr(LabClaim) claim = NULL;
      g_autoptr(GError) run_error = NULL;
      const LabClaimResult *result;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_ptr_array_add (results, not_checked (info));
          continue;
        }
      claim = lab_claim_new (info->id);
      lab_claim_set_quick (claim, o.quick);
      if (show_progress)
        g_signal_connect (claim, "notify::progress", G_CALLBACK (on_progress), NULL);
      lab_claim_run (claim, cancellable, &run_error);
      if (show_progress)
        g_printerr ("\r\033[K");
      result = lab_claim_get_result (claim);
      failed += result->verdict == LAB_VERDICT_FAILED;
      /* Each claim is printed as soon as it is checked. */
      if (!o.json)
        print_result (info, result);
      g_ptr_array_add (results, lab_claim_result_copy (result));
    }
  lab_cli_uninstall_signals ();

  if (o.json)
    {
      g_autofree char *json = lab_claims_to_json (results);

      g_print ("%s\n", json);
    }
  else
    {
      g_print ("\n");
      /* TRANSLATORS: %u is a number of claims, %.0f seconds */
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u claim in %.0f s", "%u claims in %.0f s", results->len),
               results->len, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
      g_print ("\n");
    }
  if (o.csv != NULL && !lab_claims_write_csv (results, o.csv, &error))
    status = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s (choose another --csv path)"), error->message);

  if (g_cancellable_is_cancelled (cancellable))
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("stopped before the end; what was measured is above"));
  if (failed > 0)
    return lab_cli_fail (LAB_CLI_EXIT_FAILED,
                         g_dngettext (GETTEXT_PACKAGE, "%u claim could not be measured; its reason is above",
                                      "%u claims could not be measured; their reasons are above", failed),
                         failed);
  return status;
}

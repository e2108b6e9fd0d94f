/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lab-claim-card.h"
#include "lab-claim.h"
#include "lab-claims-page.h"
#include "lab-interpreter.h"
#include "lab-machine.h"
#include "lab-page.h"
#include "lab-save-dialog.h"

struct _LabClaimsPage
{
  GtkWidget       parent_instance;

  GSettings      *settings;
  GPtrArray      *claims;          /* LabClaim, in the order of lab_claim_info_nth() */
  GCancellable   *cancellable;     /* of the check under way */
  GCancellable   *search;          /* of the search for python3 */
  int             current;         /* the claim being checked, or -1 */
  gboolean        running_all;     /* Run All: the next claim follows */
  gint64          all_started_us;
  double          all_duration_s;  /* of the last Run All that went to the end, or NAN */
  char           *blocked_reason;
  char           *server_url;

  GtkLabel       *cores_label;
  GtkLabel       *cpu_label;
  GtkLabel       *kernel_label;
  GtkLabel       *python_label;
  GtkSwitch      *quick_switch;
  GtkButton      *run_all_button;
  GtkLabel       *status_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *summary_label;
  GtkBox         *cards_box;
};

static void lab_claims_page_page_init (LabPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabClaimsPage, lab_claims_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_PAGE, lab_claims_page_page_init))

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_BLOCKED_REASON,
  PROP_SERVER_URL,
};

static void lab_claims_page_run (LabClaimsPage *self,
                                 guint          index);

static LabClaim *
lab_claims_page_nth (LabClaimsPage *self,
                     guint          index)
{
  return g_ptr_array_index (self->claims, index);
}

/* The index of the claim @id, or -1. */
static int
lab_claims_page_find (LabClaimsPage *self,
                      const char    *id)
{
  for (guint i = 0; i < self->claims->len; i++)
    if (g_ascii_strcasecmp (lab_claim_get_id (lab_claims_page_nth (self, i)), id) == 0)
      return i;
  return -1;
}

/* The results of the claims checked so far (owned by the claims). */
static GPtrArray *
lab_claims_page_dup_results (LabClaimsPage *self)
{
  GPtrArray *results = g_ptr_array_new ();

  for (guint i = 0; i < self->claims->len; i++)
    {
      const LabClaimResult *result = lab_claim_get_result (lab_claims_page_nth (self, i));

      if (result != NULL)
        g_ptr_array_add (results, (gpointer) result);
    }
  return results;
}

/* "45 s", "3 min 12 s": how long Run All took. */
static char *
format_minutes (double seconds)
{
  guint total = (guint) (seconds + 0.5);

  if (total < 60)
    /* Translators: a duration in seconds, "45 s" */
    return g_strdup_printf (_("%u s"), total);
  /* Translators: a duration in minutes and seconds, "3 min 12 s" */
  return g_strdup_printf (_("%u min %u s"), total / 60, total % 60);
}

/* Whether @result is a verdict on the claim: not a check that failed,
 * was stopped or could not be made here. */
static gboolean
result_is_checked (const LabClaimResult *result)
{
  return result != NULL && result->verdict != LAB_VERDICT_NOT_RUN && result->verdict != LAB_VERDICT_FAILED &&
         result->verdict != LAB_VERDICT_CANNOT_CHECK;
}

/* How far the checks have come, on the line beside Run All: "5 of 18
 * claims checked", how many have no verdict (failed, stopped, cannot be
 * checked here), and how long the last Run All took. */
static void
lab_claims_page_update_status (LabClaimsPage *self)
{
  g_autoptr(GPtrArray) results = lab_claims_page_dup_results (self);
  guint n_claims = self->claims->len, n_checked = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < results->len; i++)
    n_checked += result_is_checked (g_ptr_array_index (results, i));

  if (self->current < 0 && self->blocked_reason != NULL)
    {
      gtk_label_set_text (self->status_label, self->blocked_reason);
      return;
    }
  if (self->current < 0 && results->len == 0)
    {
      gtk_label_set_text (self->status_label, _("No claim checked yet."));
      return;
    }

  /* Translators: "5 of 18 claims checked" */
  g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u of %u claim checked", "%u of %u claims checked", n_claims),
                   n_checked, n_claims);
  if (results->len > n_checked)
    /* Translators: follows "16 of 18 claims checked": "; 2 without a verdict (their cards say why)" */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "; %u without a verdict (its card says why)",
                                               "; %u without a verdict (their cards say why)",
                                               results->len - n_checked),
                            results->len - n_checked);
  if (self->current >= 0)
    /* Translators: follows "5 of 18 claims checked": "; checking C06…" */
    g_string_append_printf (text, _("; checking %s…"), lab_claim_get_id (lab_claims_page_nth (self, self->current)));
  else
    g_string_append (text, ".");
  if (self->current < 0 && isfinite (self->all_duration_s))
    {
      g_autofree char *duration = format_minutes (self->all_duration_s);

      g_string_append_c (text, ' ');
      /* Translators: after "18 of 18 claims checked.": "Run All took 3 min 12 s." */
      g_string_append_printf (text, _("Run All took %s."), duration);
    }
  gtk_label_set_text (self->status_label, text->str);
}

/* The overall progress: Run All's position and the current claim's
 * progress, a lone check's progress, or how many claims have a result. */
static void
lab_claims_page_update_progress (LabClaimsPage *self)
{
  double fraction;

  if (self->current >= 0)
    {
      double progress = lab_claim_get_progress (lab_claims_page_nth (self, self->current));

      fraction = self->running_all ? (self->current + progress) / self->claims->len : progress;
    }
  else
    {
      g_autoptr(GPtrArray) results = lab_claims_page_dup_results (self);

      fraction = (double) results->len / self->claims->len;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
}

/* "9 hold": @count claims with @verdict, in the summary's words. */
static char *
format_count (LabVerdict verdict,
              guint      count)
{
  /* Translators: the parts of the summary of the verdicts, joined by
   * commas: "9 hold, 4 do not hold, 3 depend, 2 cannot be checked here" */
  switch (verdict)
    {
    case LAB_VERDICT_HOLDS:
      return g_strdup_printf (ngettext ("%u holds", "%u hold", count), count);
    case LAB_VERDICT_DOES_NOT_HOLD:
      return g_strdup_printf (ngettext ("%u does not hold", "%u do not hold", count), count);
    case LAB_VERDICT_DEPENDS:
      return g_strdup_printf (ngettext ("%u depends", "%u depend", count), count);
    case LAB_VERDICT_INCONCLUSIVE:
      return g_strdup_printf (ngettext ("%u inconclusive (figures not to be trusted)",
                                        "%u inconclusive (figures not to be trusted)", count), count);
    case LAB_VERDICT_CANNOT_CHECK:
      return g_strdup_printf (ngettext ("%u cannot be checked here", "%u cannot be checked here", count), count);
    case LAB_VERDICT_FAILED:
      return g_strdup_printf (ngettext ("%u failed or stopped", "%u failed or stopped", count), count);
    case LAB_VERDICT_NOT_RUN:
    default:
      return g_strdup_printf (ngettext ("%u not checked yet", "%u not checked yet", count), count);
    }
}

/* The verdicts counted: "9 hold, 4 do not hold, 3 depend, 2 cannot be
 * checked here"; the counts add up to the number of claims. */
static void
lab_claims_page_update_summary (LabClaimsPage *self)
{
  static const LabVerdict order[] = {
    LAB_VERDICT_HOLDS, LAB_VERDICT_DOES_NOT_HOLD, LAB_VERDICT_DEPENDS, LAB_VERDICT_INCONCLUSIVE,
    LAB_VERDICT_CANNOT_CHECK, LAB_VERDICT_FAILED, LAB_VERDICT_NOT_RUN,
  };
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint counts[LAB_VERDICT_FAILED + 1] = { 0 };
  g_autofree char *summary = NULL;

  for (guint i = 0; i < self->claims->len; i++)
    {
      const LabClaimResult *result = lab_claim_get_result (lab_claims_page_nth (self, i));

      counts[result != NULL ? result->verdict : LAB_VERDICT_NOT_RUN]++;
    }
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (counts[order[i]] > 0)
      g_ptr_array_add (parts, format_count (order[i], counts[order[i]]));
  g_ptr_array_add (parts, NULL);
  summary = g_strjoinv (", ", (char **) parts->pdata);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), counts[LAB_VERDICT_NOT_RUN] < self->claims->len);
  gtk_label_set_text (self->summary_label, summary);
}

static void
lab_claims_page_update_actions (LabClaimsPage *self)
{
  gboolean can_start = self->current < 0 && self->blocked_reason == NULL;
  g_autoptr(GPtrArray) results = lab_claims_page_dup_results (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "claims.run", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "claims.run-all", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "claims.stop", self->current >= 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "claims.export-csv", results->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "claims.export-json", results->len > 0);
  /* The settings of a check under way stay what they were. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->quick_switch), self->current < 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_all_button),
                               self->blocked_reason != NULL ? self->blocked_reason
                                                            : _("Check every claim in order (Ctrl+Enter)"));
}

static void
lab_claims_page_update (LabClaimsPage *self)
{
  lab_claims_page_update_actions (self);
  lab_claims_page_update_status (self);
  lab_claims_page_update_progress (self);
  lab_claims_page_update_summary (self);
}

static void
lab_claims_page_set_current (LabClaimsPage *self,
                             int            current)
{
  gboolean was_running = self->current >= 0;

  self->current = current;
  lab_claims_page_update (self);
  if (was_running != (current >= 0))
    g_object_notify (G_OBJECT (self), "running");
}

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LabClaimsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean cancelled;
  guint next;

  /* FALSE only when stopped; a failed check finishes with a result. */
  cancelled = !lab_claim_run_finish (LAB_CLAIM (object), result, &error);
  g_clear_object (&self->cancellable);

  next = self->current + 1;
  if (self->running_all && !cancelled && self->blocked_reason == NULL)
    {
      if (next < self->claims->len)
        {
          lab_claims_page_run (self, next);
          return;
        }
      self->all_duration_s = (g_get_monotonic_time () - self->all_started_us) / (double) G_USEC_PER_SEC;
    }
  self->running_all = FALSE;
  lab_claims_page_set_current (self, -1);
}

static void
lab_claims_page_run (LabClaimsPage *self,
                     guint          index)
{
  LabClaim *claim = lab_claims_page_nth (self, index);

  self->cancellable = g_cancellable_new ();
  lab_claim_set_quick (claim, gtk_switch_get_active (self->quick_switch));
  lab_claim_set_server_url (claim, self->server_url);
  lab_claims_page_set_current (self, index);
  lab_claim_run_async (claim, self->cancellable, on_run_done, g_object_ref (self));
}

static void
lab_claims_page_start (LabPage *page)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (page);

  if (self->current >= 0 || self->blocked_reason != NULL)
    return;
  self->running_all = TRUE;
  self->all_started_us = g_get_monotonic_time ();
  self->all_duration_s = NAN;
  lab_claims_page_run (self, 0);
}

static void
lab_claims_page_stop (LabPage *page)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (page);

  self->running_all = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static const char *
lab_claims_page_get_start_tooltip (LabPage *page)
{
  return _("Check every claim in order (Ctrl+Enter)");
}

static void
lab_claims_page_page_init (LabPageInterface *iface)
{
  iface->start = lab_claims_page_start;
  iface->stop = lab_claims_page_stop;
  iface->get_start_tooltip = lab_claims_page_get_start_tooltip;
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (widget);
  int index = lab_claims_page_find (self, g_variant_get_string (parameter, NULL));

  if (self->current >= 0 || self->blocked_reason != NULL || index < 0)
    return;
  self->running_all = FALSE;
  lab_claims_page_run (self, index);
}

static void
run_all_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  lab_page_start (LAB_PAGE (widget));
}

/* A card's Stop: its check, and Run All with it. */
static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (widget);

  if (self->current >= 0 && lab_claims_page_find (self, g_variant_get_string (parameter, NULL)) == self->current)
    lab_page_stop (LAB_PAGE (widget));
}

static gboolean
save_csv (const char  *path,
          gpointer     user_data,
          GError     **error)
{
  g_autoptr(GPtrArray) results = lab_claims_page_dup_results (user_data);

  return lab_claims_write_csv (results, path, error);
}

static gboolean
save_json (const char  *path,
           gpointer     user_data,
           GError     **error)
{
  g_autoptr(GPtrArray) results = lab_claims_page_dup_results (user_data);

  return lab_claims_write_json (results, path, error);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  if (g_str_equal (action_name, "claims.export-csv"))
    lab_save_dialog_show (widget, _("Save Claims as CSV"), "claims.csv", save_csv, g_object_ref (widget),
                          g_object_unref);
  else
    lab_save_dialog_show (widget, _("Save Claims as JSON"), "claims.json", save_json, g_object_ref (widget),
                          g_object_unref);
}

static void
on_python_found (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LabClaimsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  const LabInterpreter *interpreter = lab_interpreter_find_finish (result, &error);
  g_autofree char *text = NULL;

  if (g_cancellable_is_cancelled (self->search))
    return;
  if (interpreter != NULL)
    /* Translators: "Python 3.11.2 at /usr/bin/python3" */
    text = g_strdup_printf (_("Python %s at %s"), interpreter->version, interpreter->path);
  else
    /* Translators: %s says why, "No “python3” found on PATH…" */
    text = g_strdup_printf (_("Not found: %s"), error->message);
  gtk_label_set_text (self->python_label, text);
}

/* The facts of the machine the verdicts hold for. */
static void
lab_claims_page_show_machine (LabClaimsPage *self)
{
  guint n_cpus = lab_machine_n_cpus ();
  g_autofree char *cores = NULL;
  g_autofree char *model = lab_machine_cpu_model ();
  g_autofree char *kernel = lab_machine_kernel ();

  if (n_cpus > 1)
    cores = g_strdup_printf ("%u", n_cpus);
  else
    /* Translators: the number of cores when it is one */
    cores = g_strdup (_("1: the claims about running in parallel cannot be checked here"));
  gtk_label_set_text (self->cores_label, cores);
  gtk_label_set_text (self->cpu_label, model != NULL ? model : _("Unknown"));
  gtk_label_set_text (self->kernel_label, kernel != NULL ? kernel : _("Unknown"));
  gtk_label_set_text (self->python_label, _("Looking for python3…"));
  lab_interpreter_find_async (LAB_RUNTIME_CPYTHON, self->search, on_python_found, g_object_ref (self));
}

static void
lab_claims_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->current >= 0);
      break;
    case PROP_BLOCKED_REASON:
      g_value_set_string (value, self->blocked_reason);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_claims_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BLOCKED_REASON:
      if (g_strcmp0 (self->blocked_reason, g_value_get_string (value)) == 0)
        return;
      g_free (self->blocked_reason);
      self->blocked_reason = g_value_dup_string (value);
      lab_claims_page_update_actions (self);
      lab_claims_page_update_status (self);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_SERVER_URL:
      if (g_strcmp0 (self->server_url, g_value_get_string (value)) == 0)
        return;
      g_free (self->server_url);
      self->server_url = g_value_dup_string (value);
      g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_claims_page_dispose (GObject *object)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (object);
  GtkWidget *child;

  /* A running check ends on its own thread once cancelled. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->search);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_CLAIMS_PAGE);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  if (self->claims != NULL)
    for (guint i = 0; i < self->claims->len; i++)
      g_signal_handlers_disconnect_by_data (lab_claims_page_nth (self, i), self);
  g_clear_pointer (&self->claims, g_ptr_array_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lab_claims_page_parent_class)->dispose (object);
}

static void
lab_claims_page_finalize (GObject *object)
{
  LabClaimsPage *self = LAB_CLAIMS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->search);
  g_free (self->blocked_reason);
  g_free (self->server_url);

  G_OBJECT_CLASS (lab_claims_page_parent_class)->finalize (object);
}

static void
lab_claims_page_class_init (LabClaimsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lab_claims_page_get_property;
  object_class->set_property = lab_claims_page_set_property;
  object_class->dispose = lab_claims_page_dispose;
  object_class->finalize = lab_claims_page_finalize;

  g_object_class_override_property (object_class, PROP_RUNNING, "running");
  g_object_class_override_property (object_class, PROP_BLOCKED_REASON, "blocked-reason");
  g_object_class_override_property (object_class, PROP_SERVER_URL, "server-url");

  gtk_widget_class_install_action (widget_class, "claims.run", "s", run_action);
  gtk_widget_class_install_action (widget_class, "claims.run-all", NULL, run_all_action);
  gtk_widget_class_install_action (widget_class, "claims.stop", "s", stop_action);
  gtk_widget_class_install_action (widget_class, "claims.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "claims.export-json", NULL, export_action);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-claims-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, cores_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, cpu_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, kernel_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, python_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, quick_switch);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, run_all_button);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimsPage, cards_box);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
lab_claims_page_init (LabClaimsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->current = -1;
  self->all_duration_s = NAN;
  self->search = g_cancellable_new ();

  self->settings = g_settings_new (BASE_APP_ID);
  g_settings_bind (self->settings, "claims-quick", self->quick_switch, "active",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_NO_SENSITIVITY);

  self->claims = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < lab_claim_info_count (); i++)
    {
      LabClaim *claim = lab_claim_new (lab_claim_info_nth (i)->id);

      g_ptr_array_add (self->claims, claim);
      gtk_box_append (self->cards_box, lab_claim_card_new (claim));
      g_signal_connect_object (claim, "notify::state", G_CALLBACK (lab_claims_page_update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (claim, "notify::result", G_CALLBACK (lab_claims_page_update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (claim, "notify::progress", G_CALLBACK (lab_claims_page_update_progress), self,
                               G_CONNECT_SWAPPED);
    }
  lab_claims_page_show_machine (self);
  lab_claims_page_update (self);
}

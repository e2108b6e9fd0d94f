/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lab-claim-card.h"
#include "lab-format.h"

struct _LabClaimCard
{
  GtkWidget       parent_instance;

  LabClaim       *claim;

  GtkLabel       *id_label;
  GtkLabel       *sources_label;
  GtkLabel       *verdict_label;
  GtkLabel       *wording_label;
  GtkLabel       *method_label;
  GtkLabel       *rule_label;
  GtkButton      *run_button;
  GtkProgressBar *progress_bar;
  GtkGrid        *values_grid;
  GtkLabel       *extrapolation_label;
  GtkLabel       *reading_label;
  GtkLabel       *caption_label;
};

G_DEFINE_FINAL_TYPE (LabClaimCard, lab_claim_card, GTK_TYPE_WIDGET)

/* "<b>Heading</b> text", escaped: the parts of a claim's description. */
static void
set_headed_text (GtkLabel   *label,
                 const char *heading,
                 const char *text)
{
  g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b> %s", heading, text);

  gtk_label_set_markup (label, markup);
}

static void
on_progress (LabClaimCard *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, lab_claim_get_progress (self->claim));
}

/* The badge: the verdict's title, coloured by what it says (success,
 * error, warning; dim where there is no verdict), the colours from the
 * style so that it reads in the light and the dark style. */
static void
lab_claim_card_update_verdict (LabClaimCard         *self,
                               const LabClaimResult *result)
{
  LabVerdict verdict = result != NULL ? result->verdict : LAB_VERDICT_NOT_RUN;
  const char *classes[] = { "verdict", lab_verdict_to_string (verdict), NULL };

  if (lab_claim_get_running (self->claim))
    {
      classes[1] = "running";
      gtk_label_set_text (self->verdict_label, _("Checking…"));
    }
  else
    gtk_label_set_text (self->verdict_label, lab_verdict_title (verdict));
  gtk_widget_set_css_classes (GTK_WIDGET (self->verdict_label), classes);
}

/* Whether the values of @result come from more than one runtime: then
 * each row names its own, else the caption names the one. */
static gboolean
values_mix_runtimes (const LabClaimResult *result)
{
  const char *first = NULL;

  for (guint i = 0; i < result->values->len; i++)
    {
      const LabClaimValue *value = g_ptr_array_index (result->values, i);

      if (value->runtime == NULL || value->runtime[0] == '\0')
        continue;
      if (first == NULL)
        first = value->runtime;
      else if (!g_str_equal (first, value->runtime))
        return TRUE;
    }
  return FALSE;
}

/* One row per measured value: what it is (and, where the runtimes
 * differ, which one produced it), then the value with its spread. */
static void
lab_claim_card_update_values (LabClaimCard         *self,
                              const LabClaimResult *result)
{
  GtkWidget *child;
  guint n_values = result != NULL && result->values != NULL ? result->values->len : 0;
  gboolean mixed = n_values > 0 && values_mix_runtimes (result);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->values_grid))) != NULL)
    gtk_grid_remove (self->values_grid, child);

  for (guint i = 0; i < n_values; i++)
    {
      const LabClaimValue *value = g_ptr_array_index (result->values, i);
      g_autofree char *formatted = lab_claim_value_format (value);
      g_autofree char *what = NULL;
      GtkWidget *name_label, *value_label;

      if (mixed && value->runtime != NULL && value->runtime[0] != '\0')
        /* Translators: a measured value's label and the runtime that produced it,
         * "CPython threads, W = 2, vs sequential (cpython-3.11.2)" */
        what = g_strdup_printf (_("%s (%s)"), value->label, value->runtime);
      else
        what = g_strdup (value->label);

      name_label = gtk_label_new (what);
      gtk_label_set_xalign (GTK_LABEL (name_label), 0);
      gtk_label_set_wrap (GTK_LABEL (name_label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (name_label), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_valign (name_label, GTK_ALIGN_START);

      value_label = gtk_label_new (formatted);
      gtk_label_set_xalign (GTK_LABEL (value_label), 1);
      gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
      gtk_widget_set_valign (value_label, GTK_ALIGN_START);
      gtk_widget_add_css_class (value_label, "numeric");

      gtk_grid_attach (self->values_grid, name_label, 0, i, 1, 1);
      gtk_grid_attach (self->values_grid, value_label, 1, i, 1, 1);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->values_grid), n_values > 0);
}

/* The lines under the values: the extrapolation (labelled as one), the
 * reading, and what produced the figures in how long. */
static void
lab_claim_card_update_texts (LabClaimCard         *self,
                             const LabClaimResult *result)
{
  gboolean has_extrapolation = result != NULL && result->extrapolation != NULL && result->extrapolation[0] != '\0';
  gboolean has_reading = result != NULL && result->reading != NULL && result->reading[0] != '\0';

  if (has_extrapolation)
    set_headed_text (self->extrapolation_label, _("Extrapolation:"), result->extrapolation);
  gtk_widget_set_visible (GTK_WIDGET (self->extrapolation_label), has_extrapolation);

  gtk_label_set_text (self->reading_label, has_reading ? result->reading : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reading_label), has_reading);

  if (result != NULL)
    {
      g_autofree char *duration = lab_format_duration (result->duration_s);
      g_autofree char *caption = NULL;

      if (result->runtime != NULL && result->runtime[0] != '\0')
        /* Translators: "Took 12.30 s; runtimes: native, cpython-3.11.2." */
        caption = g_strdup_printf (_("Took %s; runtimes: %s."), duration, result->runtime);
      else
        /* Translators: how long a claim's check took, "Took 0.20 s." */
        caption = g_strdup_printf (_("Took %s."), duration);
      gtk_label_set_text (self->caption_label, caption);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->caption_label), result != NULL);
}

static void
on_state (LabClaimCard *self)
{
  const char *id = lab_claim_get_id (self->claim);
  const LabClaimResult *result = lab_claim_get_result (self->claim);
  g_autofree char *button_name = NULL;

  if (lab_claim_get_running (self->claim))
    {
      gtk_button_set_label (self->run_button, _("_Stop"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "claims.stop");
      /* Translators: the accessible name of a button, "Stop C01" */
      button_name = g_strdup_printf (_("Stop %s"), id);
    }
  else
    {
      gtk_button_set_label (self->run_button, _("_Run"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "claims.run");
      /* Translators: the accessible name of a button, "Run C01" */
      button_name = g_strdup_printf (_("Run %s"), id);
    }
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->run_button), "s", id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button), GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);

  lab_claim_card_update_verdict (self, result);
  lab_claim_card_update_values (self, result);
  lab_claim_card_update_texts (self, result);
  on_progress (self);
}

/* The accessible names and descriptions of the card's parts, from the
 * claim's id: "C01 progress", "Verdict of C01", "Reading of C01"… */
static void
lab_claim_card_name_parts (LabClaimCard *self,
                           const char   *id)
{
  /* Translators: accessible names and descriptions; %s is a claim's id, "C01" */
  g_autofree char *progress_name = g_strdup_printf (_("%s progress"), id);
  g_autofree char *verdict_description = g_strdup_printf (_("Verdict of %s"), id);
  g_autofree char *values_name = g_strdup_printf (_("Values of %s"), id);
  g_autofree char *extrapolation_description = g_strdup_printf (_("Extrapolation of %s"), id);
  g_autofree char *reading_description = g_strdup_printf (_("Reading of %s"), id);
  g_autofree char *card_name = g_strdup_printf (_("Claim %s"), id);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, card_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar), GTK_ACCESSIBLE_PROPERTY_LABEL, progress_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->verdict_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  verdict_description, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->values_grid), GTK_ACCESSIBLE_PROPERTY_LABEL, values_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->extrapolation_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  extrapolation_description, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reading_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  reading_description, -1);
}

GtkWidget *
lab_claim_card_new (LabClaim *claim)
{
  LabClaimCard *self;
  const LabClaimInfo *info;
  g_autofree char *sources = NULL;

  g_return_val_if_fail (LAB_IS_CLAIM (claim), NULL);

  self = g_object_new (LAB_TYPE_CLAIM_CARD, NULL);
  self->claim = g_object_ref (claim);
  info = lab_claim_get_info (claim);

  gtk_label_set_text (self->id_label, info->id);
  /* Translators: the articles a claim comes from, "From Enterprise, Nimble, 003" */
  sources = g_strdup_printf (_("From %s"), info->sources);
  gtk_label_set_text (self->sources_label, sources);
  gtk_label_set_text (self->wording_label, info->wording);
  set_headed_text (self->method_label, _("How it is checked:"), info->method);
  set_headed_text (self->rule_label, _("Rule:"), info->rule);
  lab_claim_card_name_parts (self, info->id);

  g_signal_connect_object (claim, "notify::progress", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (claim, "notify::state", G_CALLBACK (on_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (claim, "notify::result", G_CALLBACK (on_state), self, G_CONNECT_SWAPPED);
  on_state (self);
  return GTK_WIDGET (self);
}

LabClaim *
lab_claim_card_get_claim (LabClaimCard *self)
{
  g_return_val_if_fail (LAB_IS_CLAIM_CARD (self), NULL);
  return self->claim;
}

static void
lab_claim_card_dispose (GObject *object)
{
  LabClaimCard *self = LAB_CLAIM_CARD (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_CLAIM_CARD);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->claim);

  G_OBJECT_CLASS (lab_claim_card_parent_class)->dispose (object);
}

static void
lab_claim_card_class_init (LabClaimCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_claim_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-claim-card.ui");
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, id_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, sources_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, wording_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, method_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, rule_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, run_button);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, values_grid);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, extrapolation_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, reading_label);
  gtk_widget_class_bind_template_child (widget_class, LabClaimCard, caption_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lab_claim_card_init (LabClaimCard *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 10);
}

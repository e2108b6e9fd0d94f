/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-machine.h"
#include "lab-run-options.h"

/**
 * LabRunOptions:
 *
 * The part of a form that every workload family shares: how many
 * workers, whether to sweep them, how many repetitions, and which modes
 * to compare. Its settings are the keys "PREFIX-workers",
 * "PREFIX-worker-sweep", "PREFIX-repeat" and "PREFIX-modes".
 */
struct _LabRunOptions
{
  GtkWidget            parent_instance;

  GSettings           *settings;
  char                *modes_key;
  gboolean             can_sweep;
  const LabModeChoice *choices;
  guint                n_choices;
  GtkCheckButton      *mode_checks[LAB_N_MODES];

  /* Template children */
  AdwActionRow        *workers_row;
  GtkWidget           *workers_spin;
  GtkAdjustment       *workers_adjustment;
  AdwActionRow        *sweep_row;
  GtkSwitch           *sweep_switch;
  GtkAdjustment       *repeat_adjustment;
  AdwPreferencesGroup *modes_group;
};

G_DEFINE_FINAL_TYPE (LabRunOptions, lab_run_options, GTK_TYPE_WIDGET)

static guint
worker_sweep_max (void)
{
  return MAX (2, 2 * lab_machine_n_cpus ());
}

static void
on_mode_toggled (LabRunOptions  *self,
                 GtkCheckButton *check)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) modes = NULL;

  for (guint i = 0; i < self->n_choices; i++)
    {
      LabMode mode = self->choices[i].mode;

      if (gtk_check_button_get_active (self->mode_checks[mode]))
        g_strv_builder_add (builder, lab_mode_to_string (mode));
    }
  modes = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, self->modes_key, (const char * const *) modes);
}

static GtkWidget *
mode_row_new (LabRunOptions       *self,
              const LabModeChoice *choice,
              gboolean             checked,
              gboolean             supported)
{
  const char *title = lab_mode_title (choice->mode);
  g_autofree char *run_label = g_strdup_printf (_("Run “%s”"), title);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *run = gtk_button_new_with_label (_("Run"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(choice->description));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), supported && checked);
  g_signal_connect_object (check, "toggled", G_CALLBACK (on_mode_toggled), self, G_CONNECT_SWAPPED);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

  gtk_widget_set_valign (run, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (run, run_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (run), GTK_ACCESSIBLE_PROPERTY_LABEL, run_label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (run), "page.run-mode");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (run), "s", lab_mode_to_string (choice->mode));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), run);

  if (!supported)
    {
      gtk_widget_set_sensitive (row, FALSE);
      gtk_widget_set_tooltip_text (row, _("Not available for this workload yet"));
    }
  self->mode_checks[choice->mode] = GTK_CHECK_BUTTON (check);
  return row;
}

/**
 * lab_run_options_setup:
 * @settings: where the options are kept
 * @prefix: the keys' prefix, e.g. "cpu"
 * @workers_subtitle: what a worker is for this family
 * @can_sweep: whether to offer a sweep over worker counts
 * @sample_workload: a workload spec of the family, to find the modes it accepts
 * @choices: (array length=n_choices): the modes offered, in order; must
 *   outlive @self
 */
void
lab_run_options_setup (LabRunOptions       *self,
                       GSettings           *settings,
                       const char          *prefix,
                       const char          *workers_subtitle,
                       gboolean             can_sweep,
                       const char          *sample_workload,
                       const LabModeChoice *choices,
                       guint                n_choices)
{
  g_autoptr(LabRunBuilder) sample = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);
  g_autofree char *workers_key = g_strconcat (prefix, "-workers", NULL);
  g_autofree char *repeat_key = g_strconcat (prefix, "-repeat", NULL);
  g_auto(GStrv) checked = NULL;

  g_return_if_fail (LAB_IS_RUN_OPTIONS (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  self->modes_key = g_strconcat (prefix, "-modes", NULL);
  self->can_sweep = can_sweep;
  self->choices = choices;
  self->n_choices = n_choices;

  adw_action_row_set_subtitle (self->workers_row, workers_subtitle);
  g_settings_bind (settings, workers_key, self->workers_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, repeat_key, self->repeat_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  if (can_sweep)
    {
      g_autofree char *sweep_key = g_strconcat (prefix, "-worker-sweep", NULL);
      /* Translators: %u is twice the number of CPU cores */
      g_autofree char *subtitle = g_strdup_printf (_("1, 2, 4, … up to %u workers (twice the cores)"), worker_sweep_max ());

      gtk_widget_set_visible (GTK_WIDGET (self->sweep_row), TRUE);
      adw_action_row_set_subtitle (self->sweep_row, subtitle);
      g_settings_bind (settings, sweep_key, self->sweep_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_object_bind_property (self->sweep_switch, "active", self->workers_spin, "sensitive",
                              G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
    }

  lab_run_builder_set_workload (sample, sample_workload, NULL);
  checked = g_settings_get_strv (settings, self->modes_key);
  for (guint i = 0; i < n_choices; i++)
    {
      gboolean on = g_strv_contains ((const char * const *) checked, lab_mode_to_string (choices[i].mode));

      adw_preferences_group_add (self->modes_group,
                                 mode_row_new (self, &choices[i], on,
                                               lab_run_builder_accepts_mode (sample, choices[i].mode)));
    }
}

/**
 * lab_run_options_get_checked:
 * @modes: (element-type LabMode): receives the checked modes, in order
 */
void
lab_run_options_get_checked (LabRunOptions *self,
                             GArray        *modes)
{
  g_return_if_fail (LAB_IS_RUN_OPTIONS (self));

  for (guint i = 0; i < self->n_choices; i++)
    {
      GtkCheckButton *check = self->mode_checks[self->choices[i].mode];

      if (gtk_widget_is_sensitive (GTK_WIDGET (check)) && gtk_check_button_get_active (check))
        g_array_append_val (modes, self->choices[i].mode);
    }
}

/* Sets the workers and the repetitions on @builder. */
void
lab_run_options_apply (LabRunOptions *self,
                       LabRunBuilder *builder)
{
  g_return_if_fail (LAB_IS_RUN_OPTIONS (self));

  if (self->can_sweep && gtk_switch_get_active (self->sweep_switch))
    lab_run_builder_set_worker_sweep (builder, worker_sweep_max ());
  else
    {
      guint workers = (guint) gtk_adjustment_get_value (self->workers_adjustment);

      lab_run_builder_set_workers (builder, &workers, 1);
    }
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT,
                              (guint64) gtk_adjustment_get_value (self->repeat_adjustment));
}

static void
lab_run_options_dispose (GObject *object)
{
  LabRunOptions *self = LAB_RUN_OPTIONS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_RUN_OPTIONS);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->modes_key, g_free);

  G_OBJECT_CLASS (lab_run_options_parent_class)->dispose (object);
}

static void
lab_run_options_class_init (LabRunOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_run_options_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-run-options.ui");
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, workers_row);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, sweep_row);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, sweep_switch);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, modes_group);
}

static void
lab_run_options_init (LabRunOptions *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 18);
}

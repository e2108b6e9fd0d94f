/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-machine.h"
#include "lab-run-options.h"
#include "lab-runtime-switch.h"

/**
 * LabRunOptions:
 *
 * The part of a form that every workload family shares: how many
 * workers, whether to sweep them, how many repetitions, who runs the
 * tasks, and which modes to compare. Its settings are the keys
 * "PREFIX-workers", "PREFIX-worker-sweep" (with a sweep), "PREFIX-repeat",
 * "PREFIX-runtime" (unless native only) and "PREFIX-modes".
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
  AdwActionRow        *mode_rows[LAB_N_MODES];
  gboolean             accepted[LAB_N_MODES];   /* by the family's workloads */

  /* Template children */
  AdwActionRow        *workers_row;
  GtkWidget           *workers_spin;
  GtkAdjustment       *workers_adjustment;
  AdwActionRow        *sweep_row;
  GtkSwitch           *sweep_switch;
  GtkAdjustment       *repeat_adjustment;
  LabRuntimeSwitch    *runtime_switch;
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

/* What a mode is when the chosen runtime runs it; NULL: the family's own
 * words for the native engine. */
static const char *
runtime_mode_description (LabRuntimeChoice choice,
                          LabMode          mode)
{
  gboolean nogil = choice == LAB_RUNTIME_CHOICE_CPYTHON_NOGIL;

  if (choice == LAB_RUNTIME_CHOICE_GIL)
    return mode == LAB_MODE_THREADS ? _("Native threads that must hold one lock to compute, handed over every 5 ms")
                                    : NULL;
  if (choice != LAB_RUNTIME_CHOICE_CPYTHON && !nogil)
    return NULL;

  switch (mode)
    {
    case LAB_MODE_SEQUENTIAL:
      return _("One interpreter runs one task after another");
    case LAB_MODE_THREADS:
      return nogil ? _("One interpreter without a GIL, with a pool of threads")
                   : _("One interpreter with a pool of threads, like ThreadPoolExecutor");
    case LAB_MODE_PROCESSES:
      return _("A pool of interpreter processes, like ProcessPoolExecutor");
    case LAB_MODE_SPAWN:
      return _("A fresh interpreter for every task");
    case LAB_MODE_ASYNC:
      return _("One interpreter with an asyncio event loop");
    case LAB_MODE_GIL:
    case LAB_MODE_GTASK:
    case LAB_MODE_HYBRID:
    case LAB_N_MODES:
    default:
      return NULL;
    }
}

/* Each mode row says what the chosen runtime runs: "CPython threads",
 * "Threads + emulated GIL", … and is insensitive where it runs nothing. */
static void
update_mode_rows (LabRunOptions *self)
{
  LabRuntimeChoice choice = lab_runtime_switch_get_choice (self->runtime_switch);
  LabRuntime runtime = lab_runtime_choice_get_runtime (choice);

  for (guint i = 0; i < self->n_choices; i++)
    {
      LabMode base = self->choices[i].mode;
      LabMode mode = lab_runtime_choice_map_mode (choice, base);
      const char *title = lab_variant_title (runtime, mode);
      g_autofree char *run_label = g_strdup_printf (_("Run “%s”"), title);
      GtkWidget *row = GTK_WIDGET (self->mode_rows[base]);
      GtkWidget *run = g_object_get_data (G_OBJECT (row), "lab-run-button");

      const char *description = runtime_mode_description (choice, base);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   description != NULL ? description : _(self->choices[i].description));
      if (run != NULL)
        {
          gtk_widget_set_tooltip_text (run, run_label);
          gtk_accessible_update_property (GTK_ACCESSIBLE (run), GTK_ACCESSIBLE_PROPERTY_LABEL, run_label, -1);
        }
      gtk_widget_set_sensitive (row, self->accepted[base] && lab_runtime_accepts_mode (runtime, mode));
    }
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

  g_object_set_data (G_OBJECT (row), "lab-run-button", run);
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
  self->mode_rows[choice->mode] = ADW_ACTION_ROW (row);
  self->accepted[choice->mode] = supported;
  return row;
}

/**
 * lab_run_options_setup:
 * @settings: where the options are kept
 * @prefix: the keys' prefix, e.g. "cpu"
 * @workers_subtitle: what a worker is for this family
 * @flags: whether to offer a sweep over worker counts, and a runtime
 * @sample_workload: a workload spec of the family, to find the modes it accepts
 * @choices: (array length=n_choices): the modes offered, in order; must
 *   outlive @self
 */
void
lab_run_options_setup (LabRunOptions       *self,
                       GSettings           *settings,
                       const char          *prefix,
                       const char          *workers_subtitle,
                       LabRunOptionsFlags   flags,
                       const char          *sample_workload,
                       const LabModeChoice *choices,
                       guint                n_choices)
{
  g_autoptr(LabRunBuilder) sample = lab_run_builder_new (LAB_PARAM_NAMES_TITLES);
  g_autofree char *workers_key = g_strconcat (prefix, "-workers", NULL);
  g_autofree char *repeat_key = g_strconcat (prefix, "-repeat", NULL);
  g_autofree char *runtime_key = g_strconcat (prefix, "-runtime", NULL);
  g_auto(GStrv) checked = NULL;

  g_return_if_fail (LAB_IS_RUN_OPTIONS (self));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  self->modes_key = g_strconcat (prefix, "-modes", NULL);
  self->can_sweep = (flags & LAB_RUN_OPTIONS_SWEEP) != 0;
  self->choices = choices;
  self->n_choices = n_choices;

  adw_action_row_set_subtitle (self->workers_row, workers_subtitle);
  g_settings_bind (settings, workers_key, self->workers_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, repeat_key, self->repeat_adjustment, "value", G_SETTINGS_BIND_DEFAULT);

  if (self->can_sweep)
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

  /* Without a runtime to pick, the switch stays unbound on its first
   * choice, the C engine, and no interpreter is looked for. */
  gtk_widget_set_visible (GTK_WIDGET (self->runtime_switch), (flags & LAB_RUN_OPTIONS_NATIVE_ONLY) == 0);
  if ((flags & LAB_RUN_OPTIONS_NATIVE_ONLY) == 0)
    lab_runtime_switch_bind (self->runtime_switch, settings, runtime_key);
  g_signal_connect_object (self->runtime_switch, "notify::choice", G_CALLBACK (update_mode_rows), self,
                           G_CONNECT_SWAPPED);
  update_mode_rows (self);
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

/* The workers and the repetitions. */
static void
apply_execution (LabRunOptions *self,
                 LabRunBuilder *builder)
{
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

/**
 * lab_run_options_apply:
 * @modes: (array length=n_modes): the modes to run, as the rows name them
 *
 * Sets the workers, the repetitions, the runtime and @modes as the chosen
 * runtime runs them (threads behind the emulated GIL are mode gil).
 */
void
lab_run_options_apply (LabRunOptions *self,
                       LabRunBuilder *builder,
                       const LabMode *modes,
                       guint          n_modes)
{
  LabRuntimeChoice choice;
  LabRuntime runtime;
  g_autoptr(GArray) mapped = g_array_new (FALSE, FALSE, sizeof (LabMode));

  g_return_if_fail (LAB_IS_RUN_OPTIONS (self));

  choice = lab_runtime_switch_get_choice (self->runtime_switch);
  runtime = lab_runtime_choice_get_runtime (choice);
  apply_execution (self, builder);
  for (guint i = 0; i < n_modes; i++)
    {
      LabMode mode = lab_runtime_choice_map_mode (choice, modes[i]);

      g_array_append_val (mapped, mode);
    }
  lab_run_builder_set_runtimes (builder, &runtime, 1);
  lab_run_builder_set_modes (builder, (const LabMode *) mapped->data, mapped->len);
}

/**
 * lab_run_options_apply_compare:
 *
 * Sets what Compare runs: native threads and processes next to the
 * chosen Python's threads and processes, or, without one chosen, next to
 * threads behind the emulated GIL (and CPython's, when there is one).
 */
void
lab_run_options_apply_compare (LabRunOptions *self,
                               LabRunBuilder *builder)
{
  static const LabMode python_modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  static const LabMode native_modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_GIL, LAB_MODE_PROCESSES };
  LabRuntimeChoice choice;
  LabRuntime runtimes[LAB_N_RUNTIMES] = { LAB_RUNTIME_NATIVE };
  guint n_runtimes = 1;

  g_return_if_fail (LAB_IS_RUN_OPTIONS (self));

  choice = lab_runtime_switch_get_choice (self->runtime_switch);
  apply_execution (self, builder);
  if (lab_runtime_switch_has (self->runtime_switch, LAB_RUNTIME_CPYTHON))
    runtimes[n_runtimes++] = LAB_RUNTIME_CPYTHON;
  if (choice == LAB_RUNTIME_CHOICE_CPYTHON_NOGIL)
    runtimes[n_runtimes++] = LAB_RUNTIME_CPYTHON_NOGIL;
  lab_run_builder_set_runtimes (builder, runtimes, n_runtimes);
  if (choice == LAB_RUNTIME_CHOICE_CPYTHON || choice == LAB_RUNTIME_CHOICE_CPYTHON_NOGIL)
    lab_run_builder_set_modes (builder, python_modes, G_N_ELEMENTS (python_modes));
  else
    lab_run_builder_set_modes (builder, native_modes, G_N_ELEMENTS (native_modes));
}

static void
lab_run_options_dispose (GObject *object)
{
  LabRunOptions *self = LAB_RUN_OPTIONS (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_RUN_OPTIONS);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
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

  g_type_ensure (LAB_TYPE_RUNTIME_SWITCH);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-run-options.ui");
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, workers_row);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, workers_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, sweep_row);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, sweep_switch);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, repeat_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LabRunOptions, runtime_switch);
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

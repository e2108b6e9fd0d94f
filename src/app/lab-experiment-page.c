/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-explanation.h"
#include "lab-machine.h"
#include "lab-experiment-page-private.h"
#include "lab-save-dialog.h"

/**
 * LabExperimentPage:
 *
 * A page that runs the experiment its form describes, and keeps what was
 * measured with the same settings together: a run of one mode adds its
 * cells beside the earlier ones. Results measured with other settings
 * than the form's are marked as such.
 *
 * Built from parts: a #LabForm (the "form" property, one per workload
 * family), a #LabRunView, a #LabResultsView and a #LabChartsView. Every
 * run it starts is kept in the history it is given
 * (lab_experiment_page_set_history()).
 */

/* The main loop's heartbeat during a run: its lateness is the stall. */
#define STALL_METER_INTERVAL_MS 5
/* Workers yield to the window, so that it stays smooth when W > cores. */
#define WORKER_NICE 10
/* Sets of results made with other settings that the page keeps. */
#define MAX_SETS 8

static void lab_experiment_page_page_init (LabPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabExperimentPage, lab_experiment_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_PAGE, lab_experiment_page_page_init))

enum {
  PROP_0,
  PROP_FORM,
  PROP_FILE_PREFIX,
  PROP_IDLE_STATUS,
  N_PROPS,
  /* LabPage */
  PROP_RUNNING = N_PROPS,
  PROP_BLOCKED_REASON,
  PROP_SERVER_URL,
};

static GParamSpec *properties[N_PROPS];

static gboolean
lab_experiment_page_get_running (LabExperimentPage *self)
{
  return self->cancellable != NULL;
}

void
lab_experiment_page_update_actions (LabExperimentPage *self)
{
  gboolean running = lab_experiment_page_get_running (self);
  gboolean can_start = !running && self->blocked_reason == NULL;
  gboolean has_results = !running && self->set != NULL;
  static const char * const exports[] = {
    "page.export-results", "page.export-spans", "page.export-trace", "page.export-chart",
  };

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.compare", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.run-mode", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.compare-runtimes", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.clear", has_results);
  for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), exports[i], has_results);
}

/* What the page says before it runs: the form's words for its workload,
 * or the page's own. */
static const char *
lab_experiment_page_get_idle_status (LabExperimentPage *self)
{
  const char *status = lab_form_get_idle_status (self->form);

  return status != NULL ? status : self->idle_status;
}

/* Readings ---------------------------------------------------------------- */

static void
lab_experiment_page_update_reading (LabExperimentPage *self)
{
  g_autofree char *warning = NULL;
  g_autofree char *explanation = NULL;
  g_autofree char *errors = NULL;

  if (self->set != NULL)
    {
      warning = lab_explanation_describe_trust (self->set);
      explanation = lab_explanation_describe_results (self->set, lab_experiment_page_get_running (self));
      errors = lab_explanation_describe_errors (self->set);
    }
  else
    explanation = g_strdup (_("Press Start to run the checked modes."));
  lab_run_view_set_reading (self->run_view, warning, explanation, errors);
}

/* The experiment the form describes now, or NULL with the reason. */
static LabRunConfig *
lab_experiment_page_build (LabExperimentPage  *self,
                           LabRunBuilder      *builder,
                           GError            **error)
{
  if (lab_run_builder_needs_server (builder))
    lab_run_builder_set_server (builder, self->server_url);
  lab_run_builder_set_number (builder, LAB_PARAM_NICE, WORKER_NICE);
  return lab_run_builder_build (builder, error);
}

/* Says whether the shown results belong to the form's settings. */
static void
lab_experiment_page_update_caption (LabExperimentPage *self)
{
  LabMode any = LAB_MODE_SEQUENTIAL;
  g_autoptr(LabRunConfig) config = NULL;
  gboolean other = FALSE;

  if (self->set != NULL && !lab_experiment_page_get_running (self))
    {
      g_autoptr(LabRunBuilder) builder = lab_form_dup_builder (self->form, &any, 1);

      config = lab_experiment_page_build (self, builder, NULL);
      other = config == NULL || !lab_result_set_accepts (self->set, config);
    }
  lab_results_view_set_caption (self->results_view,
                                self->set != NULL ? lab_result_set_get_caption (self->set) : NULL,
                                other);
}

static void
lab_experiment_page_show_results (LabExperimentPage *self,
                                  LabResultSet      *set)
{
  guint shown = GTK_INVALID_LIST_POSITION;

  if (set != NULL)
    g_ptr_array_find (self->sets, set, &shown);
  lab_results_view_set_sets (self->results_view, G_LIST_MODEL (self->set_captions), shown);
  if (self->set == set)
    return;
  g_set_object (&self->set, set);
  lab_results_view_set_model (self->results_view, set != NULL ? lab_result_set_get_cells (set) : NULL);
  lab_results_view_set_io (self->results_view, set != NULL && lab_result_set_get_io (set));
  lab_charts_view_set_results (self->charts_view, set);
}

/* Running ----------------------------------------------------------------- */

static void
lab_experiment_page_set_running (LabExperimentPage *self,
                                 gboolean           running)
{
  lab_charts_view_set_running (self->charts_view, running);
  lab_experiment_page_update_actions (self);
  lab_experiment_page_update_caption (self);
  g_object_notify (G_OBJECT (self), "running");
}

static void
on_cell_finished (LabExperimentPage *self)
{
  lab_experiment_page_update_reading (self);
}

static void
lab_experiment_page_execute_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(LabExperimentPage) self = user_data;
  LabRun *run = LAB_RUN (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *window_text = NULL;
  double stop_ms = 0, ui_cpu_s;

  lab_run_execute_finish (run, result, &error);
  if (run != self->run)
    return;

  lab_stall_meter_stop (self->stall_meter);
  ui_cpu_s = lab_machine_ui_cpu_s () - self->ui_cpu_start_s;
  lab_run_set_ui_cost (run, lab_stall_meter_get_max_ms (self->stall_meter), ui_cpu_s);
  g_clear_object (&self->cancellable);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    stop_ms = (g_get_monotonic_time () - self->cancel_requested_us) / 1000.0;
  else if (error != NULL)
    lab_toast_show (GTK_WIDGET (self), error->message);
  lab_run_view_finish (self->run_view, error, stop_ms);

  window_text = lab_explanation_describe_window (self->stall_meter, ui_cpu_s);
  lab_run_view_set_window_text (self->run_view, window_text);
  lab_experiment_page_update_reading (self);
  lab_experiment_page_set_running (self, FALSE);
}

/* The kept set that @config's results belong to, or a new one. */
static LabResultSet *
lab_experiment_page_find_set (LabExperimentPage  *self,
                              const LabRunConfig *config)
{
  LabResultSet *set;

  for (guint i = self->sets->len; i-- > 0;)
    if (lab_result_set_accepts (g_ptr_array_index (self->sets, i), config))
      return g_ptr_array_index (self->sets, i);

  if (self->sets->len == MAX_SETS)
    {
      g_ptr_array_remove_index (self->sets, 0);
      gtk_string_list_remove (self->set_captions, 0);
    }
  set = lab_result_set_new (config);
  g_ptr_array_add (self->sets, set);
  gtk_string_list_append (self->set_captions, lab_result_set_get_caption (set));
  return set;
}

/* Shows the set picked in the results view, unless a run goes on. */
static void
on_show_set (LabExperimentPage *self,
             guint              index)
{
  if (lab_experiment_page_get_running (self) || index >= self->sets->len)
    {
      lab_experiment_page_show_results (self, self->set);
      return;
    }
  lab_experiment_page_show_results (self, g_ptr_array_index (self->sets, index));
  lab_experiment_page_update_caption (self);
  lab_experiment_page_update_reading (self);
  lab_run_view_set_window_text (self->run_view, "");
}

static void
lab_experiment_page_start (LabExperimentPage  *self,
                           const LabRunConfig *config)
{
  LabResultSet *set = lab_experiment_page_find_set (self, config);

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_clear_object (&self->run);
  self->run = lab_run_new (config);
  self->cancellable = g_cancellable_new ();

  lab_result_set_add_run (set, self->run);
  lab_experiment_page_show_results (self, set);
  lab_charts_view_follow_run (self->charts_view, self->run);
  g_signal_connect_object (self->run, "cell-finished", G_CALLBACK (on_cell_finished), self, G_CONNECT_SWAPPED);

  lab_run_view_start (self->run_view, self->run);
  lab_run_view_set_reading (self->run_view, NULL, "", NULL);
  adw_leaflet_set_visible_child (self->leaflet, self->results_pane);

  /* Before it starts: each repetition is then kept before the page
   * shows it. */
  if (self->history != NULL)
    lab_history_track_run (self->history, self->run);

  self->ui_cpu_start_s = lab_machine_ui_cpu_s ();
  lab_stall_meter_start (self->stall_meter);
  lab_experiment_page_set_running (self, TRUE);
  lab_run_execute_async (self->run, self->cancellable, lab_experiment_page_execute_cb, g_object_ref (self));
}

/**
 * lab_experiment_page_run_builder:
 * @builder: the experiment; the page sets its worker niceness
 *
 * Runs what @builder describes as if its parameters had been entered on
 * the page, without touching the form. A builder that does not check out
 * is reported in a toast. Does nothing while running or blocked.
 */
void
lab_experiment_page_run_builder (LabExperimentPage *self,
                                 LabRunBuilder     *builder)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (self));
  g_return_if_fail (builder != NULL);

  if (lab_experiment_page_get_running (self) || self->blocked_reason != NULL)
    return;
  config = lab_experiment_page_build (self, builder, &error);
  if (config == NULL)
    {
      lab_toast_show (GTK_WIDGET (self), error->message);
      return;
    }
  lab_experiment_page_start (self, config);
}

static void
lab_experiment_page_run_modes (LabExperimentPage *self,
                               GArray            *modes)
{
  g_autoptr(LabRunBuilder) builder = NULL;

  if (lab_experiment_page_get_running (self) || self->blocked_reason != NULL)
    return;
  if (modes->len == 0)
    {
      lab_toast_show (GTK_WIDGET (self), _("Check at least one mode to compare"));
      return;
    }
  builder = lab_form_dup_builder (self->form, (const LabMode *) modes->data, modes->len);
  lab_experiment_page_run_builder (self, builder);
}

static void
lab_experiment_page_compare_runtimes_action (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *parameter)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (widget);
  g_autoptr(LabRunBuilder) builder = NULL;

  if (lab_experiment_page_get_running (self) || self->blocked_reason != NULL)
    return;
  builder = lab_form_dup_compare_builder (self->form);
  lab_experiment_page_run_builder (self, builder);
}

/* LabPage ----------------------------------------------------------------- */

static void
lab_experiment_page_compare (LabPage *page)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (page);
  g_autoptr(GArray) modes = g_array_new (FALSE, FALSE, sizeof (LabMode));

  lab_form_get_checked_modes (self->form, modes);
  lab_experiment_page_run_modes (self, modes);
}

static void
lab_experiment_page_cancel (LabPage *page)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (page);

  if (self->cancellable == NULL)
    return;
  if (!g_cancellable_is_cancelled (self->cancellable))
    self->cancel_requested_us = g_get_monotonic_time ();
  g_cancellable_cancel (self->cancellable);
  lab_run_view_set_status (self->run_view, _("Cancelling…"));
}

static void
lab_experiment_page_page_init (LabPageInterface *iface)
{
  iface->start = lab_experiment_page_compare;
  iface->stop = lab_experiment_page_cancel;
}

static void
lab_experiment_page_set_blocked_reason (LabExperimentPage *self,
                                        const char        *reason)
{
  if (g_strcmp0 (self->blocked_reason, reason) == 0)
    return;
  g_free (self->blocked_reason);
  self->blocked_reason = g_strdup (reason);
  if (!lab_experiment_page_get_running (self))
    lab_run_view_set_status (self->run_view, reason != NULL ? reason : lab_experiment_page_get_idle_status (self));
  lab_experiment_page_update_actions (self);
  g_object_notify (G_OBJECT (self), "blocked-reason");
}

/* Actions ----------------------------------------------------------------- */

static void
lab_experiment_page_page_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (widget);

  if (g_str_equal (action_name, "page.compare"))
    lab_experiment_page_compare (LAB_PAGE (self));
  else if (g_str_equal (action_name, "page.cancel"))
    lab_experiment_page_cancel (LAB_PAGE (self));
  else if (g_str_equal (action_name, "page.show-results"))
    adw_leaflet_set_visible_child (self->leaflet, self->results_pane);
  else if (g_str_equal (action_name, "page.show-parameters"))
    adw_leaflet_set_visible_child (self->leaflet, self->parameters_pane);
  else if (g_str_equal (action_name, "page.clear") && self->set != NULL)
    {
      guint position;

      /* Forget the shown set; show the latest of the others. */
      if (g_ptr_array_find (self->sets, self->set, &position))
        {
          gtk_string_list_remove (self->set_captions, position);
          g_ptr_array_remove_index (self->sets, position);
        }
      lab_experiment_page_show_results (self, self->sets->len > 0 ? g_ptr_array_index (self->sets, self->sets->len - 1) : NULL);
      lab_experiment_page_update_caption (self);
      lab_experiment_page_update_reading (self);
      lab_run_view_set_window_text (self->run_view, "");
      lab_experiment_page_update_actions (self);
    }
}

static void
lab_experiment_page_run_mode_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  g_autoptr(GArray) modes = g_array_new (FALSE, FALSE, sizeof (LabMode));
  LabMode mode;

  if (!lab_mode_from_string (g_variant_get_string (parameter, NULL), &mode))
    return;
  g_array_append_val (modes, mode);
  lab_experiment_page_run_modes (LAB_EXPERIMENT_PAGE (widget), modes);
}

/* Public ------------------------------------------------------------------ */

/**
 * lab_experiment_page_set_history:
 * @history: (nullable): where the runs the page starts are kept from now on
 */
void
lab_experiment_page_set_history (LabExperimentPage *self,
                                 LabHistory        *history)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PAGE (self));
  g_return_if_fail (history == NULL || LAB_IS_HISTORY (history));

  g_set_object (&self->history, history);
}

/**
 * lab_experiment_page_get_run:
 *
 * Returns: (transfer none) (nullable): the current or last run
 */
LabRun *
lab_experiment_page_get_run (LabExperimentPage *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PAGE (self), NULL);
  return self->run;
}

/**
 * lab_experiment_page_get_stall_meter:
 *
 * Returns: (transfer none): the main-loop stalls of the current or last run
 */
LabStallMeter *
lab_experiment_page_get_stall_meter (LabExperimentPage *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PAGE (self), NULL);
  return self->stall_meter;
}

/* GObject ----------------------------------------------------------------- */

/* Before the first run, the status follows the form's workload. */
static void
on_form_changed (LabExperimentPage *self)
{
  if (self->run == NULL && self->blocked_reason == NULL)
    lab_run_view_set_status (self->run_view, lab_experiment_page_get_idle_status (self));
}

static void
on_leaflet_folded (LabExperimentPage *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_widget_set_visible (self->show_results_button, folded);
  gtk_widget_set_visible (self->back_button, folded);
}

static void
lab_experiment_page_constructed (GObject *object)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  G_OBJECT_CLASS (lab_experiment_page_parent_class)->constructed (object);

  g_return_if_fail (LAB_IS_FORM (self->form));
  gtk_box_prepend (self->form_box, GTK_WIDGET (self->form));
  g_signal_connect_object (self->form, "changed", G_CALLBACK (lab_experiment_page_update_caption),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->form, "changed", G_CALLBACK (on_form_changed), self, G_CONNECT_SWAPPED);

  g_menu_append_section (self->chart_export_section, NULL,
                         lab_charts_view_get_export_menu (self->charts_view));
  lab_run_view_set_export_menu (self->run_view, G_MENU_MODEL (self->export_menu));

  adw_leaflet_page_set_navigatable (adw_leaflet_get_page (self->leaflet, self->separator), FALSE);
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (on_leaflet_folded), self, G_CONNECT_SWAPPED);
  on_leaflet_folded (self);

  lab_run_view_set_status (self->run_view, lab_experiment_page_get_idle_status (self));
  lab_experiment_page_update_reading (self);
  lab_experiment_page_update_caption (self);
  lab_experiment_page_update_actions (self);
}

static void
lab_experiment_page_dispose (GObject *object)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->stall_meter != NULL)
    lab_stall_meter_stop (self->stall_meter);
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_EXPERIMENT_PAGE);

  g_clear_object (&self->run);
  g_clear_object (&self->set);
  g_clear_pointer (&self->sets, g_ptr_array_unref);
  g_clear_object (&self->set_captions);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->history);
  g_clear_object (&self->form);
  g_clear_pointer (&self->stall_meter, lab_stall_meter_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->blocked_reason, g_free);
  g_clear_pointer (&self->file_prefix, g_free);
  g_clear_pointer (&self->idle_status, g_free);

  G_OBJECT_CLASS (lab_experiment_page_parent_class)->dispose (object);
}

static void
lab_experiment_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FORM:
      g_value_set_object (value, self->form);
      break;
    case PROP_FILE_PREFIX:
      g_value_set_string (value, self->file_prefix);
      break;
    case PROP_IDLE_STATUS:
      g_value_set_string (value, self->idle_status);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, lab_experiment_page_get_running (self));
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
lab_experiment_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_FORM:
      self->form = g_value_dup_object (value);
      break;
    case PROP_FILE_PREFIX:
      g_free (self->file_prefix);
      self->file_prefix = g_value_dup_string (value);
      break;
    case PROP_IDLE_STATUS:
      g_free (self->idle_status);
      self->idle_status = g_value_dup_string (value);
      break;
    case PROP_BLOCKED_REASON:
      lab_experiment_page_set_blocked_reason (self, g_value_get_string (value));
      break;
    case PROP_SERVER_URL:
      g_free (self->server_url);
      self->server_url = g_value_dup_string (value);
      lab_experiment_page_update_caption (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_experiment_page_class_init (LabExperimentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = lab_experiment_page_constructed;
  object_class->dispose = lab_experiment_page_dispose;
  object_class->get_property = lab_experiment_page_get_property;
  object_class->set_property = lab_experiment_page_set_property;

  properties[PROP_FORM] =
    g_param_spec_object ("form", NULL, NULL, LAB_TYPE_FORM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE_PREFIX] =
    g_param_spec_string ("file-prefix", NULL, NULL, "results",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDLE_STATUS] =
    g_param_spec_string ("idle-status", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_RUNNING, "running");
  g_object_class_override_property (object_class, PROP_BLOCKED_REASON, "blocked-reason");
  g_object_class_override_property (object_class, PROP_SERVER_URL, "server-url");

  g_type_ensure (LAB_TYPE_RUN_VIEW);
  g_type_ensure (LAB_TYPE_RESULTS_VIEW);
  g_type_ensure (LAB_TYPE_CHARTS_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-experiment-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, parameters_pane);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, separator);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, results_pane);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, form_box);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, show_results_button);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, run_view);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, results_view);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, charts_view);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, export_menu);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPage, chart_export_section);

  gtk_widget_class_install_action (widget_class, "page.compare", NULL, lab_experiment_page_page_action);
  gtk_widget_class_install_action (widget_class, "page.cancel", NULL, lab_experiment_page_page_action);
  gtk_widget_class_install_action (widget_class, "page.clear", NULL, lab_experiment_page_page_action);
  gtk_widget_class_install_action (widget_class, "page.show-results", NULL, lab_experiment_page_page_action);
  gtk_widget_class_install_action (widget_class, "page.show-parameters", NULL, lab_experiment_page_page_action);
  gtk_widget_class_install_action (widget_class, "page.run-mode", "s", lab_experiment_page_run_mode_action);
  gtk_widget_class_install_action (widget_class, "page.compare-runtimes", NULL,
                                   lab_experiment_page_compare_runtimes_action);
  lab_experiment_page_class_install_exports (widget_class);
}

static void
lab_experiment_page_init (LabExperimentPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stall_meter = lab_stall_meter_new (STALL_METER_INTERVAL_MS);
  self->sets = g_ptr_array_new_with_free_func (g_object_unref);
  self->set_captions = gtk_string_list_new (NULL);
  g_signal_connect_object (self->results_view, "show-set", G_CALLBACK (on_show_set), self, G_CONNECT_SWAPPED);
}

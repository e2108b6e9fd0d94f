/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-bar-chart.h"
#include "lab-charts-view.h"
#include "lab-cpu-chart.h"
#include "lab-drop-down.h"
#include "lab-machine.h"
#include "lab-queue-chart.h"
#include "lab-speedup-chart.h"
#include "lab-stages-chart.h"
#include "lab-timeline.h"

/**
 * LabChartsView:
 *
 * The charts of a page: wall time and speed-up of the shown results, the
 * timeline of one repetition, picked from every repetition of the shown
 * runs (by default the latest, followed live), and the CPU use of the
 * whole machine during the current run. For the pipeline, also how busy
 * each stage was, and how full its queues were in the repetition shown.
 */
struct _LabChartsView
{
  GtkWidget      parent_instance;

  LabResultSet  *set;
  LabRun        *live_run;
  GPtrArray     *repetitions;   /* LabRepetition, as listed in the drop-down */
  GArray        *totals;        /* guint: measured repetitions of each one's cell */
  GtkStringList *repetition_names;
  GMenu         *export_menu;
  gboolean       following;
  gboolean       pipeline;
  gboolean       live;

  /* Template children */
  GtkWidget     *bar_chart;
  GtkWidget     *stages_section;
  GtkWidget     *stages_chart;
  GtkWidget     *queue_frame;
  GtkWidget     *queue_chart;
  GtkWidget     *speedup_section;
  GtkWidget     *speedup_chart;
  GtkWidget     *timeline;
  GtkWidget     *cpu_section;
  GtkWidget     *cpu_chart;
  GtkDropDown   *repetition_dropdown;
};

G_DEFINE_FINAL_TYPE (LabChartsView, lab_charts_view, GTK_TYPE_WIDGET)

static char *
repetition_name (LabRepetition *rep)
{
  const char *mode = lab_variant_title (rep->runtime, rep->mode);

  if (rep->warmup)
    /* Translators: "Threads · 4 workers · warm-up" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u worker · warm-up",
                                         "%s · %u workers · warm-up", rep->workers), mode, rep->workers);
  /* Translators: "Threads · 4 workers · repetition 2" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u worker · repetition %u",
                                       "%s · %u workers · repetition %u", rep->workers),
                          mode, rep->workers, rep->repeat);
}

static void
lab_charts_view_add_repetition (LabChartsView *self,
                                LabRun        *run,
                                LabRepetition *rep)
{
  g_autofree char *name = repetition_name (rep);
  guint total = lab_run_get_config (run)->repeat;

  g_ptr_array_add (self->repetitions, lab_repetition_ref (rep));
  g_array_append_val (self->totals, total);
  gtk_string_list_append (self->repetition_names, name);
}

static void
lab_charts_view_show_repetition (LabChartsView *self,
                                 guint          index)
{
  LabRepetition *rep = index < self->repetitions->len ? g_ptr_array_index (self->repetitions, index) : NULL;

  lab_timeline_set_repetition_total (LAB_TIMELINE (self->timeline),
                                     rep != NULL ? g_array_index (self->totals, guint, index) : 0);
  lab_timeline_set_repetition (LAB_TIMELINE (self->timeline), rep);
  lab_queue_chart_set_repetition (LAB_QUEUE_CHART (self->queue_chart), rep,
                                  rep != NULL ? gtk_string_list_get_string (self->repetition_names, index) : NULL);
}

static void
on_repetition_selected (LabChartsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->repetition_dropdown);

  /* Picking the latest repetition follows the run; an earlier one stays. */
  self->following = selected + 1 >= self->repetitions->len;
  lab_charts_view_show_repetition (self, selected);
}

static void
lab_charts_view_select_last (LabChartsView *self)
{
  guint n = self->repetitions->len;

  g_signal_handlers_block_by_func (self->repetition_dropdown, on_repetition_selected, self);
  gtk_drop_down_set_selected (self->repetition_dropdown, n > 0 ? n - 1 : GTK_INVALID_LIST_POSITION);
  g_signal_handlers_unblock_by_func (self->repetition_dropdown, on_repetition_selected, self);
  self->following = TRUE;
  lab_charts_view_show_repetition (self, n > 0 ? n - 1 : G_MAXUINT);
}

static void
on_repetition_started (LabChartsView *self,
                       LabRepetition *rep)
{
  lab_charts_view_add_repetition (self, self->live_run, rep);
  if (self->following)
    lab_charts_view_select_last (self);
}

static void
on_spans_added (LabChartsView *self,
                LabRepetition *rep,
                guint          first,
                guint          n_spans)
{
  if (lab_timeline_get_repetition (LAB_TIMELINE (self->timeline)) == rep)
    {
      lab_timeline_spans_added (LAB_TIMELINE (self->timeline), first, n_spans);
      /* The queues are sampled as the documents move: they grow with the spans */
      lab_queue_chart_samples_added (LAB_QUEUE_CHART (self->queue_chart));
    }
}

static void
on_repetition_finished (LabChartsView *self,
                        LabRepetition *rep)
{
  if (lab_timeline_get_repetition (LAB_TIMELINE (self->timeline)) == rep)
    {
      lab_timeline_repetition_finished (LAB_TIMELINE (self->timeline));
      lab_queue_chart_samples_added (LAB_QUEUE_CHART (self->queue_chart));
    }
}

static void
lab_charts_view_clear_repetitions (LabChartsView *self)
{
  g_ptr_array_set_size (self->repetitions, 0);
  g_array_set_size (self->totals, 0);
  gtk_string_list_splice (self->repetition_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->repetition_names)), NULL);
}

static gboolean
set_is_pipeline (LabResultSet *set)
{
  GPtrArray *runs = set != NULL ? lab_result_set_get_runs (set) : NULL;

  return runs != NULL && runs->len > 0 &&
         lab_run_get_config (g_ptr_array_index (runs, 0))->workload->kind == LAB_WORKLOAD_PIPELINE;
}

static void
lab_charts_view_add_exports (LabChartsView *self,
                             const char    *title,
                             const char    *id)
{
  static const char * const formats[] = { "png", "svg" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      /* Translators: %s is the name of a chart, e.g. "Timeline" */
      g_autofree char *label = g_strdup_printf (f == 0 ? _("%s as PNG…") : _("%s as SVG…"), title);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "page.export-chart", g_variant_new ("(ss)", id, formats[f]));
      g_menu_append_item (self->export_menu, item);
    }
}

/* The exports of the charts shown */
static void
lab_charts_view_update_exports (LabChartsView *self)
{
  gboolean pipeline = self->pipeline;

  g_menu_remove_all (self->export_menu);
  lab_charts_view_add_exports (self, _("Wall time"), "bars");
  if (pipeline)
    lab_charts_view_add_exports (self, _("Stage busy times"), "stages");
  else
    lab_charts_view_add_exports (self, _("Speed-up"), "speedup");
  lab_charts_view_add_exports (self, _("Timeline"), "timeline");
  if (pipeline)
    lab_charts_view_add_exports (self, _("Queue lengths"), "queues");
  if (self->live)
    lab_charts_view_add_exports (self, _("CPU use"), "cpu");
}

/* The charts shown: the pipeline's two only for it */
static void
lab_charts_view_set_pipeline (LabChartsView *self,
                              gboolean       pipeline)
{
  if (pipeline == self->pipeline && g_menu_model_get_n_items (G_MENU_MODEL (self->export_menu)) > 0)
    return;
  self->pipeline = pipeline;
  gtk_widget_set_visible (self->stages_section, pipeline);
  gtk_widget_set_visible (self->queue_frame, pipeline);
  lab_charts_view_update_exports (self);
}

/**
 * lab_charts_view_set_results:
 * @set: (nullable): the results to chart
 */
void
lab_charts_view_set_results (LabChartsView *self,
                             LabResultSet  *set)
{
  GListModel *cells = set != NULL ? lab_result_set_get_cells (set) : NULL;

  g_return_if_fail (LAB_IS_CHARTS_VIEW (self));

  g_set_object (&self->set, set);
  lab_charts_view_set_pipeline (self, set_is_pipeline (set));
  lab_bar_chart_set_model (LAB_BAR_CHART (self->bar_chart), cells);
  lab_cells_chart_set_model (LAB_CELLS_CHART (self->stages_chart), self->pipeline ? cells : NULL);
  lab_speedup_chart_set_model (LAB_SPEEDUP_CHART (self->speedup_chart), cells);
  gtk_widget_set_visible (self->speedup_section, set == NULL || !lab_result_set_get_io (set));

  lab_charts_view_clear_repetitions (self);
  for (guint r = 0; set != NULL && r < lab_result_set_get_runs (set)->len; r++)
    {
      LabRun *run = g_ptr_array_index (lab_result_set_get_runs (set), r);
      GPtrArray *reps = lab_run_get_repetitions (run);

      for (guint i = 0; i < reps->len; i++)
        lab_charts_view_add_repetition (self, run, g_ptr_array_index (reps, i));
    }
  lab_charts_view_select_last (self);
}

/**
 * lab_charts_view_follow_run:
 * @run: a run of the shown set, about to start
 *
 * Lists @run's repetitions as they start, and shows them live in the
 * timeline unless an earlier one was picked.
 */
void
lab_charts_view_follow_run (LabChartsView *self,
                            LabRun        *run)
{
  g_return_if_fail (LAB_IS_CHARTS_VIEW (self));

  if (self->live_run != NULL)
    g_signal_handlers_disconnect_by_data (self->live_run, self);
  g_set_object (&self->live_run, run);
  self->following = TRUE;
  g_signal_connect_object (run, "repetition-started", G_CALLBACK (on_repetition_started), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "spans-added", G_CALLBACK (on_spans_added), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "repetition-finished", G_CALLBACK (on_repetition_finished), self,
                           G_CONNECT_SWAPPED);
}

/**
 * lab_charts_view_set_live:
 * @live: whether the charts show runs made now (the default), with the
 *   CPU use of the machine as they go; not for runs read back from the
 *   history, whose CPU use was not kept
 */
void
lab_charts_view_set_live (LabChartsView *self,
                          gboolean       live)
{
  g_return_if_fail (LAB_IS_CHARTS_VIEW (self));

  if (self->live == live)
    return;
  self->live = live;
  gtk_widget_set_visible (self->cpu_section, live);
  lab_charts_view_update_exports (self);
}

/* Whether the CPU chart samples the machine. */
void
lab_charts_view_set_running (LabChartsView *self,
                             gboolean       running)
{
  g_return_if_fail (LAB_IS_CHARTS_VIEW (self));
  g_object_set (self->cpu_chart, "running", running, NULL);
}

/**
 * lab_charts_view_find_chart:
 * @id: "bars", "speedup", "timeline" or "cpu"; for the pipeline "stages"
 *   or "queues"
 *
 * Returns: (transfer none) (nullable): that chart
 */
LabChart *
lab_charts_view_find_chart (LabChartsView *self,
                            const char    *id)
{
  GtkWidget *charts[] = {
    self->bar_chart, self->speedup_chart, self->timeline, self->cpu_chart, self->stages_chart, self->queue_chart,
  };

  g_return_val_if_fail (LAB_IS_CHARTS_VIEW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    if (g_str_equal (gtk_widget_get_name (charts[i]), id))
      return LAB_CHART (charts[i]);
  return NULL;
}

/**
 * lab_charts_view_get_export_menu:
 *
 * Returns: (transfer none): items "Wall time as PNG…" and so on, for the
 *   action "page.export-chart" with the target (chart id, "png" or "svg")
 */
GMenuModel *
lab_charts_view_get_export_menu (LabChartsView *self)
{
  g_return_val_if_fail (LAB_IS_CHARTS_VIEW (self), NULL);
  return G_MENU_MODEL (self->export_menu);
}

static void
lab_charts_view_dispose (GObject *object)
{
  LabChartsView *self = LAB_CHARTS_VIEW (object);
  GtkWidget *child;

  if (self->live_run != NULL)
    g_signal_handlers_disconnect_by_data (self->live_run, self);
  if (self->repetition_dropdown != NULL)
    g_signal_handlers_disconnect_by_data (self->repetition_dropdown, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_CHARTS_VIEW);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->live_run);
  g_clear_object (&self->set);
  g_clear_pointer (&self->repetitions, g_ptr_array_unref);
  g_clear_pointer (&self->totals, g_array_unref);
  g_clear_object (&self->repetition_names);
  g_clear_object (&self->export_menu);

  G_OBJECT_CLASS (lab_charts_view_parent_class)->dispose (object);
}

static void
lab_charts_view_class_init (LabChartsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_charts_view_dispose;

  g_type_ensure (LAB_TYPE_BAR_CHART);
  g_type_ensure (LAB_TYPE_SPEEDUP_CHART);
  g_type_ensure (LAB_TYPE_TIMELINE);
  g_type_ensure (LAB_TYPE_CPU_CHART);
  g_type_ensure (LAB_TYPE_STAGES_CHART);
  g_type_ensure (LAB_TYPE_QUEUE_CHART);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-charts-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, bar_chart);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, stages_section);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, stages_chart);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, queue_frame);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, queue_chart);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, speedup_section);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, speedup_chart);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, timeline);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, cpu_section);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, cpu_chart);
  gtk_widget_class_bind_template_child (widget_class, LabChartsView, repetition_dropdown);
}

static void
lab_charts_view_init (LabChartsView *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 18);

  self->repetitions = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_repetition_unref);
  self->totals = g_array_new (FALSE, FALSE, sizeof (guint));
  self->repetition_names = gtk_string_list_new (NULL);
  self->following = TRUE;
  self->live = TRUE;
  gtk_drop_down_set_model (self->repetition_dropdown, G_LIST_MODEL (self->repetition_names));
  lab_drop_down_setup_strings (self->repetition_dropdown, _("Repetition shown"));
  g_signal_connect_object (self->repetition_dropdown, "notify::selected", G_CALLBACK (on_repetition_selected),
                           self, G_CONNECT_SWAPPED);

  lab_speedup_chart_set_n_cpus (LAB_SPEEDUP_CHART (self->speedup_chart), lab_machine_n_cpus ());

  self->export_menu = g_menu_new ();
  lab_charts_view_set_pipeline (self, FALSE);
}

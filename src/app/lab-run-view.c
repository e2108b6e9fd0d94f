/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-redraw-pacer.h"
#include "lab-run-view.h"


/**
 * LabRunView:
 *
 * The state of a page's run and what its results mean: a status line,
 * the progress (polled at a bounded rate, not on every task), a warning
 * when the figures cannot be trusted, the explanation, the errors, and
 * how the window itself fared.
 */
struct _LabRunView
{
  GtkWidget       parent_instance;

  LabRun         *run;

  /* Template children */
  GtkLabel       *status_label;
  GtkMenuButton  *export_button;
  GtkProgressBar *progress_bar;
  GtkLabel       *warning_label;
  GtkLabel       *explanation_label;
  GtkLabel       *errors_label;
  GtkLabel       *window_label;
};

G_DEFINE_FINAL_TYPE (LabRunView, lab_run_view, GTK_TYPE_WIDGET)

static void
set_optional_text (GtkLabel   *label,
                   const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
update_progress_cb (gpointer user_data)
{
  LabRunView *self = user_data;
  guint done = lab_run_get_tasks_done (self->run);
  guint total = lab_run_get_tasks_total (self->run);
  guint reps_done = lab_run_get_repetitions_done (self->run);
  guint reps_total = lab_run_get_repetitions_total (self->run);
  g_autofree char *text = NULL;

  /* Translators: "Repetition 2 of 12 · 30 of 160 tasks" */
  text = g_strdup_printf (_("Repetition %u of %u · %u of %u tasks"),
                          MIN (reps_done + 1, MAX (reps_total, 1)), reps_total, done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0.0);
}

/* Progress is drawn on the window's paced clock, not on every task: the
 * window must not take the CPU time it is measuring. */
static void
on_progress (LabRunView *self)
{
  if (lab_run_get_running (self->run))
    lab_redraw_pacer_request (GTK_WIDGET (self), update_progress_cb, self);
}

/* The status line when no run is going on, e.g. why the page waits. */
void
lab_run_view_set_status (LabRunView *self,
                         const char *status)
{
  g_return_if_fail (LAB_IS_RUN_VIEW (self));
  gtk_label_set_text (self->status_label, status);
}

void
lab_run_view_start (LabRunView *self,
                    LabRun     *run)
{
  g_return_if_fail (LAB_IS_RUN_VIEW (self));
  g_return_if_fail (LAB_IS_RUN (run));

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_set_object (&self->run, run);
  g_signal_connect_object (run, "notify::tasks-done", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "notify::repetitions-done", G_CALLBACK (on_progress), self, G_CONNECT_SWAPPED);
  gtk_label_set_text (self->status_label, _("Running…"));
  gtk_label_set_text (self->window_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting…"));
}

/**
 * lab_run_view_finish:
 * @error: (nullable): why the run ended early; %G_IO_ERROR_CANCELLED
 *   when it was stopped
 * @stop_ms: when stopped, how long stopping took
 */
void
lab_run_view_finish (LabRunView   *self,
                     const GError *error,
                     double        stop_ms)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LAB_IS_RUN_VIEW (self));

  lab_redraw_pacer_cancel (self);
  if (error == NULL)
    {
      guint failed = lab_run_get_failed_tasks (self->run);

      gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
      gtk_progress_bar_set_text (self->progress_bar, _("Done"));
      if (failed > 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Finished; %u task failed",
                                             "Finished; %u tasks failed", failed), failed);
      gtk_label_set_text (self->status_label, text != NULL ? text : _("Finished"));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Measured: from Stop (or Escape) to every thread joined and every
       * worker process reaped. */
      text = g_strdup_printf (_("Cancelled: stopped %.0f ms after the request; finished repetitions are kept"), stop_ms);
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      gtk_progress_bar_set_text (self->progress_bar, _("Stopped"));
      gtk_label_set_text (self->status_label, text);
    }
  else
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      gtk_progress_bar_set_text (self->progress_bar, _("Failed"));
      text = g_strdup_printf (_("Run failed: %s"), error->message);
      gtk_label_set_text (self->status_label, text);
    }
}

/**
 * lab_run_view_show_recorded:
 * @status: how the run ended, or that it goes on
 * @repetitions_done: the repetitions it completed
 * @repetitions_total: the repetitions it was to run
 *
 * Shows a run read back from the history: its end, and how far it got.
 */
void
lab_run_view_show_recorded (LabRunView *self,
                            const char *status,
                            guint       repetitions_done,
                            guint       repetitions_total)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LAB_IS_RUN_VIEW (self));

  lab_redraw_pacer_cancel (self);
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_clear_object (&self->run);
  gtk_label_set_text (self->status_label, status);
  /* Translators: "3 of 10 repetitions completed" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u repetition completed",
                                       "%u of %u repetitions completed", repetitions_total),
                          repetitions_done, repetitions_total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 repetitions_total > 0 ? MIN (1.0, (double) repetitions_done / repetitions_total) : 0.0);
}

/**
 * lab_run_view_set_reading:
 * @warning: (nullable): why the figures cannot be trusted
 * @explanation: what the results mean
 * @errors: (nullable): the failures, first error first
 */
void
lab_run_view_set_reading (LabRunView *self,
                          const char *warning,
                          const char *explanation,
                          const char *errors)
{
  g_return_if_fail (LAB_IS_RUN_VIEW (self));

  set_optional_text (self->warning_label, warning);
  set_optional_text (self->explanation_label, explanation);
  set_optional_text (self->errors_label, errors);
}

/* How the window fared during the run. */
void
lab_run_view_set_window_text (LabRunView *self,
                              const char *text)
{
  g_return_if_fail (LAB_IS_RUN_VIEW (self));
  gtk_label_set_text (self->window_label, text);
}

void
lab_run_view_set_export_menu (LabRunView *self,
                              GMenuModel *menu)
{
  g_return_if_fail (LAB_IS_RUN_VIEW (self));
  gtk_menu_button_set_menu_model (self->export_button, menu);
}

static void
lab_run_view_dispose (GObject *object)
{
  LabRunView *self = LAB_RUN_VIEW (object);
  GtkWidget *child;

  lab_redraw_pacer_cancel (self);
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_RUN_VIEW);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->run);

  G_OBJECT_CLASS (lab_run_view_parent_class)->dispose (object);
}

static void
lab_run_view_class_init (LabRunViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_run_view_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-run-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabRunView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LabRunView, export_button);
  gtk_widget_class_bind_template_child (widget_class, LabRunView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabRunView, warning_label);
  gtk_widget_class_bind_template_child (widget_class, LabRunView, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, LabRunView, errors_label);
  gtk_widget_class_bind_template_child (widget_class, LabRunView, window_label);
}

static void
lab_run_view_init (LabRunView *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_progress_bar_set_text (self->progress_bar, _("Not started"));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lab-format.h"
#include "lab-overhead-card.h"
#include "lab-overhead-export.h"
#include "lab-overheads-page.h"
#include "lab-page.h"
#include "lab-save.h"
#include "lab-save-dialog.h"

struct _LabOverheadsPage
{
  GtkWidget      parent_instance;

  LabOverhead   *overheads[LAB_N_OVERHEADS];
  LabOverheadCard *cards[LAB_N_OVERHEADS];
  GCancellable  *cancellable;   /* of the experiment under way */
  int            current;       /* the running experiment, or -1 */
  gboolean       running_all;   /* Run All: the next one follows */
  gint64         all_started_us;
  char          *blocked_reason;
  char          *server_url;

  GtkBox        *cards_box;
  GtkLabel      *status_label;
  GtkButton     *run_all_button;
  GtkMenuButton *export_button;
};

static void lab_overheads_page_page_init (LabPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabOverheadsPage, lab_overheads_page, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_PAGE, lab_overheads_page_page_init))

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_BLOCKED_REASON,
  PROP_SERVER_URL,
};

static void lab_overheads_page_run (LabOverheadsPage *self,
                                    LabOverheadKind   kind);

static gboolean
lab_overheads_page_get_running (LabOverheadsPage *self)
{
  return self->current >= 0;
}

/* What the experiments measured so far, or how Run All went. */
static void
lab_overheads_page_update_status (LabOverheadsPage *self)
{
  g_autoptr(GString) failed = g_string_new (NULL);
  g_autofree char *text = NULL;
  guint n_done = 0, n_failed = 0, n_stopped = 0;

  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    switch (lab_overhead_get_state (self->overheads[k]))
      {
      case LAB_OVERHEAD_DONE:
        n_done++;
        break;
      case LAB_OVERHEAD_FAILED:
        g_string_append_printf (failed, "%s%s", n_failed++ > 0 ? ", " : "", lab_overhead_kind_title (k));
        break;
      case LAB_OVERHEAD_CANCELLED:
        n_stopped++;
        break;
      case LAB_OVERHEAD_IDLE:
      case LAB_OVERHEAD_RUNNING:
      default:
        break;
      }

  if (self->current >= 0)
    /* Translators: %s is the title of the experiment under way */
    text = g_strdup_printf (_("Measuring %s…"), lab_overhead_kind_title (self->current));
  else if (n_done + n_failed + n_stopped == 0)
    text = g_strdup (_("Nothing measured yet."));
  else
    {
      g_autofree char *done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u experiments measured",
                                                            "%u of %u experiments measured", LAB_N_OVERHEADS),
                                               n_done, LAB_N_OVERHEADS);

      if (n_failed > 0)
        /* Translators: "6 of 8 experiments measured; failed: Memory, Crash isolation" */
        text = g_strdup_printf (_("%s; failed: %s (its card says why)."), done, failed->str);
      else if (n_stopped > 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u stopped before the end.",
                                             "%s; %u stopped before the end.", n_stopped),
                                done, n_stopped);
      else
        text = g_strdup_printf ("%s.", done);
    }
  gtk_label_set_text (self->status_label, text);
}

static void
lab_overheads_page_update_actions (LabOverheadsPage *self)
{
  gboolean can_start = self->current < 0 && self->blocked_reason == NULL;
  gboolean any_points = FALSE;

  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    any_points |= lab_overhead_get_points (self->overheads[k])->len > 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "overheads.run", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "overheads.run-all", can_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "overheads.stop", self->current >= 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "overheads.export-csv", any_points);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "overheads.export-json", any_points);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_all_button),
                               self->blocked_reason != NULL ? self->blocked_reason
                                                            : _("Run every experiment in order (Ctrl+Enter)"));
}

static void
lab_overheads_page_set_current (LabOverheadsPage *self,
                                int               current)
{
  gboolean was_running = lab_overheads_page_get_running (self);

  self->current = current;
  lab_overheads_page_update_actions (self);
  lab_overheads_page_update_status (self);
  if (was_running != lab_overheads_page_get_running (self))
    g_object_notify (G_OBJECT (self), "running");
}

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LabOverheadsPage) self = user_data;
  LabOverhead *overhead = LAB_OVERHEAD (object);
  g_autoptr(GError) error = NULL;
  gboolean cancelled;
  int next;

  lab_overhead_run_finish (overhead, result, &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&self->cancellable);

  /* Run All goes on past a failed experiment (its card says why), not
   * past a stop. */
  next = self->current + 1;
  if (self->running_all && !cancelled && next < LAB_N_OVERHEADS && self->blocked_reason == NULL)
    {
      lab_overheads_page_run (self, next);
      return;
    }
  self->running_all = FALSE;
  lab_overheads_page_set_current (self, -1);
}

static void
lab_overheads_page_run (LabOverheadsPage *self,
                        LabOverheadKind   kind)
{
  self->cancellable = g_cancellable_new ();
  lab_overhead_set_server_url (self->overheads[kind], self->server_url);
  lab_overheads_page_set_current (self, kind);
  lab_overhead_run_async (self->overheads[kind], self->cancellable, on_run_done, g_object_ref (self));
}

static void
lab_overheads_page_start (LabPage *page)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (page);

  if (self->current >= 0 || self->blocked_reason != NULL)
    return;
  self->running_all = TRUE;
  self->all_started_us = g_get_monotonic_time ();
  lab_overheads_page_run (self, 0);
}

static void
lab_overheads_page_stop (LabPage *page)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (page);

  self->running_all = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static const char *
lab_overheads_page_get_start_tooltip (LabPage *page)
{
  return _("Run every experiment in order (Ctrl+Enter)");
}

static void
lab_overheads_page_page_init (LabPageInterface *iface)
{
  iface->start = lab_overheads_page_start;
  iface->stop = lab_overheads_page_stop;
  iface->get_start_tooltip = lab_overheads_page_get_start_tooltip;
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (widget);
  LabOverheadKind kind;

  if (self->current >= 0 || self->blocked_reason != NULL ||
      !lab_overhead_kind_from_string (g_variant_get_string (parameter, NULL), &kind))
    return;
  self->running_all = FALSE;
  lab_overheads_page_run (self, kind);
}

static void
run_all_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  lab_page_start (LAB_PAGE (widget));
}

/* A card's Stop: its experiment, and Run All with it. */
static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (widget);
  LabOverheadKind kind;

  if (lab_overhead_kind_from_string (g_variant_get_string (parameter, NULL), &kind) && (int) kind == self->current)
    lab_page_stop (LAB_PAGE (widget));
}

static GPtrArray *
lab_overheads_page_dup_overheads (LabOverheadsPage *self)
{
  GPtrArray *overheads = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    g_ptr_array_add (overheads, g_object_ref (self->overheads[k]));
  return overheads;
}

static gboolean
save_csv (const char  *path,
          gpointer     user_data,
          GError     **error)
{
  g_autoptr(GPtrArray) overheads = lab_overheads_page_dup_overheads (user_data);

  return lab_overhead_export (overheads, path, error);
}

static gboolean
save_json (const char  *path,
           gpointer     user_data,
           GError     **error)
{
  g_autoptr(GPtrArray) overheads = lab_overheads_page_dup_overheads (user_data);
  g_autofree char *json = lab_overhead_export_json (overheads);

  return lab_save_file (path, json, strlen (json), error);
}

typedef struct
{
  LabChart *chart;
  gboolean  svg;
} ChartExport;

static void
chart_export_free (gpointer data)
{
  ChartExport *export = data;

  g_object_unref (export->chart);
  g_free (export);
}

static gboolean
save_chart (const char  *path,
            gpointer     user_data,
            GError     **error)
{
  ChartExport *export = user_data;
  int width = MAX (gtk_widget_get_width (GTK_WIDGET (export->chart)), 640);
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (export->chart)), 320);

  if (lab_chart_get_empty (export->chart))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("the chart has nothing to show any more"));
      return FALSE;
    }
  if (export->svg)
    return lab_chart_export_svg (export->chart, path, width, height, error);
  return lab_chart_export_png (export->chart, path, width, height, error);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (widget);

  if (g_str_equal (action_name, "overheads.export-csv"))
    lab_save_dialog_show (widget, _("Save Overheads as CSV"), "overheads.csv", save_csv, g_object_ref (self),
                          g_object_unref);
  else if (g_str_equal (action_name, "overheads.export-json"))
    lab_save_dialog_show (widget, _("Save Overheads as JSON"), "overheads.json", save_json, g_object_ref (self),
                          g_object_unref);
  else
    {
      const char *name, *format;
      LabOverheadKind kind;
      LabChart *chart;
      ChartExport *export;
      guint index;
      g_autofree char *file_name = NULL;

      g_variant_get (parameter, "(&su&s)", &name, &index, &format);
      if (!lab_overhead_kind_from_string (name, &kind) ||
          (chart = lab_overheads_page_get_chart (self, kind, index)) == NULL)
        return;
      export = g_new0 (ChartExport, 1);
      export->chart = g_object_ref (chart);
      export->svg = g_str_equal (format, "svg");
      file_name = g_strdup_printf ("overheads-%s-%u.%s", name, index + 1, export->svg ? "svg" : "png");
      lab_save_dialog_show (widget, export->svg ? _("Save Chart as SVG") : _("Save Chart as PNG"), file_name,
                            save_chart, export, chart_export_free);
    }
}

LabOverhead *
lab_overheads_page_get_overhead (LabOverheadsPage *self,
                                 LabOverheadKind   kind)
{
  g_return_val_if_fail (LAB_IS_OVERHEADS_PAGE (self), NULL);
  g_return_val_if_fail (kind < LAB_N_OVERHEADS, NULL);
  return self->overheads[kind];
}

LabChart *
lab_overheads_page_get_chart (LabOverheadsPage *self,
                              LabOverheadKind   kind,
                              guint             index)
{
  g_return_val_if_fail (LAB_IS_OVERHEADS_PAGE (self), NULL);
  g_return_val_if_fail (kind < LAB_N_OVERHEADS, NULL);
  return lab_overhead_card_get_chart (self->cards[kind], index);
}

static void
on_overhead_changed (LabOverheadsPage *self)
{
  lab_overheads_page_update_actions (self);
  lab_overheads_page_update_status (self);
}

static void
lab_overheads_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, lab_overheads_page_get_running (self));
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
lab_overheads_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BLOCKED_REASON:
      if (g_strcmp0 (self->blocked_reason, g_value_get_string (value)) == 0)
        return;
      g_free (self->blocked_reason);
      self->blocked_reason = g_value_dup_string (value);
      lab_overheads_page_update_actions (self);
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
lab_overheads_page_dispose (GObject *object)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (object);
  GtkWidget *child;

  /* A running experiment ends on its own thread once cancelled. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_OVERHEADS_PAGE);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    {
      if (self->overheads[k] != NULL)
        g_signal_handlers_disconnect_by_data (self->overheads[k], self);
      g_clear_object (&self->overheads[k]);
    }

  G_OBJECT_CLASS (lab_overheads_page_parent_class)->dispose (object);
}

static void
lab_overheads_page_finalize (GObject *object)
{
  LabOverheadsPage *self = LAB_OVERHEADS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_free (self->blocked_reason);
  g_free (self->server_url);

  G_OBJECT_CLASS (lab_overheads_page_parent_class)->finalize (object);
}

static void
lab_overheads_page_class_init (LabOverheadsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = lab_overheads_page_get_property;
  object_class->set_property = lab_overheads_page_set_property;
  object_class->dispose = lab_overheads_page_dispose;
  object_class->finalize = lab_overheads_page_finalize;

  g_object_class_override_property (object_class, PROP_RUNNING, "running");
  g_object_class_override_property (object_class, PROP_BLOCKED_REASON, "blocked-reason");
  g_object_class_override_property (object_class, PROP_SERVER_URL, "server-url");

  gtk_widget_class_install_action (widget_class, "overheads.run", "s", run_action);
  gtk_widget_class_install_action (widget_class, "overheads.run-all", NULL, run_all_action);
  gtk_widget_class_install_action (widget_class, "overheads.stop", "s", stop_action);
  gtk_widget_class_install_action (widget_class, "overheads.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "overheads.export-json", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "overheads.export-chart", "(sus)", export_action);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-overheads-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LabOverheadsPage, cards_box);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadsPage, run_all_button);
  gtk_widget_class_bind_template_child (widget_class, LabOverheadsPage, export_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
lab_overheads_page_init (LabOverheadsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->current = -1;

  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    {
      self->overheads[k] = lab_overhead_new (k, NULL);
      self->cards[k] = LAB_OVERHEAD_CARD (lab_overhead_card_new (self->overheads[k]));
      gtk_box_append (self->cards_box, GTK_WIDGET (self->cards[k]));
      g_signal_connect_object (self->overheads[k], "point-added", G_CALLBACK (on_overhead_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->overheads[k], "notify::state", G_CALLBACK (on_overhead_changed), self,
                               G_CONNECT_SWAPPED);
    }
  lab_overheads_page_update_actions (self);
  lab_overheads_page_update_status (self);
}

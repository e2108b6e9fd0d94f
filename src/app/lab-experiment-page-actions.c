/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-export.h"
#include "lab-experiment-page-private.h"
#include "lab-trace.h"

/* The page's export actions: the shown results (every run of the set),
 * their task spans, the latest run's trace, and the charts. */

typedef enum
{
  EXPORT_RESULTS,
  EXPORT_SPANS,
  EXPORT_TRACE,
  EXPORT_PNG,
  EXPORT_SVG,
} ExportFormat;

static gboolean
export_to (LabExperimentPage  *self,
           ExportFormat        format,
           const char         *chart_id,
           const char         *path,
           GError            **error)
{
  GPtrArray *runs = lab_result_set_get_runs (self->set);

  switch (format)
    {
    case EXPORT_RESULTS:
      {
        g_autoptr(LabCsv) csv = lab_export_results_csv_runs (runs);

        return lab_csv_save (csv, path, error);
      }
    case EXPORT_SPANS:
      {
        g_autoptr(LabCsv) csv = lab_export_spans_csv_runs (runs);

        return lab_csv_save (csv, path, error);
      }
    case EXPORT_TRACE:
      return lab_export_trace (g_ptr_array_index (runs, runs->len - 1), path, error);
    case EXPORT_PNG:
    case EXPORT_SVG:
      {
        LabChart *chart = lab_charts_view_find_chart (self->charts_view, chart_id);
        int width = MAX (gtk_widget_get_width (GTK_WIDGET (chart)), 800);
        int height = MAX (gtk_widget_get_height (GTK_WIDGET (chart)), 300);

        if (format == EXPORT_PNG)
          return lab_chart_export_png (chart, path, width, height, error);
        return lab_chart_export_svg (chart, path, width, height, error);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  LabExperimentPage *self = user_data;
  ExportFormat format = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "lab-format"));
  const char *chart_id = g_object_get_data (G_OBJECT (dialog), "lab-chart");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    path = g_file_get_path (file);

  if (path != NULL && self->set != NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = NULL;

      if (export_to (self, format, chart_id, path, &error))
        text = g_strdup_printf (_("Saved “%s”"), name);
      else
        /* Translators: the first %s is a file name, the second why it failed */
        text = g_strdup_printf (_("Could not save “%s”: %s. Choose another folder and export again."),
                                name, error->message);
      lab_experiment_page_toast (self, text);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_file (LabExperimentPage *self,
             ExportFormat       format,
             const char        *chart_id)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;
  const char *title;

  switch (format)
    {
    case EXPORT_RESULTS:
      title = _("Save Results as CSV");
      name = g_strdup_printf ("%s-results.csv", self->file_prefix);
      break;
    case EXPORT_SPANS:
      title = _("Save Task Spans as CSV");
      name = g_strdup_printf ("%s-spans.csv", self->file_prefix);
      break;
    case EXPORT_TRACE:
      title = _("Save Trace for Perfetto");
      name = g_strdup_printf ("%s-trace.json", self->file_prefix);
      break;
    case EXPORT_PNG:
    case EXPORT_SVG:
      title = format == EXPORT_PNG ? _("Save Chart as PNG") : _("Save Chart as SVG");
      name = g_strdup_printf ("%s-%s.%s", self->file_prefix, chart_id, format == EXPORT_PNG ? "png" : "svg");
      break;
    default:
      g_assert_not_reached ();
    }

  /* GtkFileDialog is GTK 4.10; GtkFileChooserNative works on 4.8 and goes
   * through the portal in Flatpak. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_object_set_data (G_OBJECT (dialog), "lab-format", GUINT_TO_POINTER (format));
  g_object_set_data_full (G_OBJECT (dialog), "lab-chart", g_strdup (chart_id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LabExperimentPage *self = LAB_EXPERIMENT_PAGE (widget);

  if (self->set == NULL)
    return;
  if (g_str_equal (action_name, "page.export-results"))
    choose_file (self, EXPORT_RESULTS, NULL);
  else if (g_str_equal (action_name, "page.export-spans"))
    choose_file (self, EXPORT_SPANS, NULL);
  else if (g_str_equal (action_name, "page.export-trace"))
    choose_file (self, EXPORT_TRACE, NULL);
  else
    {
      const char *id, *format;

      g_variant_get (parameter, "(&s&s)", &id, &format);
      if (lab_charts_view_find_chart (self->charts_view, id) != NULL)
        choose_file (self, g_str_equal (format, "svg") ? EXPORT_SVG : EXPORT_PNG, id);
    }
}

void
lab_experiment_page_class_install_exports (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "page.export-results", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.export-spans", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.export-trace", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.export-chart", "(ss)", export_action);
}

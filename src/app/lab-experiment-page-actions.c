/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-export.h"
#include "lab-experiment-page-private.h"
#include "lab-save-dialog.h"
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

typedef struct
{
  LabExperimentPage *page;
  ExportFormat       format;
  char              *chart_id;
} ExportRequest;

static void
export_request_free (gpointer data)
{
  ExportRequest *request = data;

  g_object_unref (request->page);
  g_free (request->chart_id);
  g_free (request);
}

static gboolean
save_export (const char  *path,
             gpointer     user_data,
             GError     **error)
{
  ExportRequest *request = user_data;

  /* The results may have been cleared while the dialog was open. */
  if (request->page->set == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("there are no results any more"));
      return FALSE;
    }
  return export_to (request->page, request->format, request->chart_id, path, error);
}

static void
choose_file (LabExperimentPage *self,
             ExportFormat       format,
             const char        *chart_id)
{
  ExportRequest *request;
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

  request = g_new0 (ExportRequest, 1);
  request->page = g_object_ref (self);
  request->format = format;
  request->chart_id = g_strdup (chart_id);
  lab_save_dialog_show (GTK_WIDGET (self), title, name, save_export, request, export_request_free);
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

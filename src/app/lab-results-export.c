/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "lab-export.h"
#include "lab-results-export.h"
#include "lab-save-dialog.h"
#include "lab-trace.h"

/*
 * The export actions of a widget that shows a #LabResultSet with its
 * charts (an experiment page, the History page): the results (every run
 * of the set), their task spans, the latest run's trace, and the charts.
 *
 *   page.export-results, page.export-spans, page.export-trace
 *   page.export-chart (ss): a chart's id and "png" or "svg"
 */

typedef enum
{
  EXPORT_RESULTS,
  EXPORT_SPANS,
  EXPORT_TRACE,
  EXPORT_PNG,
  EXPORT_SVG,
} ExportFormat;

typedef struct
{
  LabResultSet  *set;
  LabChartsView *charts_view;
  ExportFormat   format;
  char          *chart_id;
} ExportRequest;

static void
export_request_free (gpointer data)
{
  ExportRequest *request = data;

  g_object_unref (request->set);
  g_object_unref (request->charts_view);
  g_free (request->chart_id);
  g_free (request);
}

/* The request keeps the results it was made for: cleared or deleted
 * while the dialog is open, they are still what gets saved. */
static gboolean
save_export (const char  *path,
             gpointer     user_data,
             GError     **error)
{
  ExportRequest *request = user_data;
  GPtrArray *runs = lab_result_set_get_runs (request->set);

  switch (request->format)
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
        LabChart *chart = lab_charts_view_find_chart (request->charts_view, request->chart_id);
        int width = MAX (gtk_widget_get_width (GTK_WIDGET (chart)), 800);
        int height = MAX (gtk_widget_get_height (GTK_WIDGET (chart)), 300);

        if (request->format == EXPORT_PNG)
          return lab_chart_export_png (chart, path, width, height, error);
        return lab_chart_export_svg (chart, path, width, height, error);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
choose_file (GtkWidget     *widget,
             LabResultSet  *set,
             LabChartsView *charts_view,
             const char    *file_prefix,
             ExportFormat   format,
             const char    *chart_id)
{
  ExportRequest *request;
  g_autofree char *name = NULL;
  const char *title;

  switch (format)
    {
    case EXPORT_RESULTS:
      title = _("Save Results as CSV");
      name = g_strdup_printf ("%s-results.csv", file_prefix);
      break;
    case EXPORT_SPANS:
      title = _("Save Task Spans as CSV");
      name = g_strdup_printf ("%s-spans.csv", file_prefix);
      break;
    case EXPORT_TRACE:
      title = _("Save Trace for Perfetto");
      name = g_strdup_printf ("%s-trace.json", file_prefix);
      break;
    case EXPORT_PNG:
    case EXPORT_SVG:
      title = format == EXPORT_PNG ? _("Save Chart as PNG") : _("Save Chart as SVG");
      name = g_strdup_printf ("%s-%s.%s", file_prefix, chart_id, format == EXPORT_PNG ? "png" : "svg");
      break;
    default:
      g_assert_not_reached ();
    }

  request = g_new0 (ExportRequest, 1);
  request->set = g_object_ref (set);
  request->charts_view = g_object_ref (charts_view);
  request->format = format;
  request->chart_id = g_strdup (chart_id);
  lab_save_dialog_show (widget, title, name, save_export, request, export_request_free);
}

static GQuark
export_func_quark (void)
{
  return g_quark_from_static_string ("lab-results-export-func");
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LabResultsExportFunc func = g_type_get_qdata (G_OBJECT_TYPE (widget), export_func_quark ());
  LabChartsView *charts_view = NULL;
  const char *file_prefix = NULL;
  LabResultSet *set = func (widget, &charts_view, &file_prefix);

  if (set == NULL || lab_result_set_get_runs (set)->len == 0)
    return;
  if (g_str_equal (action_name, "page.export-results"))
    choose_file (widget, set, charts_view, file_prefix, EXPORT_RESULTS, NULL);
  else if (g_str_equal (action_name, "page.export-spans"))
    choose_file (widget, set, charts_view, file_prefix, EXPORT_SPANS, NULL);
  else if (g_str_equal (action_name, "page.export-trace"))
    choose_file (widget, set, charts_view, file_prefix, EXPORT_TRACE, NULL);
  else
    {
      const char *id, *format;

      g_variant_get (parameter, "(&s&s)", &id, &format);
      if (lab_charts_view_find_chart (charts_view, id) != NULL)
        choose_file (widget, set, charts_view, file_prefix, g_str_equal (format, "svg") ? EXPORT_SVG : EXPORT_PNG, id);
    }
}

/**
 * lab_results_export_install_actions:
 * @func: what an instance shows, for its actions to save
 *
 * Installs the export actions (page.export-results, page.export-spans,
 * page.export-trace, page.export-chart) on @widget_class. Each asks where
 * to save through the file chooser and says in a toast what happened.
 */
void
lab_results_export_install_actions (GtkWidgetClass       *widget_class,
                                    LabResultsExportFunc  func)
{
  g_return_if_fail (GTK_IS_WIDGET_CLASS (widget_class));
  g_return_if_fail (func != NULL);

  g_type_set_qdata (G_TYPE_FROM_CLASS (widget_class), export_func_quark (), func);
  gtk_widget_class_install_action (widget_class, "page.export-results", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.export-spans", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.export-trace", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.export-chart", "(ss)", export_action);
}

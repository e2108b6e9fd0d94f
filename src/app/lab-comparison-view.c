/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-cell.h"
#include "lab-comparison-view.h"
#include "lab-format.h"

/**
 * LabComparisonView:
 *
 * Two sets of results side by side, one row per runtime × mode × workers
 * that either has: the median wall time and the speed-up of each, and how
 * the newer did against the older, all from the cells' stored figures.
 * On a narrow window the table goes compact and the speed-ups make way.
 */

/* Medians closer than this ratio are "about the same". */
#define SAME_RATIO 1.01
/* Narrower than this, the table goes compact and the speed-ups make way
 * for the medians and the change. */
#define FULL_WIDTH 600

typedef enum
{
  COLUMN_MODE,
  COLUMN_OLDER_MEDIAN,
  COLUMN_NEWER_MEDIAN,
  COLUMN_CHANGE,
  COLUMN_OLDER_SPEEDUP,
  COLUMN_NEWER_SPEEDUP,
  N_COLUMNS
} Column;

/* A row of the comparison: one cell of either set, or both. */
#define LAB_TYPE_COMPARISON_ROW (lab_comparison_row_get_type ())
G_DECLARE_FINAL_TYPE (LabComparisonRow, lab_comparison_row, LAB, COMPARISON_ROW, GObject)

struct _LabComparisonRow
{
  GObject  parent_instance;

  LabCell *older;   /* nullable */
  LabCell *newer;   /* nullable */
};

G_DEFINE_FINAL_TYPE (LabComparisonRow, lab_comparison_row, G_TYPE_OBJECT)

static void
lab_comparison_row_finalize (GObject *object)
{
  LabComparisonRow *self = LAB_COMPARISON_ROW (object);

  g_clear_object (&self->older);
  g_clear_object (&self->newer);
  G_OBJECT_CLASS (lab_comparison_row_parent_class)->finalize (object);
}

static void
lab_comparison_row_class_init (LabComparisonRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lab_comparison_row_finalize;
}

static void
lab_comparison_row_init (LabComparisonRow *self)
{
}

struct _LabComparisonView
{
  GtkWidget            parent_instance;

  GListStore          *rows;   /* LabComparisonRow */
  int                  fitted_width;
  guint                fit_id;

  /* Template children */
  GtkLabel            *older_label;
  GtkLabel            *newer_label;
  GtkLabel            *settings_label;
  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  GtkLabel            *reading_label;
  GtkColumnViewColumn *columns[N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (LabComparisonView, lab_comparison_view, GTK_TYPE_WIDGET)

/* The cell's median when it has one. */
static double
cell_median (LabCell *cell)
{
  if (cell == NULL || lab_cell_get_repetitions (cell)->len == 0)
    return NAN;
  return lab_cell_get_median_s (cell);
}

/* How many times faster the newer was (above 1) or slower (below 1);
 * NAN when either has no median. */
static double
row_ratio (LabComparisonRow *row)
{
  double older = cell_median (row->older);
  double newer = cell_median (row->newer);

  if (!isfinite (older) || !isfinite (newer) || older <= 0 || newer <= 0)
    return NAN;
  return older / newer;
}

static char *
format_change (double ratio)
{
  if (!isfinite (ratio))
    return g_strdup (LAB_FORMAT_NONE);
  if (ratio < SAME_RATIO && ratio > 1.0 / SAME_RATIO)
    return g_strdup (_("about the same"));
  if (ratio >= 1)
    /* Translators: how the newer of two runs did, "1.25× faster" */
    return g_strdup_printf (_("%.2f× faster"), ratio);
  /* Translators: how the newer of two runs did, "1.25× slower" */
  return g_strdup_printf (_("%.2f× slower"), 1.0 / ratio);
}

static char *
format_row_title (LabComparisonRow *row)
{
  LabCell *cell = row->older != NULL ? row->older : row->newer;

  if (lab_cell_get_mode (cell) == LAB_MODE_SEQUENTIAL)
    return g_strdup (lab_cell_get_title (cell));
  return g_strdup_printf ("%s ×%u", lab_cell_get_title (cell), lab_cell_get_workers (cell));
}

static char *
format_median (LabCell *cell)
{
  double median = cell_median (cell);

  return isfinite (median) ? lab_format_duration (median) : g_strdup (LAB_FORMAT_NONE);
}

static char *
format_speedup (LabCell *cell)
{
  double speedup = cell != NULL ? lab_cell_get_speedup (cell) : NAN;

  if (!isfinite (speedup) || speedup <= 0)
    return g_strdup (LAB_FORMAT_NONE);
  return g_strdup_printf (_("%.2f×"), speedup);
}

static char *
format_column (LabComparisonRow *row,
               Column            column)
{
  switch (column)
    {
    case COLUMN_MODE:
      return format_row_title (row);
    case COLUMN_OLDER_MEDIAN:
      return format_median (row->older);
    case COLUMN_NEWER_MEDIAN:
      return format_median (row->newer);
    case COLUMN_CHANGE:
      return format_change (row_ratio (row));
    case COLUMN_OLDER_SPEEDUP:
      return format_speedup (row->older);
    case COLUMN_NEWER_SPEEDUP:
      return format_speedup (row->newer);
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
item_setup (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "lab-column"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_MODE ? 0.0 : 1.0);
  if (column != COLUMN_MODE)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
item_bind (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "lab-column"));
  g_autofree char *text = format_column (gtk_list_item_get_item (item), column);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
lab_comparison_view_add_column (LabComparisonView *self,
                                Column             column)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "lab-column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (item_bind), NULL);
  self->columns[column] = gtk_column_view_column_new (NULL, g_object_ref (factory));
  gtk_column_view_column_set_expand (self->columns[column], column == COLUMN_MODE);
  gtk_column_view_append_column (self->column_view, self->columns[column]);
  /* The column view keeps it. */
  g_object_unref (self->columns[column]);
}

/* The cell of @cells with @cell's runtime, mode and workers. */
static LabCell *
find_cell (GListModel *cells,
           LabCell    *cell)
{
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) other = g_list_model_get_item (cells, i);

      if (lab_cell_get_runtime (other) == lab_cell_get_runtime (cell) &&
          lab_cell_get_mode (other) == lab_cell_get_mode (cell) &&
          lab_cell_get_workers (other) == lab_cell_get_workers (cell))
        return other;
    }
  return NULL;
}

static LabComparisonRow *
comparison_row_new (LabCell *older,
                    LabCell *newer)
{
  LabComparisonRow *row = g_object_new (LAB_TYPE_COMPARISON_ROW, NULL);

  row->older = older != NULL ? g_object_ref (older) : NULL;
  row->newer = newer != NULL ? g_object_ref (newer) : NULL;
  return row;
}

/* The older set's cells in its order, each with its counterpart, then
 * the newer set's cells the older does not have. */
static void
lab_comparison_view_pair_cells (LabComparisonView *self,
                                GListModel        *older,
                                GListModel        *newer)
{
  g_list_store_remove_all (self->rows);
  for (guint i = 0; i < g_list_model_get_n_items (older); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (older, i);
      g_autoptr(LabComparisonRow) row = comparison_row_new (cell, find_cell (newer, cell));

      g_list_store_append (self->rows, row);
    }
  for (guint i = 0; i < g_list_model_get_n_items (newer); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (newer, i);

      if (find_cell (older, cell) == NULL)
        {
          g_autoptr(LabComparisonRow) row = comparison_row_new (NULL, cell);

          g_list_store_append (self->rows, row);
        }
    }
}

/* In how many rows the newer run was faster, and the largest change. */
static char *
lab_comparison_view_describe (LabComparisonView *self,
                              const char        *older_name,
                              const char        *newer_name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint compared = 0, faster = 0;
  LabComparisonRow *largest = NULL;
  double largest_change = 0;
  g_autofree char *count = NULL;
  g_autofree char *title = NULL;
  g_autofree char *change = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabComparisonRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
      double ratio = row_ratio (row);

      if (!isfinite (ratio))
        continue;
      compared++;
      if (ratio >= SAME_RATIO)
        faster++;
      if (fabs (log (ratio)) > largest_change)
        {
          largest_change = fabs (log (ratio));
          largest = row;
        }
    }
  if (compared == 0)
    return g_strdup (_("The two runs have no mode and worker count measured in common."));

  /* Translators: "#15 was faster than #12 in 2 of 3 rows." */
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s was faster than %s in %u of %u row.",
                                        "%s was faster than %s in %u of %u rows.", compared),
                           newer_name, older_name, faster, compared);
  if (largest == NULL || largest_change < log (SAME_RATIO))
    return g_steal_pointer (&count);
  title = format_row_title (largest);
  change = format_change (row_ratio (largest));
  /* Translators: the first %s says in how many rows the newer run was
   * faster; then a mode ("Threads ×4") and how it changed ("1.25× faster") */
  return g_strdup_printf (_("%s The largest change: %s, %s."), count, title, change);
}

/**
 * lab_comparison_view_set_results:
 * @older: the results of the run that started first
 * @older_name: how the page names it, "#12"
 * @older_caption: what it measured and when
 * @newer: the results of the other run
 * @newer_name: how the page names it
 * @newer_caption: what it measured and when
 *
 * Shows @older and @newer side by side.
 */
void
lab_comparison_view_set_results (LabComparisonView *self,
                                 LabResultSet      *older,
                                 const char        *older_name,
                                 const char        *older_caption,
                                 LabResultSet      *newer,
                                 const char        *newer_name,
                                 const char        *newer_caption)
{
  g_autofree char *older_text = NULL;
  g_autofree char *newer_text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *reading = NULL;
  GPtrArray *older_runs, *newer_runs;

  g_return_if_fail (LAB_IS_COMPARISON_VIEW (self));
  g_return_if_fail (LAB_IS_RESULT_SET (older));
  g_return_if_fail (LAB_IS_RESULT_SET (newer));

  /* Translators: "#12: Prime count · size 200,000 · 8 tasks, 3 Dec 2026, 14:03:22" */
  older_text = g_strdup_printf (_("%s: %s"), older_name, older_caption);
  newer_text = g_strdup_printf (_("%s: %s"), newer_name, newer_caption);
  gtk_label_set_text (self->older_label, older_text);
  gtk_label_set_text (self->newer_label, newer_text);

  older_runs = lab_result_set_get_runs (older);
  newer_runs = lab_result_set_get_runs (newer);
  gtk_widget_set_visible (GTK_WIDGET (self->settings_label),
                          older_runs->len > 0 && newer_runs->len > 0 &&
                          !lab_result_set_accepts (older, lab_run_get_config (g_ptr_array_index (newer_runs, 0))));

  /* Translators: a column of the comparison, the median wall time of run %s ("#12") */
  title = g_strdup_printf (_("Median, %s"), older_name);
  gtk_column_view_column_set_title (self->columns[COLUMN_OLDER_MEDIAN], title);
  g_free (title);
  title = g_strdup_printf (_("Median, %s"), newer_name);
  gtk_column_view_column_set_title (self->columns[COLUMN_NEWER_MEDIAN], title);
  g_free (title);
  /* Translators: a column of the comparison: how the newer run (the first
   * %s, "#15") did against the older one ("#12"): "1.25× faster" */
  title = g_strdup_printf (_("%s vs %s"), newer_name, older_name);
  gtk_column_view_column_set_title (self->columns[COLUMN_CHANGE], title);
  g_free (title);
  /* Translators: a column of the comparison, the speed-up in run %s ("#12") */
  title = g_strdup_printf (_("Speed-up, %s"), older_name);
  gtk_column_view_column_set_title (self->columns[COLUMN_OLDER_SPEEDUP], title);
  g_free (title);
  title = g_strdup_printf (_("Speed-up, %s"), newer_name);
  gtk_column_view_column_set_title (self->columns[COLUMN_NEWER_SPEEDUP], title);

  lab_comparison_view_pair_cells (self, lab_result_set_get_cells (older), lab_result_set_get_cells (newer));
  reading = lab_comparison_view_describe (self, older_name, newer_name);
  gtk_label_set_text (self->reading_label, reading);
}

static void
fit_columns_idle (gpointer user_data)
{
  LabComparisonView *self = user_data;
  gboolean full = self->fitted_width >= FULL_WIDTH;

  self->fit_id = 0;
  gtk_column_view_column_set_visible (self->columns[COLUMN_OLDER_SPEEDUP], full);
  gtk_column_view_column_set_visible (self->columns[COLUMN_NEWER_SPEEDUP], full);
  if (full)
    gtk_widget_remove_css_class (GTK_WIDGET (self->column_view), "compact");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "compact");
}

/* The table's visible width changed: fit the columns to it, in an idle
 * (changing columns while allocating would resize the table again). */
static void
on_visible_width_changed (LabComparisonView *self,
                          GParamSpec        *pspec,
                          GtkAdjustment     *adjustment)
{
  int width = (int) gtk_adjustment_get_page_size (adjustment);

  if (width == self->fitted_width)
    return;
  self->fitted_width = width;
  if (self->fit_id == 0)
    self->fit_id = g_idle_add_once (fit_columns_idle, self);
}

static void
lab_comparison_view_dispose (GObject *object)
{
  LabComparisonView *self = LAB_COMPARISON_VIEW (object);

  g_clear_handle_id (&self->fit_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_COMPARISON_VIEW);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (lab_comparison_view_parent_class)->dispose (object);
}

static void
lab_comparison_view_class_init (LabComparisonViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_comparison_view_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-comparison-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LabComparisonView, older_label);
  gtk_widget_class_bind_template_child (widget_class, LabComparisonView, newer_label);
  gtk_widget_class_bind_template_child (widget_class, LabComparisonView, settings_label);
  gtk_widget_class_bind_template_child (widget_class, LabComparisonView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, LabComparisonView, column_view);
  gtk_widget_class_bind_template_child (widget_class, LabComparisonView, reading_label);
}

static void
lab_comparison_view_init (LabComparisonView *self)
{
  GtkLayoutManager *layout;
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  self->rows = g_list_store_new (LAB_TYPE_COMPARISON_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  for (Column column = 0; column < N_COLUMNS; column++)
    lab_comparison_view_add_column (self, column);
  gtk_column_view_column_set_title (self->columns[COLUMN_MODE], _("Mode"));
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (self->scrolled_window), "notify::page-size",
                           G_CALLBACK (on_visible_width_changed), self, G_CONNECT_SWAPPED);
}

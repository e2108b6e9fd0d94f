/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-cell.h"
#include "lab-comparison-view.h"
#include "lab-format.h"
#include "lab-reading.h"
#include "lab-width-watch.h"

/**
 * LabComparisonView:
 *
 * Two sets of results side by side, one row per runtime × mode × workers
 * that either has: the median wall time and the speed-up of each, and how
 * the newer did against the older, all from the cells' stored figures.
 * A change is given only where the core's reading finds one: beyond the
 * spread of the repetitions, from figures that can be trusted; otherwise
 * the row and the reading under the table say why there is none.
 * On a narrow window the table goes compact and the speed-ups make way.
 */

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
  char                *older_name;
  char                *newer_name;

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

/* How the newer did against the older (lab_reading_compare_cells()). */
static LabChange
row_change (LabComparisonRow *row,
            LabDoubt         *doubt,
            double           *ratio)
{
  if (row->older == NULL || row->newer == NULL)
    {
      *doubt = LAB_DOUBT_NONE;
      *ratio = NAN;
      return LAB_CHANGE_UNKNOWN;
    }
  return lab_reading_compare_cells (row->older, row->newer, doubt, ratio);
}

static char *
format_cell_title (LabCell *cell)
{
  if (lab_cell_get_mode (cell) == LAB_MODE_SEQUENTIAL)
    return g_strdup (lab_cell_get_title (cell));
  return g_strdup_printf ("%s ×%u", lab_cell_get_title (cell), lab_cell_get_workers (cell));
}

static char *
format_row_title (LabComparisonRow *row)
{
  return format_cell_title (row->older != NULL ? row->older : row->newer);
}

/* Why a row gives no change, in a word or two for its column. */
static const char *
format_doubt (LabDoubt doubt)
{
  switch (doubt)
    {
    case LAB_DOUBT_FAILED:
      /* Translators: in the comparison's change column: tasks failed in
       * one of the runs, so their times cannot be compared */
      return _("tasks failed");
    case LAB_DOUBT_CONTENTION:
      /* Translators: in the comparison's change column: another program
       * used the CPU while one of the runs was measured */
      return _("machine busy");
    case LAB_DOUBT_UNSTABLE:
      /* Translators: in the comparison's change column: the repetitions
       * of one of the runs varied too much for a change to mean anything */
      return _("spread too large");
    case LAB_DOUBT_ONE_REPETITION:
      /* Translators: in the comparison's change column: one of the runs
       * has a single repetition, so how much it varies is unknown */
      return _("spread unknown");
    case LAB_DOUBT_NONE:
    default:
      g_assert_not_reached ();
    }
}

static char *
format_change (LabComparisonRow *row)
{
  LabDoubt doubt;
  double ratio;

  switch (row_change (row, &doubt, &ratio))
    {
    case LAB_CHANGE_UNKNOWN:
      return g_strdup (LAB_FORMAT_NONE);
    case LAB_CHANGE_DOUBTFUL:
      return g_strdup (format_doubt (doubt));
    case LAB_CHANGE_WITHIN_SPREAD:
      /* Translators: in the comparison's change column: the medians differ
       * by less than the repetitions vary */
      return g_strdup (_("within the spread"));
    case LAB_CHANGE_SAME:
      return g_strdup (_("about the same"));
    case LAB_CHANGE_FASTER:
      /* Translators: how the newer of two runs did, "1.25× faster" */
      return g_strdup_printf (_("%.2f× faster"), ratio);
    case LAB_CHANGE_SLOWER:
      /* Translators: how the newer of two runs did, "1.25× slower" */
      return g_strdup_printf (_("%.2f× slower"), 1.0 / ratio);
    default:
      g_assert_not_reached ();
    }
}

/* Why the figures of @cell, of the run called @run_name, cannot be
 * compared; NULL when they can. */
static char *
describe_doubt (LabCell    *cell,
                const char *run_name)
{
  g_autofree char *title = format_cell_title (cell);
  double severity;
  guint failed;

  switch (lab_reading_comparison_doubt (cell, &severity))
    {
    case LAB_DOUBT_FAILED:
      failed = lab_cell_get_failed_tasks (cell);
      /* Translators: "In #15, 3 tasks of Threads ×2 failed: …" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "In %s, %u task of %s failed: it did less work, so its times "
                                           "cannot be compared.",
                                           "In %s, %u tasks of %s failed: it did less work, so its times "
                                           "cannot be compared.", failed),
                              run_name, failed, title);
    case LAB_DOUBT_CONTENTION:
      /* Translators: "In #15, another program used 45 % of the CPU while Threads ×2 was measured: …" */
      return g_strdup_printf (_("In %s, another program used %.0f %% of the CPU while %s was measured: "
                                "its figures are not reliable."),
                              run_name, 100 * severity, title);
    case LAB_DOUBT_UNSTABLE:
      /* Translators: "In #15, the repetitions of Sequential varied by ± 41 % around their median: …" */
      return g_strdup_printf (_("In %s, the repetitions of %s varied by ± %.0f %% around their median: "
                                "its figures are not reliable."),
                              run_name, title, 100 * severity);
    case LAB_DOUBT_ONE_REPETITION:
      /* Translators: "In #15, Sequential has only one repetition: …" */
      return g_strdup_printf (_("In %s, %s has only one repetition: how much its time varies is unknown."),
                              run_name, title);
    case LAB_DOUBT_NONE:
      return NULL;
    default:
      g_assert_not_reached ();
    }
}

/* Why a row gives no change: what is wrong with either side. */
static char *
describe_row_doubts (LabComparisonView *self,
                     LabComparisonRow  *row)
{
  g_autofree char *older = describe_doubt (row->older, self->older_name);
  g_autofree char *newer = describe_doubt (row->newer, self->newer_name);

  if (older == NULL)
    return g_steal_pointer (&newer);
  if (newer == NULL)
    return g_steal_pointer (&older);
  return g_strjoin (" ", older, newer, NULL);
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
      return format_change (row);
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
           LabComparisonView        *self)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "lab-column"));
  LabComparisonRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = format_column (row, column);
  g_autofree char *doubts = NULL;
  LabDoubt doubt;
  double ratio;

  gtk_label_set_text (GTK_LABEL (label), text);
  if (column != COLUMN_CHANGE)
    return;
  /* A change that cannot be given says why, from either side. */
  if (row_change (row, &doubt, &ratio) == LAB_CHANGE_DOUBTFUL)
    doubts = describe_row_doubts (self, row);
  gtk_widget_set_tooltip_text (label, doubts);
  if (doubts != NULL)
    gtk_widget_add_css_class (label, "warning");
  else
    gtk_widget_remove_css_class (label, "warning");
}

static void
lab_comparison_view_add_column (LabComparisonView *self,
                                Column             column)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "lab-column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (item_bind), self);
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

/* The worst doubt about a run's cells in the rows compared. */
typedef struct
{
  LabCell  *cell;
  LabDoubt  doubt;
  double    severity;
} WorstDoubt;

static void
worst_doubt_add (WorstDoubt *worst,
                 LabCell    *cell)
{
  double severity;
  LabDoubt doubt = lab_reading_comparison_doubt (cell, &severity);

  if (doubt > worst->doubt || (doubt == worst->doubt && doubt != LAB_DOUBT_NONE && severity > worst->severity))
    {
      worst->cell = cell;
      worst->doubt = doubt;
      worst->severity = severity;
    }
}

/* In how many rows the newer run was faster or slower, from the rows'
 * changes. */
static char *
describe_counts (const char *older_name,
                 const char *newer_name,
                 guint       faster,
                 guint       slower,
                 guint       compared)
{
  if (slower == 0)
    /* Translators: "#15 was faster than #12 in 2 of 3 rows." */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s was faster than %s in %u of %u row.",
                                         "%s was faster than %s in %u of %u rows.", compared),
                            newer_name, older_name, faster, compared);
  if (faster == 0)
    /* Translators: "#15 was slower than #12 in 2 of 3 rows." */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s was slower than %s in %u of %u row.",
                                         "%s was slower than %s in %u of %u rows.", compared),
                            newer_name, older_name, slower, compared);
  /* Translators: "#15 was faster than #12 in 2 of 4 rows and slower in 1." */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s was faster than %s in %u of %u row and slower in %u.",
                                       "%s was faster than %s in %u of %u rows and slower in %u.", compared),
                          newer_name, older_name, faster, compared, slower);
}

/* What the rows say together: which run cannot be trusted and why, in
 * how many rows the newer was measurably faster or slower, and the
 * largest change when both runs can be trusted. */
static char *
lab_comparison_view_describe (LabComparisonView *self,
                              const char        *older_name,
                              const char        *newer_name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint compared = 0, judged = 0, faster = 0, slower = 0;
  WorstDoubt older_worst = { NULL, LAB_DOUBT_NONE, 0 }, newer_worst = { NULL, LAB_DOUBT_NONE, 0 };
  LabComparisonRow *largest = NULL;
  double largest_change = 0;
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *count = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabComparisonRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
      LabDoubt doubt;
      double ratio;
      LabChange change = row_change (row, &doubt, &ratio);

      if (change == LAB_CHANGE_UNKNOWN)
        continue;
      compared++;
      worst_doubt_add (&older_worst, row->older);
      worst_doubt_add (&newer_worst, row->newer);
      if (change == LAB_CHANGE_DOUBTFUL)
        continue;
      judged++;
      if (change != LAB_CHANGE_FASTER && change != LAB_CHANGE_SLOWER)
        continue;
      if (change == LAB_CHANGE_FASTER)
        faster++;
      else
        slower++;
      if (fabs (log (ratio)) > largest_change)
        {
          largest_change = fabs (log (ratio));
          largest = row;
        }
    }
  if (compared == 0)
    return g_strdup (_("The two runs have no mode and worker count measured in common."));

  if (older_worst.doubt != LAB_DOUBT_NONE)
    g_ptr_array_add (sentences, describe_doubt (older_worst.cell, older_name));
  if (newer_worst.doubt != LAB_DOUBT_NONE)
    g_ptr_array_add (sentences, describe_doubt (newer_worst.cell, newer_name));

  if (judged == 0)
    g_ptr_array_add (sentences, g_strdup (MAX (older_worst.doubt, newer_worst.doubt) == LAB_DOUBT_FAILED
                                          ? _("No row can be compared: see the errors of each run, and run "
                                              "them again.")
                                          : _("No row can be compared: run again with more repetitions on a "
                                              "quiet machine.")));
  else if (faster == 0 && slower == 0 && sentences->len > 0)
    g_ptr_array_add (sentences, g_strdup (_("The rows that can be compared show no measurable difference.")));
  else if (faster == 0 && slower == 0)
    /* Translators: "#15 and #12 are not measurably different: …" */
    g_ptr_array_add (sentences, g_strdup_printf (_("%s and %s are not measurably different: in every row, the "
                                                   "medians are within the spread of the repetitions or less "
                                                   "than 1 %% apart."),
                                                 newer_name, older_name));
  else if (sentences->len > 0)
    g_ptr_array_add (sentences, describe_counts (older_name, newer_name, faster, slower, compared));
  else
    {
      g_autofree char *title = format_row_title (largest);
      g_autofree char *change = format_change (largest);

      count = describe_counts (older_name, newer_name, faster, slower, compared);
      /* Translators: the first %s says in how many rows the newer run was
       * faster; then a mode ("Threads ×4") and how it changed ("1.25× faster") */
      g_ptr_array_add (sentences, g_strdup_printf (_("%s The largest change: %s, %s."), count, title, change));
    }
  g_ptr_array_add (sentences, NULL);
  return g_strjoinv (" ", (char **) sentences->pdata);
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

  g_free (self->older_name);
  self->older_name = g_strdup (older_name);
  g_free (self->newer_name);
  self->newer_name = g_strdup (newer_name);
  lab_comparison_view_pair_cells (self, lab_result_set_get_cells (older), lab_result_set_get_cells (newer));
  reading = lab_comparison_view_describe (self, older_name, newer_name);
  gtk_label_set_text (self->reading_label, reading);
}

/* The table is shown @width wide now (lab-width-watch.h): the speed-ups of
 * the two runs only where they fit. */
static void
fit_columns_to (gpointer owner,
                int      width)
{
  LabComparisonView *self = owner;
  gboolean full = width >= FULL_WIDTH;

  gtk_column_view_column_set_visible (self->columns[COLUMN_OLDER_SPEEDUP], full);
  gtk_column_view_column_set_visible (self->columns[COLUMN_NEWER_SPEEDUP], full);
  if (full)
    gtk_widget_remove_css_class (GTK_WIDGET (self->column_view), "compact");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "compact");
}

static void
lab_comparison_view_dispose (GObject *object)
{
  LabComparisonView *self = LAB_COMPARISON_VIEW (object);

  lab_width_watch_stop (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_COMPARISON_VIEW);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->older_name, g_free);
  g_clear_pointer (&self->newer_name, g_free);

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
  lab_width_watch_start (self, self->scrolled_window, fit_columns_to);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-cell.h"
#include "lab-drop-down.h"
#include "lab-format.h"
#include "lab-results-view.h"
#include "lab-width-watch.h"

/**
 * LabResultsView:
 *
 * The table of a page's results, one row per cell (mode × workers), with
 * a caption naming the settings that produced them. On a narrow window
 * the secondary columns make way, Efficiency and CPU first, so that
 * Speed-up and Failed stay in view. Results measured earlier with other
 * settings can be picked in a drop-down; picking one emits "show-set"
 * with its position.
 */

typedef enum
{
  COLUMN_MODE,
  COLUMN_WORKERS,
  COLUMN_MEDIAN,
  COLUMN_SPEEDUP,
  COLUMN_EFFICIENCY,
  COLUMN_CPU,
  COLUMN_MEMORY,
  COLUMN_LATENCY,
  COLUMN_THROUGHPUT,
  COLUMN_FAILED,
  N_COLUMNS
} Column;

/* Columns that make way on a narrow window, the most wanted first, with
 * the width each needs; the others always show. */
static const struct {
  Column   column;
  int      width;
  gboolean io_only;
} optional_columns[] = {
  { COLUMN_WORKERS, 95 },
  { COLUMN_LATENCY, 150, TRUE },
  { COLUMN_THROUGHPUT, 110, TRUE },
  { COLUMN_MEMORY, 115 },
  { COLUMN_CPU, 75 },
  { COLUMN_EFFICIENCY, 110 },
};
#define ALWAYS_SHOWN_WIDTH 445
/* Narrower than this, the table goes compact: less padding, and the
 * median without its spread (which stays in the label's tooltip). */
#define COMPACT_WIDTH 520

struct _LabResultsView
{
  GtkWidget            parent_instance;

  GtkSortListModel    *sorted;
  gboolean             io;
  gboolean             compact;
  gboolean             workers_shown;
  int                  fitted_width;

  /* Template children */
  GtkLabel            *caption_label;
  GtkDropDown         *sets_dropdown;
  GtkWidget           *clear_button;
  GtkColumnView       *column_view;
  GtkScrolledWindow   *scrolled_window;
  GtkColumnViewColumn *columns[N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (LabResultsView, lab_results_view, GTK_TYPE_WIDGET)

enum {
  SHOW_SET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Downloads per second; the bytes per second in the tooltip. */
static char *
format_throughput (LabCell *cell,
                   guint    n_reps)
{
  double median = lab_cell_get_median_s (cell);
  double per_s = lab_cell_get_ok_tasks (cell) / (double) n_reps / median;

  if (!isfinite (per_s) || median <= 0 || lab_cell_get_ok_tasks (cell) == 0)
    return g_strdup (LAB_FORMAT_NONE);
  /* Translators: tasks (downloads) per second */
  return g_strdup_printf (_("%.1f/s"), per_s);
}

static char *
format_memory (LabCell *cell)
{
  GPtrArray *reps = lab_cell_get_repetitions (cell);
  guint64 peak = 0;

  for (guint i = 0; i < reps->len; i++)
    peak = MAX (peak, ((LabRepetition *) g_ptr_array_index (reps, i))->peak_rss_kib);
  return peak > 0 ? g_format_size_full (peak * 1024, G_FORMAT_SIZE_IEC_UNITS) : g_strdup (LAB_FORMAT_NONE);
}

static char *
format_percent (double fraction)
{
  if (!isfinite (fraction) || fraction <= 0)
    return g_strdup (LAB_FORMAT_NONE);
  return g_strdup_printf (_("%.0f %%"), fraction * 100.0);
}

static char *
format_cell (LabCell        *cell,
             Column          column,
             LabResultsView *view,
             gboolean        compact)
{
  guint n_reps = lab_cell_get_repetitions (cell)->len;

  if (n_reps == 0 && column != COLUMN_MODE && column != COLUMN_WORKERS)
    return g_strdup ("…");

  switch (column)
    {
    case COLUMN_MODE:
      /* Without the Workers column, the mode says how many (sequential
       * is one, always). */
      if (!view->workers_shown && lab_cell_get_mode (cell) != LAB_MODE_SEQUENTIAL)
        return g_strdup_printf ("%s ×%u", lab_cell_get_title (cell), lab_cell_get_workers (cell));
      return g_strdup (lab_cell_get_title (cell));
    case COLUMN_WORKERS:
      return g_strdup_printf ("%u", lab_cell_get_workers (cell));
    case COLUMN_MEDIAN:
      {
        g_autofree char *median = lab_format_duration (lab_cell_get_median_s (cell));
        g_autofree char *mad = lab_format_duration (lab_cell_get_mad_s (cell));

        if (compact)
          return g_steal_pointer (&median);
        return g_strdup_printf ("%s ± %s", median, mad);
      }
    case COLUMN_SPEEDUP:
      {
        double speedup = lab_cell_get_speedup (cell);

        if (!isfinite (speedup) || speedup <= 0)
          return g_strdup (LAB_FORMAT_NONE);
        return g_strdup_printf (_("%.2f×"), speedup);
      }
    case COLUMN_EFFICIENCY:
      return format_percent (lab_cell_get_efficiency (cell));
    case COLUMN_CPU:
      return format_percent (lab_cell_get_cpu_util (cell));
    case COLUMN_MEMORY:
      return format_memory (cell);
    case COLUMN_LATENCY:
      {
        double p50 = lab_cell_get_latency_ms (cell, 50);

        if (!isfinite (p50))
          return g_strdup (LAB_FORMAT_NONE);
        /* Translators: task latency percentiles p50/p90/p99 in milliseconds */
        return g_strdup_printf (_("%.0f/%.0f/%.0f ms"), p50,
                                lab_cell_get_latency_ms (cell, 90), lab_cell_get_latency_ms (cell, 99));
      }
    case COLUMN_THROUGHPUT:
      return format_throughput (cell, n_reps);
    case COLUMN_FAILED:
      return g_strdup_printf ("%u", lab_cell_get_failed_tasks (cell));
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
results_label_update (GtkLabel *label)
{
  LabCell *cell = g_object_get_data (G_OBJECT (label), "lab-cell");
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (label), "lab-column"));
  LabResultsView *view = g_object_get_data (G_OBJECT (label), "lab-view");
  g_autofree char *text = NULL;

  if (cell == NULL)
    return;
  text = format_cell (cell, column, view, view->compact);
  gtk_label_set_text (label, text);
  if (column == COLUMN_MEDIAN && view->compact)
    {
      g_autofree char *full = format_cell (cell, column, view, FALSE);

      gtk_widget_set_tooltip_text (GTK_WIDGET (label), full);
    }
  if (column == COLUMN_THROUGHPUT && isfinite (lab_cell_get_throughput_mib_s (cell)))
    {
      /* Translators: mebibytes per second */
      g_autofree char *bytes = g_strdup_printf (_("%.2f MiB/s"), lab_cell_get_throughput_mib_s (cell));

      gtk_widget_set_tooltip_text (GTK_WIDGET (label), bytes);
    }
  if (column == COLUMN_FAILED && lab_cell_get_failed_tasks (cell) > 0)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
}

static void
results_item_setup (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    LabResultsView           *self)
{
  gpointer column = g_object_get_data (G_OBJECT (factory), "lab-column");
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_UINT (column) == COLUMN_MODE ? 0.0 : 1.0);
  if (GPOINTER_TO_UINT (column) != COLUMN_MODE)
    gtk_widget_add_css_class (label, "numeric");
  g_object_set_data (G_OBJECT (label), "lab-column", column);
  g_object_set_data (G_OBJECT (label), "lab-view", self);
  gtk_list_item_set_child (item, label);
}

static void
results_item_bind (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   LabResultsView           *self)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  LabCell *cell = gtk_list_item_get_item (item);
  gulong handler;

  g_object_set_data (G_OBJECT (label), "lab-cell", cell);
  /* Cells are updated in place as repetitions finish. */
  handler = g_signal_connect_object (cell, "notify", G_CALLBACK (results_label_update), label, G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (label), "lab-handler", GSIZE_TO_POINTER (handler));
  results_label_update (GTK_LABEL (label));
}

static void
results_item_unbind (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     LabResultsView           *self)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  LabCell *cell = gtk_list_item_get_item (item);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (label), "lab-handler"));

  if (cell != NULL && handler != 0)
    g_signal_handler_disconnect (cell, handler);
  g_object_set_data (G_OBJECT (label), "lab-handler", NULL);
  g_object_set_data (G_OBJECT (label), "lab-cell", NULL);
}

/* Shows the optional columns that fit @width, the most wanted first. */
static void
lab_results_view_fit_columns (LabResultsView *self)
{
  int used = ALWAYS_SHOWN_WIDTH;
  gboolean fits = TRUE;
  gboolean compact = self->fitted_width > 0 && self->fitted_width < COMPACT_WIDTH;
  gboolean workers_shown = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (optional_columns); i++)
    {
      gboolean wanted = self->io || !optional_columns[i].io_only;
      gboolean show = wanted && fits && used + optional_columns[i].width <= self->fitted_width;

      if (wanted && !show)
        fits = FALSE;
      if (show)
        used += optional_columns[i].width;
      if (optional_columns[i].column == COLUMN_WORKERS)
        workers_shown = show;
      gtk_column_view_column_set_visible (self->columns[optional_columns[i].column], show);
    }

  if (compact != self->compact || workers_shown != self->workers_shown)
    {
      GListModel *cells = gtk_sort_list_model_get_model (self->sorted);

      self->compact = compact;
      self->workers_shown = workers_shown;
      if (compact)
        gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "compact");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->column_view), "compact");
      gtk_column_view_column_set_title (self->columns[COLUMN_MEDIAN], compact ? _("Median") : _("Median ± MAD"));
      /* Bind the rows again, in the new format. */
      if (cells != NULL)
        {
          g_object_ref (cells);
          gtk_sort_list_model_set_model (self->sorted, NULL);
          gtk_sort_list_model_set_model (self->sorted, cells);
          g_object_unref (cells);
        }
    }
}

/* The table is shown @width wide now (lab-width-watch.h). */
static void
fit_columns_to (gpointer owner,
                int      width)
{
  LabResultsView *self = owner;

  self->fitted_width = width;
  lab_results_view_fit_columns (self);
}

void
lab_results_view_set_model (LabResultsView *self,
                            GListModel     *cells)
{
  g_return_if_fail (LAB_IS_RESULTS_VIEW (self));
  gtk_sort_list_model_set_model (self->sorted, cells);
}

/**
 * lab_results_view_set_caption:
 * @caption: (nullable): the settings that produced the results
 * @other_settings: whether the form now shows other settings
 */
void
lab_results_view_set_caption (LabResultsView *self,
                              const char     *caption,
                              gboolean        other_settings)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LAB_IS_RESULTS_VIEW (self));

  if (caption == NULL)
    text = g_strdup (_("No results yet"));
  else if (other_settings)
    /* Translators: %s describes the settings, e.g. "Primes · size 2,000,000 · 32 tasks" */
    text = g_strdup_printf (_("Measured with other settings than the form’s: %s. Start measures the new settings as a new set."), caption);
  else
    /* Translators: %s describes the settings, e.g. "Primes · size 2,000,000 · 32 tasks" */
    text = g_strdup_printf (_("Measured with: %s"), caption);
  gtk_label_set_text (self->caption_label, text);
  if (other_settings)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->caption_label), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->caption_label), "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->caption_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->caption_label), "dim-label");
    }
}

static void
on_set_selected (LabResultsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->sets_dropdown);

  if (selected != GTK_INVALID_LIST_POSITION)
    g_signal_emit (self, signals[SHOW_SET], 0, selected);
}

/**
 * lab_results_view_set_sets:
 * @captions: (nullable): a #GtkStringList, the settings of each set of
 *   results kept, the drop-down shows them when there are several
 * @shown: the position of the set shown
 */
void
lab_results_view_set_sets (LabResultsView *self,
                           GListModel     *captions,
                           guint           shown)
{
  g_return_if_fail (LAB_IS_RESULTS_VIEW (self));

  g_signal_handlers_block_by_func (self->sets_dropdown, on_set_selected, self);
  if (gtk_drop_down_get_model (self->sets_dropdown) != captions)
    gtk_drop_down_set_model (self->sets_dropdown, captions);
  gtk_drop_down_set_selected (self->sets_dropdown, shown);
  g_signal_handlers_unblock_by_func (self->sets_dropdown, on_set_selected, self);
  gtk_widget_set_visible (GTK_WIDGET (self->sets_dropdown),
                          captions != NULL && g_list_model_get_n_items (captions) > 1);
}

/* Whether the table offers to forget its results (page.clear): not
 * where they are kept for good, as in the history. */
void
lab_results_view_set_clearable (LabResultsView *self,
                                gboolean        clearable)
{
  g_return_if_fail (LAB_IS_RESULTS_VIEW (self));
  gtk_widget_set_visible (self->clear_button, clearable);
}

/* Whether the results are downloads: latency and throughput columns. */
void
lab_results_view_set_io (LabResultsView *self,
                         gboolean        io)
{
  g_return_if_fail (LAB_IS_RESULTS_VIEW (self));

  if (self->io == io)
    return;
  self->io = io;
  lab_results_view_fit_columns (self);
}

static void
lab_results_view_dispose (GObject *object)
{
  LabResultsView *self = LAB_RESULTS_VIEW (object);
  GtkWidget *child;

  lab_width_watch_stop (self);
  /* The drop-down goes with the template's children: it must not call
   * back into the view meanwhile. */
  if (self->sets_dropdown != NULL)
    g_signal_handlers_disconnect_by_data (self->sets_dropdown, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_RESULTS_VIEW);
  /* It unparents only the children bound to a field; the template's
   * other children go here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->sorted);

  G_OBJECT_CLASS (lab_results_view_parent_class)->dispose (object);
}

static void
lab_results_view_class_init (LabResultsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_results_view_dispose;

  g_type_ensure (LAB_TYPE_CELL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-results-view.ui");
  signals[SHOW_SET] =
    g_signal_new ("show-set", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_bind_template_child (widget_class, LabResultsView, caption_label);
  gtk_widget_class_bind_template_child (widget_class, LabResultsView, sets_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabResultsView, clear_button);
  gtk_widget_class_bind_template_child (widget_class, LabResultsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, LabResultsView, scrolled_window);
  gtk_widget_class_bind_template_child_full (widget_class, "mode_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_MODE]));
  gtk_widget_class_bind_template_child_full (widget_class, "workers_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_WORKERS]));
  gtk_widget_class_bind_template_child_full (widget_class, "median_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_MEDIAN]));
  gtk_widget_class_bind_template_child_full (widget_class, "speedup_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_SPEEDUP]));
  gtk_widget_class_bind_template_child_full (widget_class, "efficiency_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_EFFICIENCY]));
  gtk_widget_class_bind_template_child_full (widget_class, "cpu_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_CPU]));
  gtk_widget_class_bind_template_child_full (widget_class, "memory_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_MEMORY]));
  gtk_widget_class_bind_template_child_full (widget_class, "latency_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_LATENCY]));
  gtk_widget_class_bind_template_child_full (widget_class, "throughput_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_THROUGHPUT]));
  gtk_widget_class_bind_template_child_full (widget_class, "failed_column", FALSE, G_STRUCT_OFFSET (LabResultsView, columns[COLUMN_FAILED]));
  gtk_widget_class_bind_template_callback (widget_class, results_item_setup);
  gtk_widget_class_bind_template_callback (widget_class, results_item_bind);
  gtk_widget_class_bind_template_callback (widget_class, results_item_unbind);
}

static void
lab_results_view_init (LabResultsView *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);

  /* The factories are declared in the template; each learns its column. */
  for (guint c = 0; c < N_COLUMNS; c++)
    g_object_set_data (G_OBJECT (gtk_column_view_column_get_factory (self->columns[c])),
                       "lab-column", GUINT_TO_POINTER (c));

  self->sorted = gtk_sort_list_model_new (NULL, g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  lab_results_view_set_caption (self, NULL, FALSE);
  lab_results_view_fit_columns (self);
  lab_drop_down_setup_strings (self->sets_dropdown, _("Results shown"));
  g_signal_connect_object (self->sets_dropdown, "notify::selected", G_CALLBACK (on_set_selected),
                           self, G_CONNECT_SWAPPED);
  lab_width_watch_start (self, self->scrolled_window, fit_columns_to);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lab-bar-chart.h"
#include "lab-cell.h"
#include "lab-format.h"

/* Wall time per cell: a bar at the median, a whisker from min to max.
 * A cell with failed tasks is faded, hatched and labelled "failed": its
 * time is not one of the same work. */

#define PAD          8.0
#define MAX_BAR_W    56.0
#define TARGET_TICKS 4

typedef struct
{
  LabRuntime runtime;
  LabMode   mode;
  gboolean  measured;
  guint     failed;     /* tasks that failed: the time is not comparable */
  char     *label;      /* "Threads ×20", for the summary */
  char     *workers;    /* "×20", under the mode's title */
  char     *value;      /* "1.25 s" */
  /* Normalised to 0..1 of the axis */
  double    median;
  double    min;
  double    max;
} Bar;

struct _LabBarChart
{
  LabCellsChart  parent_instance;

  GArray        *bars;       /* Bar */
  double         axis_max_s;
  double         step_s;
};

G_DEFINE_FINAL_TYPE (LabBarChart, lab_bar_chart, LAB_TYPE_CELLS_CHART)

static void
bar_clear (gpointer data)
{
  Bar *bar = data;

  g_clear_pointer (&bar->label, g_free);
  g_clear_pointer (&bar->workers, g_free);
  g_clear_pointer (&bar->value, g_free);
}

static char *
describe_bars (LabBarChart *self,
               GListModel  *cells)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_items = g_list_model_get_n_items (cells);

  g_string_append (text, _("Wall time per mode and worker count, median of the measured "
                           "repetitions, with the range from fastest to slowest."));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      const Bar *bar = &g_array_index (self->bars, Bar, i);
      g_autofree char *min = NULL;
      g_autofree char *max = NULL;

      if (!bar->measured)
        continue;

      min = lab_format_duration_scaled (lab_cell_get_min_s (cell), lab_cell_get_min_s (cell));
      max = lab_format_duration_scaled (lab_cell_get_max_s (cell), lab_cell_get_max_s (cell));
      g_string_append_c (text, ' ');
      /* Translators: "Threads ×4: 1.2 s (1.1 s to 1.3 s)." */
      g_string_append_printf (text, _("%s: %s (%s to %s)."), bar->label, bar->value, min, max);
      if (bar->failed > 0)
        {
          g_string_append_c (text, ' ');
          g_string_append_printf (text,
                                  ngettext ("%u task failed there.", "%u tasks failed there.",
                                            bar->failed),
                                  bar->failed);
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Normalises the cells to the axis once, when they change. */
static void
lab_bar_chart_cells_changed (LabCellsChart *cells_chart)
{
  LabBarChart *self = LAB_BAR_CHART (cells_chart);
  LabChart *chart = LAB_CHART (cells_chart);
  GListModel *cells = lab_cells_chart_get_model (cells_chart);
  guint n_items = cells != NULL ? g_list_model_get_n_items (cells) : 0;
  double top = 0;
  gboolean any = FALSE;

  /* The natural width follows the number of bars */
  if (self->bars->len != n_items)
    gtk_widget_queue_resize (GTK_WIDGET (self));

  g_array_set_size (self->bars, 0);
  g_array_set_size (self->bars, n_items);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      Bar *bar = &g_array_index (self->bars, Bar, i);
      double median = lab_cell_get_median_s (cell);
      double min = lab_cell_get_min_s (cell);
      double max = lab_cell_get_max_s (cell);

      bar->runtime = lab_cell_get_runtime (cell);
      bar->mode = lab_cell_get_mode (cell);
      bar->failed = lab_cell_get_failed_tasks (cell);
      /* Translators: a mode's title and its worker count under a bar, "Threads ×20" */
      bar->label = g_strdup_printf (_("%s ×%u"), lab_variant_title (bar->runtime, bar->mode),
                                    lab_cell_get_workers (cell));
      /* Translators: a worker count under a mode's title, "×20" */
      bar->workers = g_strdup_printf (_("×%u"), lab_cell_get_workers (cell));
      bar->measured = isfinite (median) && median >= 0;
      if (!bar->measured)
        continue;

      bar->min = isfinite (min) ? MIN (min, median) : median;
      bar->max = isfinite (max) ? MAX (max, median) : median;
      bar->median = median;
      bar->value = lab_format_duration_scaled (median, median);
      top = MAX (top, bar->max);
      any = TRUE;
    }

  if (top <= 0)
    top = 1e-3;
  self->step_s = lab_chart_nice_step (top, TARGET_TICKS);
  self->axis_max_s = ceil (top / self->step_s) * self->step_s;
  if (self->axis_max_s < top * 1.04)
    self->axis_max_s += self->step_s;

  for (guint i = 0; i < n_items; i++)
    {
      Bar *bar = &g_array_index (self->bars, Bar, i);

      bar->median /= self->axis_max_s;
      bar->min /= self->axis_max_s;
      bar->max /= self->axis_max_s;
    }

  if (any)
    {
      g_autofree char *summary = describe_bars (self, cells);

      lab_chart_set_summary (chart, summary);
    }
  lab_chart_set_empty (chart, !any);
}

/* The labels of the value axis, from 0 up. */
static GStrv
dup_tick_labels (LabBarChart *self)
{
  GPtrArray *labels = g_ptr_array_new ();
  guint n_ticks = (guint) round (self->axis_max_s / self->step_s);

  for (guint i = 0; i <= n_ticks; i++)
    g_ptr_array_add (labels, lab_format_duration_scaled (i * self->step_s, self->axis_max_s));
  g_ptr_array_add (labels, NULL);
  return (GStrv) g_ptr_array_free (labels, FALSE);
}

/* Diagonal stripes over a bar whose cell had failed tasks */
static void
append_hatch (GtkSnapshot   *snapshot,
              const GdkRGBA *color,
              float          x,
              float          y,
              float          width,
              float          height)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (roundf (x), roundf (y), roundf (width),
                                               roundf (height));
  cairo_t *cr;

  if (bounds.size.width < 1 || bounds.size.height < 1)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_rectangle (cr, bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height);
  cairo_clip (cr);
  cairo_set_line_width (cr, 2.0);
  gdk_cairo_set_source_rgba (cr, color);
  for (float d = -bounds.size.height; d < bounds.size.width; d += 7)
    {
      cairo_move_to (cr, bounds.origin.x + d, bounds.origin.y + bounds.size.height);
      cairo_line_to (cr, bounds.origin.x + d + bounds.size.height, bounds.origin.y);
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static PangoLayout *
create_value_layout (LabBarChart *self,
                     const Bar   *bar,
                     float        slot_w)
{
  g_autofree char *failed = NULL;
  PangoLayout *layout;
  int width;

  if (bar->failed == 0)
    return lab_chart_create_layout (LAB_CHART (self), bar->value, TRUE);

  /* Translators: the value over a bar whose cell had failed tasks, "1.2 s, failed" */
  failed = g_strdup_printf (_("%s, failed"), bar->value);
  layout = lab_chart_create_layout (LAB_CHART (self), failed, TRUE);
  pango_layout_get_pixel_size (layout, &width, NULL);
  if (width > slot_w - 2)
    pango_layout_set_text (layout, _("failed"), -1);
  return layout;
}

static void
draw_bar (LabBarChart           *self,
          GtkSnapshot           *snapshot,
          const LabChartPalette *palette,
          const graphene_rect_t *plot,
          const Bar             *bar,
          float                  slot_x,
          float                  slot_w)
{
  float bottom = plot->origin.y + plot->size.height;
  float bar_w = CLAMP (slot_w * 0.6f, 3.0f, MAX_BAR_W);
  float center = roundf (slot_x + slot_w / 2);
  float y_median = bottom - bar->median * plot->size.height;
  float y_min = bottom - bar->min * plot->size.height;
  float y_max = bottom - bar->max * plot->size.height;
  g_autoptr(PangoLayout) value = NULL;
  int width, height;

  if (bar->failed > 0)
    {
      GdkRGBA faded = palette->variants[bar->runtime][bar->mode];

      faded.alpha *= 0.35f;
      lab_chart_append_rect (snapshot, &faded, center - bar_w / 2, y_median, bar_w,
                             bottom - y_median);
      append_hatch (snapshot, &palette->error, center - bar_w / 2, y_median, bar_w,
                    bottom - y_median);
    }
  else
    lab_chart_append_rect (snapshot, &palette->variants[bar->runtime][bar->mode],
                           center - bar_w / 2, y_median, bar_w, bottom - y_median);

  /* The whisker: the spread between the fastest and slowest repetition */
  if (y_min - y_max >= 1)
    {
      float cap = MAX (3.0f, roundf (bar_w * 0.4f));

      lab_chart_append_rect (snapshot, &palette->foreground, center, y_max, 1, y_min - y_max);
      lab_chart_append_rect (snapshot, &palette->foreground, center - cap / 2, y_max, cap + 1, 1);
      lab_chart_append_rect (snapshot, &palette->foreground, center - cap / 2, y_min, cap + 1, 1);
    }

  value = create_value_layout (self, bar, slot_w);
  pango_layout_get_pixel_size (value, &width, &height);
  if (width <= slot_w - 2)
    lab_chart_append_layout (snapshot, value, center - width / 2.0,
                             MIN (y_max, y_median) - height - 2,
                             bar->failed > 0 ? &palette->error : &palette->foreground);
}

static void
draw_label (LabBarChart           *self,
            GtkSnapshot           *snapshot,
            const LabChartPalette *palette,
            const Bar             *bar,
            float                  slot_x,
            float                  slot_w,
            float                  y)
{
  const char *lines[] = { lab_variant_title (bar->runtime, bar->mode), bar->workers };

  /* The title wraps to two lines at most and may be cut short on a
   * narrow bar; the worker count below it never is */
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), lines[i], TRUE);
      int height;

      pango_layout_set_width (layout, MAX (1, (int) slot_w - 2) * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height (layout, i == 0 ? -2 : -1);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      pango_layout_get_pixel_size (layout, NULL, &height);
      lab_chart_append_layout (snapshot, layout, slot_x + 1, y, &palette->foreground);
      y += height;
    }
}

static void
lab_bar_chart_draw (LabChart    *chart,
                    GtkSnapshot *snapshot,
                    int          width,
                    int          height)
{
  LabBarChart *self = LAB_BAR_CHART (chart);
  const LabChartPalette *palette = lab_chart_get_palette (chart);
  g_autoptr(PangoLayout) probe = lab_chart_create_layout (chart, "0", TRUE);
  g_auto(GStrv) tick_labels = dup_tick_labels (self);
  graphene_rect_t plot;
  int tick_width, line_height;
  float slot_w;

  pango_layout_get_pixel_size (probe, NULL, &line_height);
  tick_width = lab_chart_measure_labels (chart, (const char * const *) tick_labels);

  /* Room for the value labels above, three lines of labels below */
  graphene_rect_init (&plot, PAD + tick_width + PAD, PAD + line_height + 2, 0, 0);
  plot.size.width = width - plot.origin.x - PAD;
  plot.size.height = height - plot.origin.y - 3 * line_height - 2 * PAD;
  if (plot.size.width < 8 || plot.size.height < 8 || self->bars->len == 0)
    return;

  lab_chart_append_y_axis (chart, snapshot, &plot, (const char * const *) tick_labels);

  slot_w = plot.size.width / self->bars->len;
  for (guint i = 0; i < self->bars->len; i++)
    {
      const Bar *bar = &g_array_index (self->bars, Bar, i);
      float slot_x = plot.origin.x + i * slot_w;

      if (bar->measured)
        draw_bar (self, snapshot, palette, &plot, bar, slot_x, slot_w);
      draw_label (self, snapshot, palette, bar, slot_x, slot_w,
                  plot.origin.y + plot.size.height + PAD / 2);
    }
}

static void
lab_bar_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  LabBarChart *self = LAB_BAR_CHART (widget);

  GTK_WIDGET_CLASS (lab_bar_chart_parent_class)->measure (widget, orientation, for_size,
                                                          minimum, natural,
                                                          minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = MAX (*natural, (int) self->bars->len * 72 + 64);
}

GtkWidget *
lab_bar_chart_new (void)
{
  return g_object_new (LAB_TYPE_BAR_CHART, NULL);
}

/**
 * lab_bar_chart_get_model:
 *
 * Returns: (transfer none) (nullable): the #LabCell model
 */
GListModel *
lab_bar_chart_get_model (LabBarChart *self)
{
  g_return_val_if_fail (LAB_IS_BAR_CHART (self), NULL);

  return lab_cells_chart_get_model (LAB_CELLS_CHART (self));
}

/**
 * lab_bar_chart_set_model:
 * @cells: (nullable): a #GListModel of #LabCell, one bar each, in order
 */
void
lab_bar_chart_set_model (LabBarChart *self,
                         GListModel  *cells)
{
  g_return_if_fail (LAB_IS_BAR_CHART (self));

  lab_cells_chart_set_model (LAB_CELLS_CHART (self), cells);
}

static void
lab_bar_chart_finalize (GObject *object)
{
  LabBarChart *self = LAB_BAR_CHART (object);

  g_clear_pointer (&self->bars, g_array_unref);

  G_OBJECT_CLASS (lab_bar_chart_parent_class)->finalize (object);
}

static void
lab_bar_chart_class_init (LabBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);
  LabCellsChartClass *cells_chart_class = LAB_CELLS_CHART_CLASS (klass);

  object_class->finalize = lab_bar_chart_finalize;

  widget_class->measure = lab_bar_chart_measure;

  chart_class->draw = lab_bar_chart_draw;

  cells_chart_class->cells_changed = lab_bar_chart_cells_changed;

  gtk_widget_class_set_css_name (widget_class, "barchart");
}

static void
lab_bar_chart_init (LabBarChart *self)
{
  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
  self->axis_max_s = 1.0;
  self->step_s = 0.25;

  lab_chart_set_label (LAB_CHART (self), _("Wall time per mode"));
  lab_chart_set_empty_text (LAB_CHART (self), _("Run an experiment to see wall times"));
}

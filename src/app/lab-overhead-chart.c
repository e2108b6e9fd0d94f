/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "lab-format.h"
#include "lab-overhead-chart.h"

/* One figure of an overheads experiment, drawn from its LabOverheadTable:
 * groups of bars, lines with a marker at each measured point, or steps,
 * on linear or logarithmic axes. The title and the legend are part of the
 * drawing, so that an exported image says what it shows. */

#define PAD          8.0
#define TARGET_TICKS 4
#define MARKER       3.0

/* The colours of the series, in order: the modes' hues, so that the
 * first series (usually threads) looks like threads elsewhere; past
 * them, the same hues in the darker shade of the CPython runtime. */
static const LabMode series_hues[] = {
  LAB_MODE_THREADS, LAB_MODE_PROCESSES, LAB_MODE_SPAWN, LAB_MODE_ASYNC, LAB_MODE_GIL, LAB_MODE_SEQUENTIAL,
  LAB_MODE_GTASK,
};

/* An axis: linear from @lo to @hi, or logarithmic over whole decades
 * (@lo and @hi are then exponents). */
typedef struct
{
  gboolean log;
  double   lo;
  double   hi;
  double   step;
} Axis;

struct _LabOverheadChart
{
  LabChart          parent_instance;

  LabOverheadTable *table;
  Axis              y;
  Axis              x;
};

G_DEFINE_FINAL_TYPE (LabOverheadChart, lab_overhead_chart, LAB_TYPE_CHART)

static const GdkRGBA *
series_color (const LabChartPalette *palette,
              guint                  index)
{
  LabMode hue = series_hues[index % G_N_ELEMENTS (series_hues)];

  if (index < G_N_ELEMENTS (series_hues))
    return &palette->modes[hue];
  return &palette->variants[LAB_RUNTIME_CPYTHON][hue];
}

static gboolean
plottable (double value,
           gboolean log)
{
  return isfinite (value) && (!log || value > 0);
}

/* Fits @axis to the values between @min and @max (either may be NAN when
 * nothing was measured yet). A linear value axis starts at zero. */
static void
axis_fit (Axis     *axis,
          gboolean  log,
          gboolean  from_zero,
          double    min,
          double    max)
{
  axis->log = log;
  if (!isfinite (min) || !isfinite (max))
    min = max = log ? 1 : 0;
  if (log)
    {
      axis->lo = floor (log10 (min));
      axis->hi = ceil (log10 (max));
      if (axis->hi <= axis->lo)
        axis->hi = axis->lo + 1;
      /* a tick per decade, or every other one when there are many */
      axis->step = axis->hi - axis->lo > 6 ? 2 : 1;
      return;
    }
  axis->lo = from_zero ? MIN (0, min) : min;
  axis->hi = max > axis->lo ? max : axis->lo + 1;
  axis->step = lab_chart_nice_step (axis->hi - axis->lo, TARGET_TICKS);
  axis->hi = ceil (axis->hi / axis->step - 1e-9) * axis->step;
  if (from_zero && axis->lo < 0)
    axis->lo = floor (axis->lo / axis->step) * axis->step;
}

/* Where @value falls on @axis, 0 (start) to 1 (end). */
static double
axis_position (const Axis *axis,
               double      value)
{
  if (axis->log)
    return (log10 (value) - axis->lo) / (axis->hi - axis->lo);
  return (value - axis->lo) / (axis->hi - axis->lo);
}

static double
axis_tick_value (const Axis *axis,
                 guint       i)
{
  if (axis->log)
    return pow (10, axis->lo + i * axis->step);
  return axis->lo + i * axis->step;
}

static guint
axis_n_ticks (const Axis *axis)
{
  return (guint) round ((axis->hi - axis->lo) / axis->step);
}

static void
lab_overhead_chart_fit (LabOverheadChart *self)
{
  const LabOverheadTable *table = self->table;
  double y_min = NAN, y_max = NAN, x_min = NAN, x_max = NAN;

  for (guint s = 0; s < table->series->len; s++)
    {
      LabOverheadSeries *series = table->series->pdata[s];

      for (guint c = 0; c < series->values->len; c++)
        {
          double value = g_array_index (series->values, double, c);

          if (!plottable (value, table->log_y))
            continue;
          y_min = isfinite (y_min) ? MIN (y_min, value) : value;
          y_max = isfinite (y_max) ? MAX (y_max, value) : value;
        }
    }
  for (guint c = 0; c < table->x->len; c++)
    {
      double x = g_array_index (table->x, double, c);

      if (!plottable (x, table->log_x))
        continue;
      x_min = isfinite (x_min) ? MIN (x_min, x) : x;
      x_max = isfinite (x_max) ? MAX (x_max, x) : x;
    }
  axis_fit (&self->y, table->log_y, TRUE, y_min, y_max);
  if (table->log_x)
    {
      /* the measured points themselves bound a logarithmic x axis */
      self->x.log = TRUE;
      self->x.lo = isfinite (x_min) ? log10 (x_min) : 0;
      self->x.hi = isfinite (x_max) && x_max > x_min ? log10 (x_max) : self->x.lo + 1;
      self->x.step = 1;
    }
  else
    axis_fit (&self->x, FALSE, FALSE, x_min, x_max);
}

static char *
describe (const LabOverheadTable *table)
{
  g_autoptr(GString) text = g_string_new (table->title);

  for (guint s = 0; s < table->series->len; s++)
    {
      LabOverheadSeries *series = table->series->pdata[s];
      guint described = 0;

      g_string_append_printf (text, ". %s:", series->name);
      for (guint c = 0; c < table->columns->len; c++)
        {
          double value = g_array_index (series->values, double, c);
          g_autofree char *formatted = NULL;

          /* a step series has a column per event: its extremes say enough */
          if (!isfinite (value) || (table->kind == LAB_OVERHEAD_CHART_STEPS && described > 0 &&
                                    c + 1 < table->columns->len))
            continue;
          formatted = lab_overhead_format_value (value, table->unit);
          g_string_append_printf (text, "%s %s %s", described++ > 0 ? "," : "",
                                  (const char *) table->columns->pdata[c], formatted);
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The labels of the value axis, from its bottom up. */
static GStrv
dup_y_labels (LabOverheadChart *self)
{
  GPtrArray *labels = g_ptr_array_new ();

  for (guint i = 0; i <= axis_n_ticks (&self->y); i++)
    g_ptr_array_add (labels, lab_overhead_format_value (axis_tick_value (&self->y, i), self->table->unit));
  g_ptr_array_add (labels, NULL);
  return (GStrv) g_ptr_array_free (labels, FALSE);
}

/* A label centred under @x, unless it would overlap the previous one
 * (ending at @*last_end). */
static void
draw_x_label (LabOverheadChart      *self,
              GtkSnapshot           *snapshot,
              const LabChartPalette *palette,
              const char            *text,
              float                  x,
              float                  y,
              float                 *last_end)
{
  g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  if (x - width / 2.0f < *last_end + 4)
    return;
  lab_chart_append_layout (snapshot, layout, x - width / 2.0f, y, &palette->foreground);
  *last_end = x + width / 2.0f;
}

static float
value_y (LabOverheadChart      *self,
         const graphene_rect_t *plot,
         double                 value)
{
  double position = CLAMP (axis_position (&self->y, value), 0, 1);

  return plot->origin.y + plot->size.height * (1 - position);
}

static void
draw_bars (LabOverheadChart      *self,
           GtkSnapshot           *snapshot,
           const LabChartPalette *palette,
           const graphene_rect_t *plot)
{
  const LabOverheadTable *table = self->table;
  guint n_columns = table->columns->len, n_series = MAX (table->series->len, 1);
  float slot_w = plot->size.width / MAX (n_columns, 1);
  float bar_w = MIN (slot_w * 0.8f / n_series, 48);
  float bottom = plot->origin.y + plot->size.height;
  float last_end = -G_MAXFLOAT;

  for (guint c = 0; c < n_columns; c++)
    {
      float group_x = plot->origin.x + c * slot_w + (slot_w - bar_w * n_series) / 2;

      for (guint s = 0; s < table->series->len; s++)
        {
          LabOverheadSeries *series = table->series->pdata[s];
          double value = g_array_index (series->values, double, c);
          g_autofree char *text = NULL;
          g_autoptr(PangoLayout) layout = NULL;
          float x = group_x + s * bar_w, top;
          int width, height;

          if (!isfinite (value))
            continue;
          top = plottable (value, table->log_y) ? value_y (self, plot, value) : bottom;
          lab_chart_append_rect (snapshot, series_color (palette, s), x + 1, top, bar_w - 2, bottom - top);
          text = lab_overhead_format_value (value, table->unit);
          layout = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
          pango_layout_get_pixel_size (layout, &width, &height);
          if (width <= bar_w + 4 && top - height - 1 >= plot->origin.y - height)
            lab_chart_append_layout (snapshot, layout, x + (bar_w - width) / 2, top - height - 1,
                                     &palette->foreground);
        }
      draw_x_label (self, snapshot, palette, table->columns->pdata[c], plot->origin.x + (c + 0.5f) * slot_w,
                    bottom + PAD / 2, &last_end);
    }
}

static float
column_x (LabOverheadChart      *self,
          const graphene_rect_t *plot,
          guint                  column)
{
  double x = g_array_index (self->table->x, double, column);

  return plot->origin.x + plot->size.width * CLAMP (axis_position (&self->x, x), 0, 1);
}

static void
draw_lines (LabOverheadChart      *self,
            GtkSnapshot           *snapshot,
            const LabChartPalette *palette,
            const graphene_rect_t *plot)
{
  const LabOverheadTable *table = self->table;
  gboolean steps = table->kind == LAB_OVERHEAD_CHART_STEPS;
  float bottom = plot->origin.y + plot->size.height;
  float last_end = -G_MAXFLOAT;
  graphene_rect_t bounds;
  cairo_t *cr;

  graphene_rect_inset_r (plot, -MARKER - 1, -MARKER - 1, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint s = 0; s < table->series->len; s++)
    {
      LabOverheadSeries *series = table->series->pdata[s];
      gboolean drawing = FALSE;
      float last_y = 0;

      gdk_cairo_set_source_rgba (cr, series_color (palette, s));
      for (guint c = 0; c < table->columns->len; c++)
        {
          double value = g_array_index (series->values, double, c);
          float x, y;

          if (!plottable (value, table->log_y) || !plottable (g_array_index (table->x, double, c), table->log_x))
            continue;
          x = column_x (self, plot, c);
          y = value_y (self, plot, value);
          if (drawing && steps)
            cairo_line_to (cr, x, last_y);
          if (drawing)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          drawing = TRUE;
          last_y = y;
        }
      cairo_stroke (cr);
      if (steps)
        continue;
      for (guint c = 0; c < table->columns->len; c++)
        {
          double value = g_array_index (series->values, double, c);

          if (!plottable (value, table->log_y) || !plottable (g_array_index (table->x, double, c), table->log_x))
            continue;
          cairo_arc (cr, column_x (self, plot, c), value_y (self, plot, value), MARKER, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }
  cairo_destroy (cr);

  if (!steps)
    {
      /* the measured x values are the ticks */
      for (guint c = 0; c < table->columns->len; c++)
        if (plottable (g_array_index (table->x, double, c), table->log_x))
          draw_x_label (self, snapshot, palette, table->columns->pdata[c], column_x (self, plot, c),
                        bottom + PAD / 2, &last_end);
      return;
    }
  for (guint i = 0; i <= axis_n_ticks (&self->x); i++)
    {
      double x = axis_tick_value (&self->x, i);
      g_autofree char *text = lab_format_number (x);

      draw_x_label (self, snapshot, palette, text,
                    plot->origin.x + plot->size.width * (float) axis_position (&self->x, x), bottom + PAD / 2,
                    &last_end);
    }
}

static void
lab_overhead_chart_draw (LabChart    *chart,
                         GtkSnapshot *snapshot,
                         int          width,
                         int          height)
{
  LabOverheadChart *self = LAB_OVERHEAD_CHART (chart);
  const LabChartPalette *palette = lab_chart_get_palette (chart);
  g_autoptr(PangoLayout) title = lab_chart_create_layout (chart, self->table->title, FALSE);
  g_autoptr(PangoLayout) x_title = lab_chart_create_layout (chart, self->table->x_label, TRUE);
  g_auto(GStrv) y_labels = dup_y_labels (self);
  LabChartLegend legend;
  graphene_rect_t plot;
  int title_height, line_height, tick_width;

  pango_layout_set_width (title, MAX (1, width - 2 * (int) PAD) * PANGO_SCALE);
  pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (title, NULL, &title_height);
  pango_layout_get_pixel_size (x_title, NULL, &line_height);
  lab_chart_append_layout (snapshot, title, PAD, PAD / 2, &palette->foreground);

  lab_chart_legend_init (&legend, PAD, PAD / 2 + title_height + 2, width - PAD, line_height);
  for (guint s = 0; s < self->table->series->len; s++)
    lab_chart_append_legend_entry (chart, snapshot, &legend, LAB_CHART_SWATCH_BOX, series_color (palette, s),
                                   ((LabOverheadSeries *) self->table->series->pdata[s])->name,
                                   &palette->foreground);

  tick_width = lab_chart_measure_labels (chart, (const char * const *) y_labels);
  /* Room for value labels above the bars, the x labels and the x title below */
  graphene_rect_init (&plot, PAD + tick_width + PAD, lab_chart_legend_get_bottom (&legend) + PAD + line_height,
                      0, 0);
  plot.size.width = width - plot.origin.x - 2 * PAD;
  plot.size.height = height - plot.origin.y - 2 * line_height - 2 * PAD;
  if (plot.size.width < 16 || plot.size.height < 16)
    return;

  lab_chart_append_y_axis (chart, snapshot, &plot, (const char * const *) y_labels);
  if (self->table->kind == LAB_OVERHEAD_CHART_BARS)
    draw_bars (self, snapshot, palette, &plot);
  else
    draw_lines (self, snapshot, palette, &plot);
  lab_chart_append_layout (snapshot, x_title, plot.origin.x,
                           plot.origin.y + plot.size.height + PAD / 2 + line_height + 2, &palette->dim);
}

static void
lab_overhead_chart_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  GTK_WIDGET_CLASS (lab_overhead_chart_parent_class)->measure (widget, orientation, for_size, minimum, natural,
                                                               minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *natural = MAX (*natural, 260);
  else
    *natural = MAX (*natural, 360);
}

GtkWidget *
lab_overhead_chart_new (void)
{
  return g_object_new (LAB_TYPE_OVERHEAD_CHART, NULL);
}

const LabOverheadTable *
lab_overhead_chart_get_table (LabOverheadChart *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD_CHART (self), NULL);
  return self->table;
}

void
lab_overhead_chart_set_table (LabOverheadChart *self,
                              LabOverheadTable *table)
{
  g_autofree char *summary = NULL;

  g_return_if_fail (LAB_IS_OVERHEAD_CHART (self));

  g_clear_pointer (&self->table, lab_overhead_table_free);
  self->table = table;
  lab_chart_set_empty (LAB_CHART (self), table == NULL);
  if (table == NULL)
    {
      lab_chart_set_summary (LAB_CHART (self), NULL);
      return;
    }
  lab_overhead_chart_fit (self);
  lab_chart_set_label (LAB_CHART (self), table->title);
  summary = describe (table);
  lab_chart_set_summary (LAB_CHART (self), summary);
  lab_chart_queue_update (LAB_CHART (self));
}

static void
lab_overhead_chart_finalize (GObject *object)
{
  LabOverheadChart *self = LAB_OVERHEAD_CHART (object);

  g_clear_pointer (&self->table, lab_overhead_table_free);

  G_OBJECT_CLASS (lab_overhead_chart_parent_class)->finalize (object);
}

static void
lab_overhead_chart_class_init (LabOverheadChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);

  object_class->finalize = lab_overhead_chart_finalize;
  widget_class->measure = lab_overhead_chart_measure;
  chart_class->draw = lab_overhead_chart_draw;

  gtk_widget_class_set_css_name (widget_class, "overheadchart");
}

static void
lab_overhead_chart_init (LabOverheadChart *self)
{
  lab_chart_set_empty_text (LAB_CHART (self), _("Run the experiment to see its figures"));
}

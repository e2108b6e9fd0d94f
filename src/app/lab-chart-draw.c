/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-chart.h"
#include "lab-format.h"

/* Drawing helpers for the charts: text in the widget's font, rectangles
 * on whole pixels, tick steps, axes, legends. */

#define SWATCH 10.0
#define LEGEND_GAP 8.0
/* Between a value axis' labels and the plot */
#define AXIS_GAP 8.0
/* A time axis: a label about every so many pixels */
#define TIME_TICK_SPACING 100

/**
 * lab_chart_create_layout:
 * @small: whether to use the smaller size of axis labels
 *
 * Returns: (transfer full): a layout in the widget's font with tabular figures
 */
PangoLayout *
lab_chart_create_layout (LabChart   *self,
                         const char *text,
                         gboolean    small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  /* Tabular figures keep axis labels and values aligned. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  if (small)
    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

void
lab_chart_append_layout (GtkSnapshot   *snapshot,
                         PangoLayout   *layout,
                         float          x,
                         float          y,
                         const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (roundf (x), roundf (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* Fills a rectangle snapped to whole pixels, at least one pixel in
 * each direction that has a size. */
void
lab_chart_append_rect (GtkSnapshot   *snapshot,
                       const GdkRGBA *color,
                       float          x,
                       float          y,
                       float          width,
                       float          height)
{
  float x0 = roundf (x), y0 = roundf (y);
  float x1 = roundf (x + width), y1 = roundf (y + height);

  if (width <= 0 || height <= 0)
    return;
  if (x1 - x0 < 1)
    x1 = x0 + 1;
  if (y1 - y0 < 1)
    y1 = y0 + 1;

  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0));
}

/* A step of 1, 2 or 5 × 10ⁿ giving about @target_ticks ticks over @range. */
double
lab_chart_nice_step (double range,
                     guint  target_ticks)
{
  double raw, magnitude, normalised;

  if (!(range > 0) || !isfinite (range) || target_ticks == 0)
    return 1.0;

  raw = range / target_ticks;
  magnitude = pow (10.0, floor (log10 (raw)));
  normalised = raw / magnitude;
  if (normalised < 1.5)
    return magnitude;
  else if (normalised < 3.0)
    return 2.0 * magnitude;
  else if (normalised < 7.0)
    return 5.0 * magnitude;
  return 10.0 * magnitude;
}

int
lab_chart_measure_labels (LabChart           *self,
                          const char * const *labels)
{
  int widest = 0;

  for (guint i = 0; labels[i] != NULL; i++)
    {
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (self, labels[i], TRUE);
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      widest = MAX (widest, width);
    }
  return widest;
}

void
lab_chart_append_y_axis (LabChart              *self,
                         GtkSnapshot           *snapshot,
                         const graphene_rect_t *plot,
                         const char * const    *labels)
{
  const LabChartPalette *palette = lab_chart_get_palette (self);
  guint n_ticks = g_strv_length ((char **) labels) - 1;

  for (guint i = 0; labels[i] != NULL; i++)
    {
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (self, labels[i], TRUE);
      float y = plot->origin.y + plot->size.height * (1.0 - (double) i / MAX (n_ticks, 1));
      int width, height;

      pango_layout_get_pixel_size (layout, &width, &height);
      lab_chart_append_layout (snapshot, layout, plot->origin.x - AXIS_GAP - width, y - height / 2.0,
                               &palette->dim);
      lab_chart_append_rect (snapshot, i == 0 ? &palette->dim : &palette->grid, plot->origin.x, y,
                             plot->size.width, 1);
    }
}

/**
 * lab_chart_append_time_axis:
 * @plot: the plot the axis runs under
 * @start_us: the time at the left edge of @plot, in microseconds
 * @end_us: the time at its right edge, after @start_us
 *
 * A time axis under @plot: a line, and round times ("0.5 s", "120 ms")
 * under it, each with a grid line up the plot.
 */
void
lab_chart_append_time_axis (LabChart              *self,
                            GtkSnapshot           *snapshot,
                            const graphene_rect_t *plot,
                            double                 start_us,
                            double                 end_us)
{
  const LabChartPalette *palette = lab_chart_get_palette (self);
  double range_us = end_us - start_us;
  double step = lab_chart_nice_step (range_us, MAX (2, (guint) (plot->size.width / TIME_TICK_SPACING)));
  float bottom = plot->origin.y + plot->size.height;

  g_return_if_fail (range_us > 0);

  lab_chart_append_rect (snapshot, &palette->dim, plot->origin.x, bottom, plot->size.width, 1);
  for (double t = ceil (start_us / step) * step; t <= end_us + step * 1e-6; t += step)
    {
      g_autofree char *text = lab_format_duration_scaled (t / 1e6, range_us / 1e6);
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (self, text, TRUE);
      float x = plot->origin.x + (t - start_us) * plot->size.width / range_us;
      float label_x;
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      lab_chart_append_rect (snapshot, &palette->grid, x, plot->origin.y, 1, plot->size.height);
      label_x = CLAMP (x - width / 2.0, plot->origin.x - AXIS_GAP, plot->origin.x + plot->size.width - width);
      lab_chart_append_layout (snapshot, layout, label_x, bottom + AXIS_GAP / 2, &palette->dim);
    }
}

/**
 * lab_chart_legend_init:
 * @left: where rows begin
 * @top: the top of the first row
 * @right: where rows end: an entry that would cross it begins a new row
 * @line_height: the height of a row's text
 *
 * Starts a legend laid out in rows, left to right.
 */
void
lab_chart_legend_init (LabChartLegend *legend,
                       float           left,
                       float           top,
                       float           right,
                       int             line_height)
{
  legend->left = left;
  legend->right = right;
  legend->x = left;
  legend->y = top;
  legend->line_height = line_height;
}

/* The bottom of the last row */
float
lab_chart_legend_get_bottom (const LabChartLegend *legend)
{
  return legend->y + legend->line_height;
}

static void
append_swatch (GtkSnapshot    *snapshot,
               LabChartSwatch  swatch,
               const GdkRGBA  *color,
               float           x,
               float           y)
{
  switch (swatch)
    {
    case LAB_CHART_SWATCH_BOX:
      lab_chart_append_rect (snapshot, color, x, y, SWATCH, SWATCH);
      break;

    case LAB_CHART_SWATCH_DASHED:
      /* a diagonal in three dashes, like a dashed line */
      for (int i = 0; i < 3; i++)
        lab_chart_append_rect (snapshot, color, x + i * 4, y + SWATCH - 3 - i * 4, 2, 2);
      break;

    case LAB_CHART_SWATCH_DOTTED:
      for (int i = 0; i < 3; i++)
        lab_chart_append_rect (snapshot, color, x + SWATCH / 2, y + i * 4, 1, 1);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* A swatch and its text, on a new row if it does not fit on this one */
void
lab_chart_append_legend_entry (LabChart       *self,
                               GtkSnapshot    *snapshot,
                               LabChartLegend *legend,
                               LabChartSwatch  swatch,
                               const GdkRGBA  *swatch_color,
                               const char     *text,
                               const GdkRGBA  *text_color)
{
  g_autoptr(PangoLayout) layout = NULL;
  int width;

  g_return_if_fail (LAB_IS_CHART (self));

  layout = lab_chart_create_layout (self, text, TRUE);
  pango_layout_get_pixel_size (layout, &width, NULL);
  if (legend->x + SWATCH + 4 + width > legend->right && legend->x > legend->left)
    {
      legend->x = legend->left;
      legend->y += legend->line_height + 2;
    }
  append_swatch (snapshot, swatch, swatch_color, legend->x,
                 roundf (legend->y + (legend->line_height - SWATCH) / 2));
  lab_chart_append_layout (snapshot, layout, legend->x + SWATCH + 4, legend->y, text_color);
  legend->x += SWATCH + 4 + width + 2 * LEGEND_GAP;
}

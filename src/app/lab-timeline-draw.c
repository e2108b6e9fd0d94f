/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-timeline-private.h"

/* Drawing the timeline: a caption saying what it shows, a label per lane,
 * the tasks as bars, their queue waits as a thin line, and a time axis.
 * It culls by time and merges spans narrower than a pixel into runs, so
 * 100,000 spans draw as at most a few nodes per pixel column and lane. */

#define PAD       LAB_TIMELINE_PAD
#define MAX_BAR_H 22.0
/* A pipeline's legend wraps to a second line when the GIL's is added on
 * a window narrower than this */
#define ONE_LINE_LEGEND_WIDTH 720

/* The colours of the bars: a task by its status, and an ok pipeline
 * stage by its stage */
enum
{
  COLOR_FAILED = LAB_TASK_FAILED,
  COLOR_CANCELLED = LAB_TASK_CANCELLED,
  COLOR_STAGE_0,
  N_COLORS = COLOR_STAGE_0 + LAB_N_STAGES - 1
};

typedef LabTimelineGeometry Geometry;
typedef LabTimelineLane     Lane;

void
lab_timeline_measure_labels (LabTimeline *self)
{
  g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), "0", TRUE);

  pango_layout_get_pixel_size (layout, NULL, &self->line_height);
  self->label_width = 0;
  for (guint i = 0; i < lab_timeline_n_lanes (self); i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);
      int width;

      if (lane->label == NULL)
        continue;
      pango_layout_set_text (layout, lane->label, -1);
      pango_layout_get_pixel_size (layout, &width, NULL);
      self->label_width = MAX (self->label_width, width);
    }
}

void
lab_timeline_compute_geometry (LabTimeline *self,
                               int          width,
                               int          height,
                               Geometry    *geometry)
{
  guint rows = MAX (1, lab_timeline_n_rows (self));
  guint legend_lines = 0;

  /* A pipeline's legend, under the caption */
  if (self->pipeline)
    legend_lines = self->n_gil > 0 && width < ONE_LINE_LEGEND_WIDTH ? 2 : 1;

  geometry->left = PAD + self->label_width + PAD;
  geometry->top = PAD / 2 + (1 + legend_lines) * (self->line_height + 2) + PAD / 2;
  geometry->width = MAX (1, width - geometry->left - PAD);
  geometry->height = MAX (1, height - geometry->top - self->line_height - PAD);
  geometry->lane_h = geometry->height / rows;
  if (geometry->lane_h >= 6)
    geometry->bar_h = MIN (MAX_BAR_H, roundf (geometry->lane_h * 0.7f));
  else
    geometry->bar_h = MAX (1, floorf (geometry->lane_h));
}

typedef struct
{
  gboolean active;
  double   x0;
  double   x1;
} Run;

static void
flush_run (GtkSnapshot   *snapshot,
           Run           *run,
           const GdkRGBA *color,
           float          y,
           float          height)
{
  if (!run->active)
    return;
  lab_chart_append_rect (snapshot, color, run->x0, y, MAX (1.0, run->x1 - run->x0), height);
  run->active = FALSE;
}

static void
extend_run (GtkSnapshot   *snapshot,
            Run           *run,
            const GdkRGBA *color,
            double         x0,
            double         x1,
            float          y,
            float          height)
{
  if (run->active && x0 <= run->x1 + 1.0)
    {
      run->x1 = MAX (run->x1, x1);
      return;
    }
  flush_run (snapshot, run, color, y, height);
  run->active = TRUE;
  run->x0 = x0;
  run->x1 = x1;
}

static void
draw_waits (LabTimeline    *self,
            GtkSnapshot    *snapshot,
            const Geometry *geometry,
            const Lane     *lane,
            const GdkRGBA  *color,
            float           y)
{
  double right = geometry->left + geometry->width;
  Run run = { FALSE };

  for (guint i = 0; i < lane->waits->len; i++)
    {
      const LabTimelineInterval *wait = &g_array_index (lane->waits, LabTimelineInterval, i);

      if (wait->to < self->view_start_us)
        continue;
      if (wait->from > self->view_end_us)
        break;
      extend_run (snapshot, &run, color,
                  MAX (geometry->left, lab_timeline_time_to_x (self, geometry, wait->from)),
                  MIN (right, lab_timeline_time_to_x (self, geometry, wait->to)), y, 1);
    }
  flush_run (snapshot, &run, color, y, 1);
}

static guint
bar_color (const LabTimelineBar *bar)
{
  if (bar->status != LAB_TASK_OK)
    return MIN (bar->status, COLOR_CANCELLED);
  if (bar->stage == LAB_STAGE_TASK)
    return LAB_TASK_OK;
  return COLOR_STAGE_0 + MIN (bar->stage, LAB_N_STAGES - 1) - 1;
}

static void
draw_bars (LabTimeline    *self,
           GtkSnapshot    *snapshot,
           const Geometry *geometry,
           const Lane     *lane,
           const GdkRGBA   colors[N_COLORS],
           float           y)
{
  double right = geometry->left + geometry->width;
  Run runs[N_COLORS] = { { FALSE } };

  for (guint i = lab_timeline_lane_first_ending_after (lane, self->view_start_us);
       i < lane->bars->len; i++)
    {
      const LabTimelineBar *bar = &g_array_index (lane->bars, LabTimelineBar, i);
      guint status = bar_color (bar);
      double x0, x1;

      if (bar->start > self->view_end_us)
        break;
      if (bar->end < self->view_start_us)
        continue;

      x0 = MAX (geometry->left, lab_timeline_time_to_x (self, geometry, bar->start));
      x1 = MIN (right, lab_timeline_time_to_x (self, geometry, bar->end));

      if (x1 - x0 < 1.0)
        {
          /* Narrower than a pixel: merged with its neighbours */
          extend_run (snapshot, &runs[status], &colors[status], x0, x1, y, geometry->bar_h);
          continue;
        }

      /* A bar of its own, a pixel short so neighbouring tasks stay apart */
      lab_chart_append_rect (snapshot, &colors[status], x0, y,
                             x1 - x0 >= 4 ? x1 - x0 - 1 : x1 - x0, geometry->bar_h);
    }

  for (guint status = 0; status < N_COLORS; status++)
    flush_run (snapshot, &runs[status], &colors[status], y, geometry->bar_h);
}

/* The emulated GIL inside lane @lane: the task bars are drawn pale, and
 * the lock's holds solid over them, so that the lock is seen passing from
 * lane to lane; a pale stretch of a task is its thread waiting. */
static void
draw_gil_holds (LabTimeline    *self,
                GtkSnapshot    *snapshot,
                const Geometry *geometry,
                guint           lane,
                const GdkRGBA  *color,
                float           y)
{
  GArray *intervals = self->rep->gil_intervals;
  double right = geometry->left + geometry->width;
  guint first, last;
  Run run = { FALSE };

  if (lane + 1 >= self->gil_lane_first->len)
    return;
  first = g_array_index (self->gil_lane_first, guint, lane);
  last = g_array_index (self->gil_lane_first, guint, lane + 1);
  for (guint i = first; i < last; i++)
    {
      const LabGilInterval *interval = &g_array_index (intervals, LabGilInterval, i);
      double x0, x1;

      if (interval->state != LAB_GIL_HOLD || interval->end_us < self->view_start_us)
        continue;
      if (interval->start_us > self->view_end_us)
        break;
      x0 = MAX (geometry->left, lab_timeline_time_to_x (self, geometry, interval->start_us));
      x1 = MIN (right, lab_timeline_time_to_x (self, geometry, interval->end_us));
      if (x1 - x0 < 2.0)
        extend_run (snapshot, &run, color, x0, x1, y, geometry->bar_h);
      else
        {
          flush_run (snapshot, &run, color, y, geometry->bar_h);
          /* A pixel short, so that two holds in a row stay apart */
          lab_chart_append_rect (snapshot, color, x0, y, x1 - x0 - 1, geometry->bar_h);
        }
    }
  flush_run (snapshot, &run, color, y, geometry->bar_h);
}

/* Right of the caption: what solid and pale mean, when the GIL is shown.
 * Returns the width it took. */
static float
draw_gil_legend (LabTimeline           *self,
                 GtkSnapshot           *snapshot,
                 const LabChartPalette *palette,
                 const GdkRGBA         *hold,
                 const GdkRGBA         *wait,
                 int                    width)
{
  const char *texts[] = { _("holds the emulated GIL"), _("waits for it") };
  const GdkRGBA *colors[] = { hold, wait };
  float x = width - PAD;
  float swatch = MAX (8, self->line_height - 4);

  for (int i = G_N_ELEMENTS (texts) - 1; i >= 0; i--)
    {
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), texts[i], TRUE);
      int text_width;

      pango_layout_get_pixel_size (layout, &text_width, NULL);
      x -= text_width;
      lab_chart_append_layout (snapshot, layout, x, PAD / 2, &palette->foreground);
      x -= 4 + swatch;
      lab_chart_append_rect (snapshot, colors[i], x, PAD / 2 + (self->line_height - swatch) / 2, swatch, swatch);
      x -= 2 * PAD;
    }
  return width - x;
}

/* Under the caption of a pipeline's timeline: the colour of each stage,
 * and what solid and pale mean when the GIL is shown. */
static void
draw_stage_legend (LabTimeline           *self,
                   GtkSnapshot           *snapshot,
                   const LabChartPalette *palette,
                   const GdkRGBA          colors[N_COLORS],
                   const GdkRGBA         *hold,
                   const GdkRGBA         *wait,
                   int                    width)
{
  LabChartLegend legend;

  lab_chart_legend_init (&legend, PAD, PAD / 2 + self->line_height + 2, width - PAD, self->line_height);
  for (LabStage stage = LAB_STAGE_DOWNLOAD; stage < LAB_N_STAGES; stage++)
    lab_chart_append_legend_entry (LAB_CHART (self), snapshot, &legend, LAB_CHART_SWATCH_BOX,
                                   &colors[COLOR_STAGE_0 + stage - 1], lab_stage_title (stage),
                                   &palette->foreground);
  if (self->n_gil == 0)
    return;
  lab_chart_append_legend_entry (LAB_CHART (self), snapshot, &legend, LAB_CHART_SWATCH_BOX, hold,
                                 _("holds the emulated GIL"), &palette->foreground);
  lab_chart_append_legend_entry (LAB_CHART (self), snapshot, &legend, LAB_CHART_SWATCH_BOX, wait,
                                 _("waits for it"), &palette->foreground);
}

/* What the timeline shows, above the lanes, so that an exported image
 * says it too */
static void
draw_caption (LabTimeline           *self,
              GtkSnapshot           *snapshot,
              const LabChartPalette *palette,
              int                    width,
              float                  legend_width)
{
  g_autoptr(PangoLayout) layout = NULL;

  if (self->caption == NULL)
    return;

  layout = lab_chart_create_layout (LAB_CHART (self), self->caption, TRUE);
  pango_layout_set_width (layout, MAX (1, width - 2 * (int) PAD - (int) legend_width) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  lab_chart_append_layout (snapshot, layout, PAD, PAD / 2, &palette->foreground);
}

void
lab_timeline_draw_contents (LabTimeline *self,
                            GtkSnapshot *snapshot,
                            int          width,
                            int          height)
{
  const LabChartPalette *palette = lab_chart_get_palette (LAB_CHART (self));
  g_autoptr(PangoLayout) label = lab_chart_create_layout (LAB_CHART (self), NULL, TRUE);
  GdkRGBA colors[N_COLORS], pale[N_COLORS], wait_color, stripe;
  gboolean gil = self->n_gil > 0;
  float legend_width = 0;
  Geometry geometry;

  lab_timeline_compute_geometry (self, width, height, &geometry);
  if (width < 16 || height < 16 || lab_timeline_n_lanes (self) == 0)
    return;

  colors[LAB_TASK_OK] = palette->variants[self->rep->runtime][self->rep->mode];
  colors[LAB_TASK_FAILED] = palette->error;
  colors[LAB_TASK_CANCELLED] = palette->dim;
  for (LabStage stage = LAB_STAGE_DOWNLOAD; stage < LAB_N_STAGES; stage++)
    colors[COLOR_STAGE_0 + stage - 1] = *lab_chart_palette_stage_color (palette, stage);
  wait_color = palette->foreground;
  wait_color.alpha = 0.3f;
  stripe = palette->grid;
  stripe.alpha /= 2;
  for (guint i = 0; i < N_COLORS; i++)
    {
      pale[i] = colors[i];
      pale[i].alpha *= 0.3f;
    }
  /* A pipeline's threads hold the GIL only to analyse: its downloads and
   * its storing stay solid */
  if (self->pipeline)
    for (guint i = COLOR_STAGE_0; i < N_COLORS; i++)
      if (i != COLOR_STAGE_0 + LAB_STAGE_ANALYSE - 1)
        pale[i] = colors[i];

  /* The GIL is held while the analysis computes: its waits are pale analysis */
  if (self->pipeline)
    draw_stage_legend (self, snapshot, palette, colors, &colors[LAB_TASK_OK],
                       &pale[COLOR_STAGE_0 + LAB_STAGE_ANALYSE - 1], width);
  else if (gil && width > 480)
    legend_width = draw_gil_legend (self, snapshot, palette, &colors[LAB_TASK_OK], &pale[LAB_TASK_OK], width);
  draw_caption (self, snapshot, palette, width, legend_width);
  lab_timeline_draw_group_titles (self, snapshot, &geometry);

  for (guint i = 0; i < lab_timeline_n_lanes (self); i++)
    {
      const Lane *lane = g_ptr_array_index (self->lanes, i);
      float lane_y = geometry.top + lab_timeline_lane_row (self, i) * geometry.lane_h;
      float bar_y = roundf (lane_y + (geometry.lane_h - geometry.bar_h) / 2);

      if (lane->slot % 2 == 1 && geometry.lane_h >= 6)
        lab_chart_append_rect (snapshot, &stripe, geometry.left, lane_y,
                               geometry.width, geometry.lane_h);

      if (lane->label != NULL && geometry.lane_h >= self->line_height)
        {
          pango_layout_set_text (label, lane->label, -1);
          lab_chart_append_layout (snapshot, label, PAD,
                                   lane_y + (geometry.lane_h - self->line_height) / 2,
                                   &palette->dim);
        }

      draw_waits (self, snapshot, &geometry, lane, &wait_color,
                  roundf (lane_y + geometry.lane_h / 2));
      if (gil)
        {
          draw_bars (self, snapshot, &geometry, lane, pale, bar_y);
          draw_gil_holds (self, snapshot, &geometry, i, &colors[LAB_TASK_OK], bar_y);
        }
      else
        draw_bars (self, snapshot, &geometry, lane, colors, bar_y);
    }

  lab_chart_append_time_axis (LAB_CHART (self), snapshot,
                              &GRAPHENE_RECT_INIT (geometry.left, geometry.top, geometry.width, geometry.height),
                              self->view_start_us, self->view_end_us);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "lab-format.h"
#include "lab-timeline.h"

/* One lane per worker slot, one bar per task.
 *
 * Spans are sorted into lanes when they arrive (lab_timeline_spans_added),
 * and the per-lane indexes are finished in an idle before the next frame,
 * so a live run costs O(new spans) per frame. Drawing culls by time,
 * merges spans narrower than a pixel into runs, and the resulting render
 * node is kept until the size, the data, the zoom or the colours change:
 * 100,000 spans draw as at most a few nodes per pixel column and lane. */

#define PAD              8.0
#define MAX_BAR_H        22.0
#define MIN_VIEW_US      10.0
#define ZOOM_STEP        1.2
#define SUMMARY_INTERVAL_MS 1000
#define MAX_LANES        LAB_MAX_WORKERS

typedef struct
{
  double start;      /* µs from the start of the repetition */
  double end;
  double queued;
  guint  index;      /* into rep->spans */
  guint  status;     /* LabTaskStatus */
} Bar;

typedef struct
{
  double from;
  double to;
} Interval;

typedef struct
{
  GArray   *bars;       /* Bar, sorted by start once prepared */
  GArray   *max_end;    /* double: running maximum of bars[0..i].end */
  GArray   *waits;      /* Interval: union of the queue waits, sorted */
  guint     prepared;   /* bars[0..prepared) are indexed */
  gboolean  sorted;     /* bars were appended in start order */
  gboolean  dirty;
  gint64    last_id;    /* pid or tid of the last span */
  guint     n_ids;      /* how many times the pid/tid changed, plus one */
  double    busy_us;
  char     *label;
} Lane;

typedef struct
{
  float left;
  float top;
  float width;
  float height;
  float lane_h;
  float bar_h;
} Geometry;

struct _LabTimeline
{
  LabChart        parent_instance;

  LabRepetition  *rep;
  GPtrArray      *lanes;          /* Lane, one per worker slot */
  guint           n_processed;    /* spans of rep->spans sorted into lanes */
  guint           n_failed;
  double          range_us;       /* end of the last span */

  gboolean        zoomed;
  double          view_start_us;
  double          view_end_us;
  double          pointer_x;

  int             label_width;
  int             line_height;

  guint           prepare_id;
  guint           summary_id;
  gint64          summary_time;

  GskRenderNode  *cache;
  int             cache_width;
  int             cache_height;
};

G_DEFINE_FINAL_TYPE (LabTimeline, lab_timeline, LAB_TYPE_CHART)

enum {
  PROP_0,
  PROP_REPETITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lane_free (gpointer data)
{
  Lane *lane = data;

  g_clear_pointer (&lane->bars, g_array_unref);
  g_clear_pointer (&lane->max_end, g_array_unref);
  g_clear_pointer (&lane->waits, g_array_unref);
  g_clear_pointer (&lane->label, g_free);
  g_free (lane);
}

static Lane *
lane_new (void)
{
  Lane *lane = g_new0 (Lane, 1);

  lane->bars = g_array_new (FALSE, FALSE, sizeof (Bar));
  lane->max_end = g_array_new (FALSE, FALSE, sizeof (double));
  lane->waits = g_array_new (FALSE, FALSE, sizeof (Interval));
  lane->sorted = TRUE;
  lane->dirty = TRUE;
  return lane;
}

static void
invalidate_cache (LabTimeline *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static guint
n_lanes (LabTimeline *self)
{
  return self->lanes->len;
}

static void
ensure_lanes (LabTimeline *self,
              guint        count)
{
  count = MIN (count, MAX_LANES);
  while (self->lanes->len < count)
    g_ptr_array_add (self->lanes, lane_new ());
}

/* Data: sorting spans into lanes */

static void
add_span (LabTimeline   *self,
          const LabSpan *span,
          guint          index)
{
  gboolean by_pid = lab_mode_uses_workers_processes (self->rep->mode);
  guint slot = MIN (span->worker, MAX_LANES - 1);
  gint64 id = by_pid ? span->pid : span->tid;
  Lane *lane;
  Bar bar;

  ensure_lanes (self, slot + 1);
  lane = g_ptr_array_index (self->lanes, slot);

  bar.start = MAX (0, span->start_us);
  bar.end = MAX (bar.start, (double) span->end_us);
  bar.queued = CLAMP ((double) span->queued_us, 0, bar.start);
  bar.index = index;
  bar.status = span->status;

  if (lane->bars->len > 0
      && bar.start < g_array_index (lane->bars, Bar, lane->bars->len - 1).start)
    lane->sorted = FALSE;
  g_array_append_val (lane->bars, bar);

  if (lane->n_ids == 0 || id != lane->last_id)
    lane->n_ids++;
  lane->last_id = id;
  lane->busy_us += bar.end - bar.start;
  lane->dirty = TRUE;

  self->range_us = MAX (self->range_us, bar.end);
  if (span->status != LAB_TASK_OK)
    self->n_failed++;
}

static int
compare_bars (gconstpointer a,
              gconstpointer b)
{
  const Bar *ba = a, *bb = b;

  if (ba->start != bb->start)
    return ba->start < bb->start ? -1 : 1;
  return (ba->index > bb->index) - (ba->index < bb->index);
}

static int
compare_intervals (gconstpointer a,
                   gconstpointer b)
{
  const Interval *ia = a, *ib = b;

  return (ia->from > ib->from) - (ia->from < ib->from);
}

/* The queue waits of one lane overlap heavily (every task is queued at
 * the start), so they are kept as their union. */
static void
rebuild_waits (Lane *lane)
{
  g_autoptr(GArray) waits = g_array_sized_new (FALSE, FALSE, sizeof (Interval), lane->bars->len);
  Interval *current = NULL;

  for (guint i = 0; i < lane->bars->len; i++)
    {
      const Bar *bar = &g_array_index (lane->bars, Bar, i);
      Interval wait = { bar->queued, bar->start };

      if (wait.to > wait.from)
        g_array_append_val (waits, wait);
    }
  g_array_sort (waits, compare_intervals);

  g_array_set_size (lane->waits, 0);
  for (guint i = 0; i < waits->len; i++)
    {
      const Interval *wait = &g_array_index (waits, Interval, i);

      if (current != NULL && wait->from <= current->to)
        current->to = MAX (current->to, wait->to);
      else
        {
          g_array_append_val (lane->waits, *wait);
          current = &g_array_index (lane->waits, Interval, lane->waits->len - 1);
        }
    }
}

static void
update_lane_label (LabTimeline *self,
                   Lane        *lane,
                   guint        slot)
{
  gboolean by_pid = lab_mode_uses_workers_processes (self->rep->mode);

  g_free (lane->label);
  if (lane->n_ids == 1 && lane->last_id > 0)
    lane->label = g_strdup_printf (by_pid ? _("pid %" PRId64) : _("tid %" PRId64),
                                   lane->last_id);
  else if (lane->n_ids > 1 && by_pid)
    /* Translators: a lane of the timeline whose tasks ran in several processes */
    lane->label = g_strdup_printf (ngettext ("worker %u · %u pid", "worker %u · %u pids", lane->n_ids),
                                   slot, lane->n_ids);
  else
    lane->label = g_strdup_printf (_("worker %u"), slot);
}

static void
prepare_lane (LabTimeline *self,
              Lane        *lane,
              guint        slot)
{
  double running = 0;

  if (!lane->sorted)
    {
      g_array_sort (lane->bars, compare_bars);
      lane->sorted = TRUE;
      lane->prepared = 0;
    }

  g_array_set_size (lane->max_end, lane->bars->len);
  if (lane->prepared > 0)
    running = g_array_index (lane->max_end, double, lane->prepared - 1);
  for (guint i = lane->prepared; i < lane->bars->len; i++)
    {
      running = MAX (running, g_array_index (lane->bars, Bar, i).end);
      g_array_index (lane->max_end, double, i) = running;
    }
  lane->prepared = lane->bars->len;

  rebuild_waits (lane);
  update_lane_label (self, lane, slot);
  lane->dirty = FALSE;
}

static void
measure_labels (LabTimeline *self)
{
  g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), "0", TRUE);

  pango_layout_get_pixel_size (layout, NULL, &self->line_height);
  self->label_width = 0;
  for (guint i = 0; i < n_lanes (self); i++)
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

static char *
describe (LabTimeline *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *duration = lab_format_duration_scaled (self->range_us / 1e6, self->range_us / 1e6);
  guint n_spans = self->n_processed;
  double busy = 0;
  guint workers = self->rep->workers;
  g_autofree char *who = g_strdup_printf (ngettext ("%s with %u worker", "%s with %u workers", workers),
                                          lab_mode_title (self->rep->mode), workers);
  /* Translators: "100 tasks in 1.2 s" */
  g_autofree char *what = g_strdup_printf (ngettext ("%u task in %s", "%u tasks in %s", n_spans),
                                           n_spans, duration);

  /* Translators: "Timeline of Threads with 4 workers: 100 tasks in 1.2 s, 0 failed." */
  g_string_append_printf (text, _("Timeline of %s: %s, %u failed."), who, what, self->n_failed);

  for (guint i = 0; i < n_lanes (self); i++)
    busy += ((Lane *) g_ptr_array_index (self->lanes, i))->busy_us;
  if (self->range_us > 0 && n_lanes (self) > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Workers were busy %.0f %% of the time."),
                              100.0 * busy / (self->range_us * n_lanes (self)));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_summary (LabTimeline *self)
{
  g_autofree char *summary = NULL;

  g_clear_handle_id (&self->summary_id, g_source_remove);
  self->summary_time = g_get_monotonic_time ();
  if (self->rep == NULL || self->n_processed == 0)
    return;

  summary = describe (self);
  lab_chart_set_summary (LAB_CHART (self), summary);
}

static void
summary_timeout_cb (gpointer data)
{
  LabTimeline *self = data;

  self->summary_id = 0;
  update_summary (self);
}

/* During a live run, assistive technologies get a new description at
 * most once a second, and always the last one. */
static void
queue_summary (LabTimeline *self)
{
  gint64 elapsed_ms = (g_get_monotonic_time () - self->summary_time) / 1000;

  if (elapsed_ms >= SUMMARY_INTERVAL_MS)
    update_summary (self);
  else if (self->summary_id == 0)
    self->summary_id = g_timeout_add_once (SUMMARY_INTERVAL_MS - elapsed_ms,
                                           summary_timeout_cb, self);
}

/* Sorts the new spans into their lanes: O(new spans) */
static void
ingest (LabTimeline *self)
{
  for (guint i = self->n_processed; i < self->rep->spans->len; i++)
    add_span (self, &g_array_index (self->rep->spans, LabSpan, i), i);
  self->n_processed = self->rep->spans->len;
}

static void
prepare (LabTimeline *self)
{
  guint old_lanes = n_lanes (self);

  g_clear_handle_id (&self->prepare_id, g_source_remove);
  if (self->rep == NULL)
    return;

  ingest (self);
  for (guint i = 0; i < n_lanes (self); i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);

      if (lane->dirty)
        prepare_lane (self, lane, i);
    }

  measure_labels (self);
  if (!self->zoomed)
    {
      self->view_start_us = 0;
      self->view_end_us = MAX (self->range_us, 1.0);
    }

  queue_summary (self);
  lab_chart_set_empty (LAB_CHART (self), self->n_processed == 0);
  invalidate_cache (self);
  if (old_lanes != n_lanes (self))
    gtk_widget_queue_resize (GTK_WIDGET (self));
}

static gboolean
prepare_idle_cb (gpointer data)
{
  LabTimeline *self = data;

  self->prepare_id = 0;
  prepare (self);
  return G_SOURCE_REMOVE;
}

static void
ensure_prepared (LabTimeline *self)
{
  if (self->prepare_id != 0)
    prepare (self);
}

/* Geometry */

static void
compute_geometry (LabTimeline *self,
                  int          width,
                  int          height,
                  Geometry    *geometry)
{
  guint lanes = MAX (1, n_lanes (self));

  geometry->left = PAD + self->label_width + PAD;
  geometry->top = PAD / 2;
  geometry->width = MAX (1, width - geometry->left - PAD);
  geometry->height = MAX (1, height - geometry->top - self->line_height - PAD);
  geometry->lane_h = geometry->height / lanes;
  if (geometry->lane_h >= 6)
    geometry->bar_h = MIN (MAX_BAR_H, roundf (geometry->lane_h * 0.7f));
  else
    geometry->bar_h = MAX (1, floorf (geometry->lane_h));
}

static inline double
time_to_x (LabTimeline    *self,
           const Geometry *geometry,
           double          t)
{
  return geometry->left
         + (t - self->view_start_us) * geometry->width / (self->view_end_us - self->view_start_us);
}

static inline double
x_to_time (LabTimeline    *self,
           const Geometry *geometry,
           double          x)
{
  return self->view_start_us
         + (x - geometry->left) * (self->view_end_us - self->view_start_us) / geometry->width;
}

/* The first bar that may reach @t: max_end is non-decreasing. */
static guint
first_bar_ending_after (const Lane *lane,
                        double      t)
{
  guint lo = 0, hi = lane->max_end->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (lane->max_end, double, mid) < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Drawing */

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
      const Interval *wait = &g_array_index (lane->waits, Interval, i);

      if (wait->to < self->view_start_us)
        continue;
      if (wait->from > self->view_end_us)
        break;
      extend_run (snapshot, &run, color,
                  MAX (geometry->left, time_to_x (self, geometry, wait->from)),
                  MIN (right, time_to_x (self, geometry, wait->to)), y, 1);
    }
  flush_run (snapshot, &run, color, y, 1);
}

static void
draw_bars (LabTimeline           *self,
           GtkSnapshot           *snapshot,
           const Geometry        *geometry,
           const Lane            *lane,
           const GdkRGBA          colors[3],
           float                  y)
{
  double right = geometry->left + geometry->width;
  Run runs[3] = { { FALSE }, { FALSE }, { FALSE } };

  for (guint i = first_bar_ending_after (lane, self->view_start_us); i < lane->bars->len; i++)
    {
      const Bar *bar = &g_array_index (lane->bars, Bar, i);
      guint status = MIN (bar->status, 2);
      double x0, x1;

      if (bar->start > self->view_end_us)
        break;
      if (bar->end < self->view_start_us)
        continue;

      x0 = MAX (geometry->left, time_to_x (self, geometry, bar->start));
      x1 = MIN (right, time_to_x (self, geometry, bar->end));

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

  for (guint status = 0; status < 3; status++)
    flush_run (snapshot, &runs[status], &colors[status], y, geometry->bar_h);
}

static void
draw_time_axis (LabTimeline           *self,
                GtkSnapshot           *snapshot,
                const LabChartPalette *palette,
                const Geometry        *geometry)
{
  double range_us = self->view_end_us - self->view_start_us;
  double step = lab_chart_nice_step (range_us, MAX (2, (guint) (geometry->width / 100)));
  float bottom = geometry->top + geometry->height;
  double first = ceil (self->view_start_us / step) * step;

  lab_chart_append_rect (snapshot, &palette->dim, geometry->left, bottom, geometry->width, 1);

  for (double t = first; t <= self->view_end_us + step * 1e-6; t += step)
    {
      g_autofree char *text = lab_format_duration_scaled (t / 1e6, range_us / 1e6);
      g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), text, TRUE);
      float x = time_to_x (self, geometry, t);
      float label_x;
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      lab_chart_append_rect (snapshot, &palette->grid, x, geometry->top, 1, geometry->height);
      label_x = CLAMP (x - width / 2.0, geometry->left - PAD,
                       geometry->left + geometry->width - width);
      lab_chart_append_layout (snapshot, layout, label_x, bottom + PAD / 2, &palette->dim);
    }
}

static void
draw_timeline (LabTimeline *self,
               GtkSnapshot *snapshot,
               int          width,
               int          height)
{
  const LabChartPalette *palette = lab_chart_get_palette (LAB_CHART (self));
  g_autoptr(PangoLayout) label = lab_chart_create_layout (LAB_CHART (self), NULL, TRUE);
  GdkRGBA colors[3], wait_color, stripe;
  Geometry geometry;

  compute_geometry (self, width, height, &geometry);
  if (width < 16 || height < 16 || n_lanes (self) == 0)
    return;

  colors[LAB_TASK_OK] = palette->modes[self->rep->mode];
  colors[LAB_TASK_FAILED] = palette->error;
  colors[LAB_TASK_CANCELLED] = palette->dim;
  wait_color = palette->foreground;
  wait_color.alpha = 0.3f;
  stripe = palette->grid;
  stripe.alpha /= 2;

  for (guint i = 0; i < n_lanes (self); i++)
    {
      const Lane *lane = g_ptr_array_index (self->lanes, i);
      float lane_y = geometry.top + i * geometry.lane_h;
      float bar_y = roundf (lane_y + (geometry.lane_h - geometry.bar_h) / 2);

      if (i % 2 == 1 && geometry.lane_h >= 6)
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
      draw_bars (self, snapshot, &geometry, lane, colors, bar_y);
    }

  draw_time_axis (self, snapshot, palette, &geometry);
}

static void
lab_timeline_draw (LabChart    *chart,
                   GtkSnapshot *snapshot,
                   int          width,
                   int          height)
{
  LabTimeline *self = LAB_TIMELINE (chart);
  GtkSnapshot *child;

  ensure_prepared (self);
  if (self->rep == NULL)
    return;

  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    {
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      child = gtk_snapshot_new ();
      draw_timeline (self, child, width, height);
      self->cache = gtk_snapshot_free_to_node (child);
      self->cache_width = width;
      self->cache_height = height;
    }

  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
}

static void
lab_timeline_palette_changed (LabChart *chart)
{
  LabTimeline *self = LAB_TIMELINE (chart);

  /* The font may have changed too */
  measure_labels (self);
  invalidate_cache (self);
}

/* Hit testing and tooltips */

/**
 * lab_timeline_get_span_at:
 * @x: widget coordinate
 * @y: widget coordinate
 * @index: (out): the index of the span in the repetition's spans
 *
 * Finds the task drawn at (@x, @y), within a pixel.
 *
 * Returns: %TRUE if there is one
 */
gboolean
lab_timeline_get_span_at (LabTimeline *self,
                          double       x,
                          double       y,
                          guint       *index)
{
  Geometry geometry;
  const Lane *lane;
  double t, tolerance, best_distance = G_MAXDOUBLE;
  guint lane_index, hi;
  gboolean found = FALSE;

  g_return_val_if_fail (LAB_IS_TIMELINE (self), FALSE);

  ensure_prepared (self);
  if (self->rep == NULL || n_lanes (self) == 0)
    return FALSE;

  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &geometry);
  if (x < geometry.left - 1 || x > geometry.left + geometry.width + 1
      || y < geometry.top || y >= geometry.top + geometry.height)
    return FALSE;

  lane_index = (guint) ((y - geometry.top) / geometry.lane_h);
  if (lane_index >= n_lanes (self))
    return FALSE;
  lane = g_ptr_array_index (self->lanes, lane_index);

  t = x_to_time (self, &geometry, x);
  tolerance = (self->view_end_us - self->view_start_us) / geometry.width;

  /* The bars starting before t + tolerance, walked back while one of
   * them may still reach t − tolerance. */
  hi = lane->bars->len;
  {
    guint lo = 0;

    while (lo < hi)
      {
        guint mid = lo + (hi - lo) / 2;

        if (g_array_index (lane->bars, Bar, mid).start <= t + tolerance)
          lo = mid + 1;
        else
          hi = mid;
      }
    hi = lo;
  }

  for (guint i = hi; i > 0; i--)
    {
      const Bar *bar = &g_array_index (lane->bars, Bar, i - 1);
      double distance;

      if (g_array_index (lane->max_end, double, i - 1) < t - tolerance)
        break;
      if (bar->end < t - tolerance)
        continue;

      distance = t < bar->start ? bar->start - t : (t > bar->end ? t - bar->end : 0);
      if (distance < best_distance)
        {
          best_distance = distance;
          *index = bar->index;
          found = TRUE;
          if (distance == 0)
            break;
        }
    }
  return found;
}

static char *
format_ms (gint64 us)
{
  /* Translators: a time in milliseconds in a tooltip */
  return g_strdup_printf (_("%.3f ms"), us / 1000.0);
}

static char *
describe_span (LabTimeline   *self,
               const LabSpan *span)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *start = format_ms (span->start_us);
  g_autofree char *end = format_ms (span->end_us);
  g_autofree char *duration = format_ms (span->end_us - span->start_us);
  g_autofree char *wait = format_ms (span->start_us - span->queued_us);

  g_string_append_printf (text, _("Task #%u"), span->task);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Worker %u · pid %d · tid %" PRId64),
                          span->worker, span->pid, span->tid);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Start %s, end %s"), start, end);
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Duration %s, queued for %s"), duration, wait);
  g_string_append_c (text, '\n');
  if (span->status == LAB_TASK_OK)
    g_string_append (text, _("Status: ok"));
  else if (span->status == LAB_TASK_CANCELLED)
    g_string_append (text, _("Status: cancelled"));
  else
    g_string_append_printf (text, _("Status: failed: %s"),
                            span->error != NULL ? span->error : _("unknown error"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
lab_timeline_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard_mode,
                            GtkTooltip *tooltip)
{
  LabTimeline *self = LAB_TIMELINE (widget);
  g_autofree char *text = NULL;
  guint index;

  if (keyboard_mode || !lab_timeline_get_span_at (self, x, y, &index))
    return FALSE;

  text = describe_span (self, &g_array_index (self->rep->spans, LabSpan, index));
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Zoom: Ctrl+scroll around the pointer, horizontal scroll pans,
 * double-click shows everything again. */

static void
set_view (LabTimeline *self,
          double       start_us,
          double       end_us)
{
  double full = MAX (self->range_us, 1.0);
  double span_us = CLAMP (end_us - start_us, MIN (MIN_VIEW_US, full), full);

  start_us = CLAMP (start_us, 0, full - span_us);
  self->view_start_us = start_us;
  self->view_end_us = start_us + span_us;
  self->zoomed = span_us < full;
  invalidate_cache (self);
}

void
lab_timeline_reset_zoom (LabTimeline *self)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));

  set_view (self, 0, MAX (self->range_us, 1.0));
}

/**
 * lab_timeline_set_visible_range:
 * @start_us: microseconds from the start of the repetition
 * @end_us: the end of the range, after @start_us
 *
 * Zooms to a part of the repetition, kept within the data and at least
 * 10 µs wide. The whole repetition is the same as lab_timeline_reset_zoom().
 */
void
lab_timeline_set_visible_range (LabTimeline *self,
                                double       start_us,
                                double       end_us)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));
  g_return_if_fail (end_us > start_us);

  ensure_prepared (self);
  set_view (self, start_us, end_us);
}

static gboolean
on_scroll (LabTimeline              *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  GdkModifierType state =
    gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double view_us = self->view_end_us - self->view_start_us;
  Geometry geometry;

  if (self->rep == NULL || lab_chart_get_empty (LAB_CHART (self)))
    return FALSE;

  if (state & GDK_CONTROL_MASK)
    {
      double factor = pow (ZOOM_STEP, dy);
      double anchor;

      compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                        gtk_widget_get_height (GTK_WIDGET (self)), &geometry);
      anchor = x_to_time (self, &geometry,
                          CLAMP (self->pointer_x, geometry.left, geometry.left + geometry.width));
      set_view (self, anchor - (anchor - self->view_start_us) * factor,
                anchor + (self->view_end_us - anchor) * factor);
      return TRUE;
    }

  if (dx != 0 && self->zoomed)
    {
      set_view (self, self->view_start_us + dx * view_us * 0.05,
                self->view_end_us + dx * view_us * 0.05);
      return TRUE;
    }

  /* Plain vertical scrolling belongs to the page */
  return FALSE;
}

static void
on_motion (LabTimeline *self,
           double       x,
           double       y)
{
  self->pointer_x = x;
}

static void
on_pressed (LabTimeline *self,
            int          n_press,
            double       x,
            double       y)
{
  if (n_press == 2 && self->zoomed)
    lab_timeline_reset_zoom (self);
}

/* Public API */

GtkWidget *
lab_timeline_new (void)
{
  return g_object_new (LAB_TYPE_TIMELINE, NULL);
}

/**
 * lab_timeline_get_repetition:
 *
 * Returns: (transfer none) (nullable): the repetition shown
 */
LabRepetition *
lab_timeline_get_repetition (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);

  return self->rep;
}

static void
clear_data (LabTimeline *self)
{
  g_clear_handle_id (&self->prepare_id, g_source_remove);
  g_clear_handle_id (&self->summary_id, g_source_remove);
  g_ptr_array_set_size (self->lanes, 0);
  g_clear_pointer (&self->rep, lab_repetition_unref);
  self->n_processed = 0;
  self->n_failed = 0;
  self->range_us = 0;
  self->zoomed = FALSE;
  self->summary_time = 0;
  invalidate_cache (self);
}

/**
 * lab_timeline_set_repetition:
 * @rep: (nullable): the repetition to show, possibly still running
 *
 * Shows the spans @rep has now; call lab_timeline_spans_added() as more
 * are appended.
 */
void
lab_timeline_set_repetition (LabTimeline   *self,
                             LabRepetition *rep)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));

  if (self->rep == rep)
    return;

  clear_data (self);
  if (rep != NULL)
    {
      self->rep = lab_repetition_ref (rep);
      ensure_lanes (self, MAX (1, rep->workers));
      prepare (self);
    }
  else
    lab_chart_set_empty (LAB_CHART (self), TRUE);

  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPETITION]);
}

/**
 * lab_timeline_spans_added:
 * @first: the index of the first new span in the repetition's spans
 * @n: how many were appended
 *
 * Tells the timeline that spans were appended to the repetition. Cheap:
 * the work is done once before the next frame, however often this is
 * called in between.
 */
void
lab_timeline_spans_added (LabTimeline *self,
                          guint        first,
                          guint        n)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));
  g_return_if_fail (self->rep != NULL);
  g_return_if_fail (first + n <= self->rep->spans->len);

  /* Everything past n_processed is taken, so a missed call loses nothing */
  if (self->n_processed == self->rep->spans->len)
    return;

  ingest (self);
  lab_chart_set_empty (LAB_CHART (self), FALSE);
  if (self->prepare_id == 0)
    self->prepare_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, prepare_idle_cb, self, NULL);
}

guint
lab_timeline_get_n_lanes (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);

  ensure_prepared (self);
  return n_lanes (self);
}

/* GObject */

static void
lab_timeline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  LabTimeline *self = LAB_TIMELINE (widget);

  GTK_WIDGET_CLASS (lab_timeline_parent_class)->measure (widget, orientation, for_size,
                                                         minimum, natural,
                                                         minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *natural = MAX (*natural, (int) (MIN (n_lanes (self), 32) * 28 + 40));
}

static void
lab_timeline_dispose (GObject *object)
{
  LabTimeline *self = LAB_TIMELINE (object);

  g_clear_handle_id (&self->prepare_id, g_source_remove);
  g_clear_handle_id (&self->summary_id, g_source_remove);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  g_clear_pointer (&self->rep, lab_repetition_unref);
  if (self->lanes != NULL)
    g_ptr_array_set_size (self->lanes, 0);

  G_OBJECT_CLASS (lab_timeline_parent_class)->dispose (object);
}

static void
lab_timeline_finalize (GObject *object)
{
  LabTimeline *self = LAB_TIMELINE (object);

  g_clear_pointer (&self->lanes, g_ptr_array_unref);

  G_OBJECT_CLASS (lab_timeline_parent_class)->finalize (object);
}

static void
lab_timeline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LabTimeline *self = LAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_REPETITION:
      g_value_set_boxed (value, self->rep);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_timeline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LabTimeline *self = LAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_REPETITION:
      lab_timeline_set_repetition (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_timeline_class_init (LabTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LabChartClass *chart_class = LAB_CHART_CLASS (klass);

  object_class->dispose = lab_timeline_dispose;
  object_class->finalize = lab_timeline_finalize;
  object_class->get_property = lab_timeline_get_property;
  object_class->set_property = lab_timeline_set_property;

  widget_class->measure = lab_timeline_measure;
  widget_class->query_tooltip = lab_timeline_query_tooltip;

  chart_class->draw = lab_timeline_draw;
  chart_class->palette_changed = lab_timeline_palette_changed;

  properties[PROP_REPETITION] =
    g_param_spec_boxed ("repetition", NULL, NULL,
                        lab_repetition_get_type (),
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "timeline");
}

static void
lab_timeline_init (LabTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *click;

  self->lanes = g_ptr_array_new_with_free_func (lane_free);
  self->view_end_us = 1.0;

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_swapped (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  click = gtk_gesture_click_new ();
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  lab_chart_set_label (LAB_CHART (self), _("Timeline of tasks per worker"));
  lab_chart_set_empty_text (LAB_CHART (self),
                            _("Run an experiment to see each task on its worker"));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <math.h>

#include "lab-format.h"
#include "lab-stats.h"
#include "lab-timeline-private.h"

/* One lane per worker slot, one bar per task.
 *
 * Spans are sorted into lanes when they arrive (lab_timeline_spans_added);
 * the per-lane indexes, labels and the drawing follow at most every
 * LAB_CHART_UPDATE_INTERVAL_MS (lab_chart_queue_update), so a live run
 * costs O(new spans) per arrival and a bounded number of redraws. The
 * render node is kept until the size, the data, the zoom or the colours
 * change. Lanes live in lab-timeline-lanes.c, drawing in
 * lab-timeline-draw.c, hit testing, tooltips and zoom in
 * lab-timeline-input.c. */

#define PAD                 LAB_TIMELINE_PAD
#define SUMMARY_INTERVAL_MS 1000

typedef LabTimelineGeometry Geometry;
typedef LabTimelineLane     Lane;

G_STATIC_ASSERT (SUMMARY_INTERVAL_MS >= LAB_CHART_UPDATE_INTERVAL_MS);

G_DEFINE_FINAL_TYPE (LabTimeline, lab_timeline, LAB_TYPE_CHART)

enum {
  PROP_0,
  PROP_REPETITION,
  PROP_REPETITION_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
lab_timeline_drop_cache (LabTimeline *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
}

/* Data: sorting spans into lanes */

static void
add_span (LabTimeline   *self,
          const LabSpan *span,
          guint          index)
{
  Lane *lane = lab_timeline_lane_for_span (self, span, TRUE);
  gboolean by_pid = lab_mode_uses_workers_processes (lane->mode);

  lab_timeline_lane_add_span (lane, span, index, by_pid ? span->pid : span->tid);

  self->range_us = MAX (self->range_us, MAX (0, span->end_us));
  if (span->status != LAB_TASK_OK)
    self->n_failed++;
}

/* Sorts the new spans into their lanes: O(new spans) */
static void
ingest (LabTimeline *self)
{
  for (guint i = self->n_processed; i < self->rep->spans->len; i++)
    add_span (self, &g_array_index (self->rep->spans, LabSpan, i), i);
  self->n_processed = self->rep->spans->len;
}

/* What is shown */

/* "Threads, 4 workers, repetition 2 of 3" */
static char *
describe_repetition (LabTimeline *self)
{
  const LabRepetition *rep = self->rep;
  g_autofree char *who = NULL;
  g_autofree char *which = NULL;

  /* Translators: a mode's title and its worker count, "Threads, 4 workers" */
  who = g_strdup_printf (ngettext ("%s, %u worker", "%s, %u workers", rep->workers),
                         lab_variant_title (rep->runtime, rep->mode), rep->workers);
  if (rep->warmup || rep->repeat == 0)
    /* Translators: the repetition shown is the one not measured, before the others */
    which = g_strdup (_("warm-up"));
  else if (self->repetition_total >= rep->repeat)
    /* Translators: which measured repetition is shown, "repetition 2 of 3" */
    which = g_strdup_printf (_("repetition %u of %u"), rep->repeat, self->repetition_total);
  else
    /* Translators: which measured repetition is shown, "repetition 2" */
    which = g_strdup_printf (_("repetition %u"), rep->repeat);

  /* Translators: "Threads, 4 workers" and "repetition 2 of 3" (or "warm-up") */
  return g_strdup_printf (_("%s, %s"), who, which);
}

static char *
describe (LabTimeline *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *duration = lab_format_duration_scaled (self->range_us / 1e6,
                                                          self->range_us / 1e6);
  guint n_spans = self->n_processed, lanes = lab_timeline_n_lanes (self);
  g_autofree char *tasks = NULL;
  g_autofree char *on_lanes = NULL;
  g_autofree char *groups = lab_timeline_describe_groups (self);
  double busy = 0;

  if (self->pipeline)
    /* Translators: "120 stages of documents", in "… repetition 2 of 3: 120 stages of documents
     * on 5 lanes in 1.2 s": a document is downloaded, analysed and stored, each a stage */
    tasks = g_strdup_printf (ngettext ("%u stage of documents", "%u stages of documents", n_spans), n_spans);
  else
    /* Translators: "100 tasks", in "… repetition 2 of 3: 100 tasks on 4 lanes in 1.2 s" */
    tasks = g_strdup_printf (ngettext ("%u task", "%u tasks", n_spans), n_spans);
  /* Translators: "4 lanes", in "… repetition 2 of 3: 100 tasks on 4 lanes in 1.2 s" */
  on_lanes = g_strdup_printf (ngettext ("%u lane", "%u lanes", lanes), lanes);

  /* Translators: "Threads, 4 workers, repetition 2 of 3: 100 tasks on 4 lanes in 1.2 s,
   * 0 failed." */
  g_string_append_printf (text, _("%s: %s on %s in %s, %u failed."),
                          self->caption, tasks, on_lanes, duration, self->n_failed);

  for (guint i = 0; i < lanes; i++)
    busy += ((Lane *) g_ptr_array_index (self->lanes, i))->busy_us;
  if (self->gil_holds > 0)
    {
      g_autofree char *hold = lab_format_duration (self->gil_median_hold_us / 1e6);

      g_string_append_c (text, ' ');
      /* Translators: "The emulated GIL was taken 212 times, held 5.0 ms at the median." */
      g_string_append_printf (text, ngettext ("The emulated GIL was taken %u time, held %s at the median.",
                                              "The emulated GIL was taken %u times, held %s at the median.",
                                              self->gil_holds),
                              self->gil_holds, hold);
    }
  if (groups != NULL)
    g_string_append_printf (text, " %s", groups);
  else if (self->range_us > 0 && lanes > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("The lanes were busy %.0f %% of the time."),
                              100.0 * busy / (self->range_us * lanes));
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

/* The caption above the lanes and the accessible label say which mode,
 * how many workers and which repetition */
static void
update_caption (LabTimeline *self)
{
  g_autofree char *label = NULL;

  g_clear_pointer (&self->caption, g_free);
  if (self->rep == NULL)
    {
      lab_chart_set_label (LAB_CHART (self), _("Timeline of tasks per worker"));
      return;
    }

  self->caption = describe_repetition (self);
  /* Translators: the accessible name of the timeline, "Timeline of Threads, 4 workers,
   * repetition 2 of 3" */
  label = g_strdup_printf (_("Timeline of %s"), self->caption);
  lab_chart_set_label (LAB_CHART (self), label);
}

/* How much of a repetition the timeline first shows when the emulated
 * GIL's hand-overs arrive: 40 switch intervals. */
#define GIL_VIEW_US (200 * 1000.0)

/* Indexes the emulated GIL's intervals by lane and measures its holds,
 * once they have arrived (with the end of the repetition). */
static void
index_gil (LabTimeline *self)
{
  GArray *intervals = self->rep->gil_intervals;
  g_autoptr(GArray) holds = g_array_new (FALSE, FALSE, sizeof (double));
  guint lanes = lab_timeline_n_lanes (self);

  self->n_gil = intervals->len;
  g_array_set_size (self->gil_lane_first, 0);
  for (guint lane = 0, i = 0; lane <= lanes; lane++)
    {
      while (i < intervals->len && g_array_index (intervals, LabGilInterval, i).worker < lane)
        i++;
      g_array_append_val (self->gil_lane_first, i);
    }
  for (guint i = 0; i < intervals->len; i++)
    {
      const LabGilInterval *interval = &g_array_index (intervals, LabGilInterval, i);
      double us = interval->end_us - interval->start_us;

      if (interval->state == LAB_GIL_HOLD)
        g_array_append_val (holds, us);
    }
  self->gil_holds = holds->len;
  self->gil_median_hold_us = holds->len > 0 ? lab_stats_median ((double *) holds->data, holds->len) : NAN;
}

/* Brings lanes, labels and the view up to date with the spans ingested */
static void
prepare (LabTimeline *self)
{
  if (self->rep == NULL || !self->stale)
    return;

  self->stale = FALSE;
  ingest (self);
  for (guint i = 0; i < lab_timeline_n_lanes (self); i++)
    {
      Lane *lane = g_ptr_array_index (self->lanes, i);

      if (lane->dirty)
        lab_timeline_lane_prepare (lane);
    }

  lab_timeline_measure_labels (self);
  if (!self->zoomed)
    {
      self->view_start_us = 0;
      self->view_end_us = MAX (self->range_us, 1.0);
    }
  if (self->rep->gil_intervals->len != self->n_gil)
    {
      index_gil (self);
      /* The lock changes hands every few milliseconds: show the first
       * GIL_VIEW_US, where each hold is wide enough to see, unless the
       * person chose a view already. Double-click shows it all. */
      if (!self->zoomed && self->gil_holds > 0 && self->range_us > 2 * GIL_VIEW_US)
        {
          self->view_end_us = GIL_VIEW_US;
          self->zoomed = TRUE;
        }
    }

  queue_summary (self);
  lab_chart_set_empty (LAB_CHART (self), self->n_processed == 0);
  lab_timeline_drop_cache (self);
  /* Lanes come with the spans, in lab_timeline_spans_added() too: the
   * height asked for follows here. */
  if (self->sized_rows != lab_timeline_n_rows (self))
    {
      self->sized_rows = lab_timeline_n_rows (self);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
}

/* Before reading lanes outside an update: hit tests, exports */
void
lab_timeline_ensure_prepared (LabTimeline *self)
{
  prepare (self);
}

static void
lab_timeline_update (LabChart *chart)
{
  prepare (LAB_TIMELINE (chart));
}

static void
lab_timeline_draw (LabChart    *chart,
                   GtkSnapshot *snapshot,
                   int          width,
                   int          height)
{
  LabTimeline *self = LAB_TIMELINE (chart);
  GtkSnapshot *child;

  lab_timeline_ensure_prepared (self);
  if (self->rep == NULL)
    return;

  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    {
      lab_timeline_drop_cache (self);
      child = gtk_snapshot_new ();
      lab_timeline_draw_contents (self, child, width, height);
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
  lab_timeline_measure_labels (self);
  lab_timeline_drop_cache (self);
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
  g_clear_handle_id (&self->summary_id, g_source_remove);
  g_ptr_array_set_size (self->lanes, 0);
  g_clear_pointer (&self->rep, lab_repetition_unref);
  lab_timeline_groups_reset (self);
  self->n_processed = 0;
  self->n_failed = 0;
  self->range_us = 0;
  self->n_gil = 0;
  self->gil_holds = 0;
  g_array_set_size (self->gil_lane_first, 0);
  self->stale = FALSE;
  self->zoomed = FALSE;
  self->summary_time = 0;
  lab_timeline_drop_cache (self);
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
      lab_timeline_groups_reset (self);
      self->stale = TRUE;
    }
  else
    lab_chart_set_empty (LAB_CHART (self), TRUE);
  update_caption (self);
  /* Another repetition is shown at once, without waiting for the rate limit */
  lab_chart_update_now (LAB_CHART (self));

  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPETITION]);
}

/**
 * lab_timeline_spans_added:
 * @first: the index of the first new span in the repetition's spans
 * @n: how many were appended
 *
 * Tells the timeline that spans were appended to the repetition. Cheap:
 * the new spans are sorted into their lanes, and the rest of the work and
 * the redraw follow at most every %LAB_CHART_UPDATE_INTERVAL_MS, however
 * often this is called in between.
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
  self->stale = TRUE;
  lab_chart_set_empty (LAB_CHART (self), FALSE);
  lab_chart_queue_update (LAB_CHART (self));
}

/**
 * lab_timeline_repetition_finished:
 *
 * Tells the timeline that its repetition finished: what arrives with the
 * end (the emulated GIL's intervals) is drawn.
 */
void
lab_timeline_repetition_finished (LabTimeline *self)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));

  if (self->rep == NULL || self->rep->gil_intervals->len == self->n_gil)
    return;
  self->stale = TRUE;
  lab_chart_queue_update (LAB_CHART (self));
}

guint
lab_timeline_get_n_lanes (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);

  lab_timeline_ensure_prepared (self);
  return lab_timeline_n_lanes (self);
}

guint
lab_timeline_get_repetition_total (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);

  return self->repetition_total;
}

/**
 * lab_timeline_set_repetition_total:
 * @n_repetitions: how many measured repetitions each cell has, 0 if not
 *   known
 *
 * Lets the caption and the summary say "repetition 2 of 3" rather than
 * "repetition 2".
 */
void
lab_timeline_set_repetition_total (LabTimeline *self,
                                   guint        n_repetitions)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));

  if (self->repetition_total == n_repetitions)
    return;

  self->repetition_total = n_repetitions;
  update_caption (self);
  update_summary (self);
  lab_timeline_drop_cache (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPETITION_TOTAL]);
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
    *natural = MAX (*natural, (int) (MIN (lab_timeline_n_rows (self), 32) * 28 + 56));
}

static void
lab_timeline_dispose (GObject *object)
{
  LabTimeline *self = LAB_TIMELINE (object);

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
  g_clear_pointer (&self->gil_lane_first, g_array_unref);
  g_clear_pointer (&self->caption, g_free);

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

    case PROP_REPETITION_TOTAL:
      g_value_set_uint (value, self->repetition_total);
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

    case PROP_REPETITION_TOTAL:
      lab_timeline_set_repetition_total (self, g_value_get_uint (value));
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
  chart_class->update = lab_timeline_update;

  properties[PROP_REPETITION] =
    g_param_spec_boxed ("repetition", NULL, NULL,
                        lab_repetition_get_type (),
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_REPETITION_TOTAL] =
    g_param_spec_uint ("repetition-total", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "timeline");
}

static void
lab_timeline_init (LabTimeline *self)
{
  self->lanes = g_ptr_array_new_with_free_func (lab_timeline_lane_free);
  self->gil_lane_first = g_array_new (FALSE, FALSE, sizeof (guint));
  self->view_end_us = 1.0;

  lab_timeline_init_input (self);

  lab_chart_set_label (LAB_CHART (self), _("Timeline of tasks per worker"));
  lab_chart_set_empty_text (LAB_CHART (self),
                            _("Run an experiment to see each task on its worker"));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-timeline.h"

G_BEGIN_DECLS

/* Shared by lab-timeline.c (the widget and its data),
 * lab-timeline-lanes.c (one worker slot's tasks, indexed),
 * lab-timeline-draw.c (geometry and drawing) and lab-timeline-input.c
 * (hit testing, tooltips, zoom). */

#define LAB_TIMELINE_PAD       8.0
#define LAB_TIMELINE_MAX_LANES LAB_MAX_WORKERS

typedef struct
{
  double start;      /* µs from the start of the repetition */
  double end;
  double queued;
  guint  index;      /* into rep->spans */
  guint  status;     /* LabTaskStatus */
} LabTimelineBar;

typedef struct
{
  double from;
  double to;
} LabTimelineInterval;

typedef struct
{
  GArray   *bars;       /* LabTimelineBar, sorted by start once prepared */
  GArray   *max_end;    /* double: running maximum of bars[0..i].end */
  GArray   *waits;      /* LabTimelineInterval: union of the queue waits, sorted */
  guint     prepared;   /* bars[0..prepared) are indexed */
  gboolean  sorted;     /* bars were appended in start order */
  gboolean  dirty;
  gint64    last_id;    /* pid (process modes) or tid of the last span */
  guint     n_ids;      /* how many times the pid/tid changed, plus one */
  double    busy_us;
  char     *label;      /* "Thread 3", "Process 2 (pid 4711)" */
} LabTimelineLane;

typedef struct
{
  float top;         /* of the lanes, under the caption */
  float left;
  float width;
  float height;
  float lane_h;
  float bar_h;
} LabTimelineGeometry;

struct _LabTimeline
{
  LabChart        parent_instance;

  LabRepetition  *rep;
  guint           repetition_total;
  GPtrArray      *lanes;          /* LabTimelineLane, one per worker slot */
  guint           n_processed;    /* spans of rep->spans sorted into lanes */
  guint           n_failed;
  double          range_us;       /* end of the last span */
  gboolean        stale;          /* spans arrived since the last prepare */

  gboolean        zoomed;
  double          view_start_us;
  double          view_end_us;
  double          pointer_x;

  /* The emulated GIL's intervals (rep->gil_intervals, by worker then
   * start): where each lane's begin, and how the lock changed hands */
  guint           n_gil;          /* intervals taken into account */
  GArray         *gil_lane_first; /* guint per lane, n_lanes + 1 entries */
  guint           gil_holds;
  double          gil_median_hold_us;

  char           *caption;        /* "Threads, 4 workers, repetition 2 of 3" */
  int             label_width;
  int             line_height;

  guint           summary_id;
  gint64          summary_time;

  GskRenderNode  *cache;
  int             cache_width;
  int             cache_height;
};

/* lab-timeline.c */
void             lab_timeline_ensure_prepared  (LabTimeline             *self);
void             lab_timeline_drop_cache       (LabTimeline             *self);

/* lab-timeline-input.c */
void             lab_timeline_init_input       (LabTimeline             *self);
gboolean         lab_timeline_query_tooltip    (GtkWidget               *widget,
                                                int                      x,
                                                int                      y,
                                                gboolean                 keyboard_mode,
                                                GtkTooltip              *tooltip);

/* lab-timeline-lanes.c */
LabTimelineLane *lab_timeline_lane_new         (void);
void             lab_timeline_lane_free        (gpointer                 lane);
void             lab_timeline_lane_add_span    (LabTimelineLane         *lane,
                                                const LabSpan           *span,
                                                guint                    index,
                                                gint64                   id);
void             lab_timeline_lane_prepare     (LabTimelineLane         *lane,
                                                LabMode                  mode,
                                                guint                    slot);
guint            lab_timeline_lane_first_ending_after (const LabTimelineLane *lane,
                                                double                   t);
gboolean         lab_timeline_lane_find_bar    (const LabTimelineLane   *lane,
                                                double                   t,
                                                double                   tolerance,
                                                guint                   *index);
char            *lab_timeline_lane_dup_label   (const LabTimelineLane   *lane,
                                                LabMode                  mode,
                                                guint                    slot);

/* lab-timeline-draw.c */
void             lab_timeline_measure_labels   (LabTimeline             *self);
void             lab_timeline_compute_geometry (LabTimeline             *self,
                                                int                      width,
                                                int                      height,
                                                LabTimelineGeometry     *geometry);
void             lab_timeline_draw_contents    (LabTimeline             *self,
                                                GtkSnapshot             *snapshot,
                                                int                      width,
                                                int                      height);

static inline guint
lab_timeline_n_lanes (LabTimeline *self)
{
  return self->lanes->len;
}

static inline double
lab_timeline_time_to_x (LabTimeline               *self,
                        const LabTimelineGeometry *geometry,
                        double                     t)
{
  return geometry->left
         + (t - self->view_start_us) * geometry->width / (self->view_end_us - self->view_start_us);
}

static inline double
lab_timeline_x_to_time (LabTimeline               *self,
                        const LabTimelineGeometry *geometry,
                        double                     x)
{
  return self->view_start_us
         + (x - geometry->left) * (self->view_end_us - self->view_start_us) / geometry->width;
}

G_END_DECLS

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
#define LAB_TIMELINE_MAX_GROUPS 3

typedef struct
{
  double start;      /* µs from the start of the repetition */
  double end;
  double queued;
  guint  index;      /* into rep->spans */
  guint  status;     /* LabTaskStatus */
  guint  stage;      /* LabStage */
} LabTimelineBar;

typedef struct
{
  double from;
  double to;
} LabTimelineInterval;

typedef struct
{
  LabMode   mode;       /* what runs in it: the run's mode, or for a pipeline
                         * threads or processes, as the lane's group */
  guint     group;      /* its lane group (0 unless a pipeline) */
  guint     slot;       /* the worker slot inside the group, from 0 */
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
  GPtrArray      *lanes;          /* LabTimelineLane, one per worker slot, by group */
  /* A pipeline's stages go to groups of lanes, each under a row with its
   * title (lab-timeline-groups.c); any other run has one untitled group */
  gboolean        pipeline;
  guint           n_groups;
  guint           group_lanes[LAB_TIMELINE_MAX_GROUPS];
  guint           sized_rows;     /* the rows when the size was last queued */
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

/* lab-timeline-groups.c */
void             lab_timeline_groups_reset     (LabTimeline             *self);
LabTimelineLane *lab_timeline_lane_for_span    (LabTimeline             *self,
                                                const LabSpan           *span,
                                                gboolean                 create);
guint            lab_timeline_n_rows           (LabTimeline             *self);
guint            lab_timeline_lane_row         (LabTimeline             *self,
                                                guint                    lane);
gboolean         lab_timeline_row_lane         (LabTimeline             *self,
                                                guint                    row,
                                                guint                   *lane);
void             lab_timeline_draw_group_titles (LabTimeline            *self,
                                                GtkSnapshot             *snapshot,
                                                const LabTimelineGeometry *geometry);
char            *lab_timeline_describe_groups  (LabTimeline             *self);

/* lab-timeline-lanes.c */
LabTimelineLane *lab_timeline_lane_new         (LabMode                  mode,
                                                guint                    group,
                                                guint                    slot);
void             lab_timeline_lane_free        (gpointer                 lane);
void             lab_timeline_lane_add_span    (LabTimelineLane         *lane,
                                                const LabSpan           *span,
                                                guint                    index,
                                                gint64                   id);
void             lab_timeline_lane_prepare     (LabTimelineLane         *lane);
guint            lab_timeline_lane_first_ending_after (const LabTimelineLane *lane,
                                                double                   t);
gboolean         lab_timeline_lane_find_bar    (const LabTimelineLane   *lane,
                                                double                   t,
                                                double                   tolerance,
                                                guint                   *index);
char            *lab_timeline_lane_dup_label   (const LabTimelineLane   *lane);

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

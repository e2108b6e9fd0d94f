/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "lab-timeline-private.h"

/* Lanes in groups. A pipeline's stages run on different workers: in the
 * hybrid mode download threads, analysis processes and a storing thread;
 * in the others the mode's threads or processes, then the storing thread.
 * Each group's lanes sit together under a row with the group's title
 * (lab_lane_group_title()), in the order of the groups; a span goes to
 * the lane span->worker of its stage's group (lab_stage_lane_group()).
 * Any other run has one group, untitled: one lane per worker slot, as
 * always. Lanes are kept in one array, by group then slot, so that the
 * lanes of group 0 are indexed by their slot, as the emulated GIL's
 * intervals are. */

typedef LabTimelineLane Lane;

/* Whether the lanes of a pipeline's stage are processes or threads,
 * which names them and tells whether a new pid means a new worker. */
static LabMode
pipeline_lane_mode (LabMode  mode,
                    LabStage stage)
{
  if ((mode == LAB_MODE_PROCESSES && stage != LAB_STAGE_STORE) ||
      (mode == LAB_MODE_HYBRID && stage == LAB_STAGE_ANALYSE))
    return LAB_MODE_PROCESSES;
  return LAB_MODE_THREADS;
}

static void
set_pipeline (LabTimeline *self,
              gboolean     pipeline)
{
  self->pipeline = pipeline;
  self->n_groups = MIN (lab_mode_lane_groups (self->rep->mode, pipeline), LAB_TIMELINE_MAX_GROUPS);
  memset (self->group_lanes, 0, sizeof self->group_lanes);
  g_ptr_array_set_size (self->lanes, 0);
}

/* The index of the first lane of @group */
static guint
group_first_lane (LabTimeline *self,
                  guint        group)
{
  guint first = 0;

  for (guint g = 0; g < group; g++)
    first += self->group_lanes[g];
  return first;
}

/* Adds the lanes of @group up to @slot; @stage names them. */
static void
ensure_group_lanes (LabTimeline *self,
                    guint        group,
                    guint        slot,
                    LabStage     stage)
{
  guint first = group_first_lane (self, group);
  LabMode mode = self->pipeline ? pipeline_lane_mode (self->rep->mode, stage) : self->rep->mode;

  slot = MIN (slot, LAB_TIMELINE_MAX_LANES - 1);
  for (guint s = self->group_lanes[group]; s <= slot; s++)
    g_ptr_array_insert (self->lanes, first + s, lab_timeline_lane_new (mode, group, s));
  self->group_lanes[group] = MAX (self->group_lanes[group], slot + 1);
}

/**
 * lab_timeline_groups_reset:
 *
 * Lays out the lanes of the repetition just set: a pipeline's groups
 * (their lanes come with the spans), or one lane per worker.
 */
void
lab_timeline_groups_reset (LabTimeline *self)
{
  self->pipeline = FALSE;
  self->n_groups = 1;
  memset (self->group_lanes, 0, sizeof self->group_lanes);
  if (self->rep == NULL)
    return;

  /* Every shape of the pipeline has a queue of rows waiting to be
   * stored, known from the repetition's start; its spans tell too. */
  if (self->rep->queue_capacity[LAB_QUEUE_ANALYSED] > 0)
    set_pipeline (self, TRUE);
  else
    ensure_group_lanes (self, 0, MAX (1, self->rep->workers) - 1, LAB_STAGE_TASK);
}

/**
 * lab_timeline_lane_for_span:
 * @create: whether to add the lane when it is not there yet
 *
 * Returns: (nullable): the lane that @span is drawn in
 */
Lane *
lab_timeline_lane_for_span (LabTimeline   *self,
                            const LabSpan *span,
                            gboolean       create)
{
  guint group = 0, slot = MIN (span->worker, LAB_TIMELINE_MAX_LANES - 1);

  if (!self->pipeline && span->stage != LAB_STAGE_TASK)
    {
      /* Only a pipeline's spans have stages, so the first span tells,
       * before any lane has a bar. */
      if (!create)
        return NULL;
      set_pipeline (self, TRUE);
    }
  if (self->pipeline)
    group = MIN (lab_stage_lane_group (self->rep->mode, span->stage), self->n_groups - 1);

  if (slot >= self->group_lanes[group])
    {
      if (!create)
        return NULL;
      ensure_group_lanes (self, group, slot, span->stage);
    }
  return g_ptr_array_index (self->lanes, group_first_lane (self, group) + slot);
}

/* Whether @group has a title row: a pipeline's groups that have lanes */
static gboolean
group_titled (LabTimeline *self,
              guint        group)
{
  return self->pipeline && self->group_lanes[group] > 0;
}

/* The rows drawn: a lane each, and a title over each group's lanes */
guint
lab_timeline_n_rows (LabTimeline *self)
{
  guint rows = self->lanes->len;

  for (guint g = 0; g < self->n_groups; g++)
    rows += group_titled (self, g);
  return rows;
}

/* The row that lane @lane is drawn in */
guint
lab_timeline_lane_row (LabTimeline *self,
                       guint        lane)
{
  guint group = ((Lane *) g_ptr_array_index (self->lanes, lane))->group;
  guint row = lane;

  for (guint g = 0; g <= group; g++)
    row += group_titled (self, g);
  return row;
}

/* The lane drawn in row @row; FALSE for a title row or past the end */
gboolean
lab_timeline_row_lane (LabTimeline *self,
                       guint        row,
                       guint       *lane)
{
  guint first_row = 0, first_lane = 0;

  for (guint g = 0; g < self->n_groups; g++)
    {
      first_row += group_titled (self, g);
      if (row < first_row)
        return FALSE;
      if (row < first_row + self->group_lanes[g])
        {
          *lane = first_lane + (row - first_row);
          return TRUE;
        }
      first_row += self->group_lanes[g];
      first_lane += self->group_lanes[g];
    }
  return FALSE;
}

/* Each group's title, in bold, in the row above its lanes. */
void
lab_timeline_draw_group_titles (LabTimeline                *self,
                                GtkSnapshot                *snapshot,
                                const LabTimelineGeometry  *geometry)
{
  const LabChartPalette *palette = lab_chart_get_palette (LAB_CHART (self));
  g_autoptr(PangoLayout) layout = lab_chart_create_layout (LAB_CHART (self), NULL, TRUE);
  PangoAttrList *attrs = pango_attr_list_copy (pango_layout_get_attributes (layout));
  guint first_lane = 0;

  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_set_width (layout, MAX (1, (int) (geometry->left + geometry->width)) * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);

  for (guint g = 0; g < self->n_groups; g++)
    {
      const char *title = lab_lane_group_title (self->rep->mode, g);

      if (group_titled (self, g) && title != NULL && geometry->lane_h >= self->line_height)
        {
          float y = geometry->top + (lab_timeline_lane_row (self, first_lane) - 1) * geometry->lane_h;

          pango_layout_set_text (layout, title, -1);
          lab_chart_append_layout (snapshot, layout, LAB_TIMELINE_PAD,
                                   y + (geometry->lane_h - self->line_height) / 2, &palette->foreground);
        }
      first_lane += self->group_lanes[g];
    }
}

/**
 * lab_timeline_describe_groups:
 *
 * Returns: (transfer full) (nullable): how busy each group's lanes were,
 *   "Download threads: 2 lanes, busy 31 % of the time. …"; %NULL for a
 *   run that is not a pipeline's
 */
char *
lab_timeline_describe_groups (LabTimeline *self)
{
  g_autoptr(GString) text = NULL;
  guint first_lane = 0;

  if (!self->pipeline || !(self->range_us > 0))
    return NULL;

  text = g_string_new (NULL);
  for (guint g = 0; g < self->n_groups; g++)
    {
      guint n = self->group_lanes[g];
      double busy = 0;

      for (guint i = first_lane; i < first_lane + n; i++)
        busy += ((Lane *) g_ptr_array_index (self->lanes, i))->busy_us;
      first_lane += n;
      if (n == 0 || lab_lane_group_title (self->rep->mode, g) == NULL)
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* Translators: a group of lanes of the timeline, how many lanes it has and how busy they
       * were: "Analysis processes: 2 lanes, busy 93 % of the time." */
      g_string_append_printf (text, ngettext ("%s: %u lane, busy %.0f %% of the time.",
                                              "%s: %u lanes, busy %.0f %% of the time.", n),
                              lab_lane_group_title (self->rep->mode, g), n, 100.0 * busy / (self->range_us * n));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

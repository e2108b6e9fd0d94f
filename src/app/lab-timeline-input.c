/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "lab-timeline-private.h"

/* What the pointer does on the timeline: finds the task under it for a
 * tooltip, zooms with Ctrl+scroll, pans with horizontal scrolling, and
 * shows everything again on a double click. */

#define MIN_VIEW_US 10.0
#define ZOOM_STEP   1.2

typedef LabTimelineGeometry Geometry;
typedef LabTimelineLane     Lane;

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
  double t, tolerance;
  guint lane_index;

  g_return_val_if_fail (LAB_IS_TIMELINE (self), FALSE);
  g_return_val_if_fail (index != NULL, FALSE);

  lab_timeline_ensure_prepared (self);
  if (self->rep == NULL || lab_timeline_n_lanes (self) == 0)
    return FALSE;

  lab_timeline_compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                 gtk_widget_get_height (GTK_WIDGET (self)), &geometry);
  if (x < geometry.left - 1 || x > geometry.left + geometry.width + 1
      || y < geometry.top || y >= geometry.top + geometry.height)
    return FALSE;

  if (!lab_timeline_row_lane (self, (guint) ((y - geometry.top) / geometry.lane_h), &lane_index))
    return FALSE;
  lane = g_ptr_array_index (self->lanes, lane_index);

  t = lab_timeline_x_to_time (self, &geometry, x);
  tolerance = (self->view_end_us - self->view_start_us) / geometry.width;
  return lab_timeline_lane_find_bar (lane, t, tolerance, index);
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

  const Lane *lane = lab_timeline_lane_for_span (self, span, FALSE);

  if (span->stage != LAB_STAGE_TASK)
    /* Translators: a pipeline's document, counted from 0, and the stage of it the tooltip
     * describes: "Document #12 · Analysis" */
    g_string_append_printf (text, _("Document #%u · %s"), span->task, lab_stage_title (span->stage));
  else
    g_string_append_printf (text, _("Task #%u"), span->task);
  g_string_append_c (text, '\n');
  /* Translators: the lane's name ("Thread 3"), then the ids the system gave the task's
   * process and thread */
  g_string_append_printf (text, _("%s · process ID %d, thread ID %" PRId64),
                          lane != NULL && lane->label != NULL ? lane->label : "", span->pid, span->tid);
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

gboolean
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
  /* The person's own action: shown at once */
  lab_timeline_drop_cache (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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

  lab_timeline_ensure_prepared (self);
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

      lab_timeline_compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                     gtk_widget_get_height (GTK_WIDGET (self)), &geometry);
      anchor = lab_timeline_x_to_time (self, &geometry,
                                       CLAMP (self->pointer_x, geometry.left,
                                              geometry.left + geometry.width));
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

void
lab_timeline_init_input (LabTimeline *self)
{
  GtkEventController *controller;
  GtkGesture *click;

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
}

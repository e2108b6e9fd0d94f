/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "lab-redraw-pacer.h"

/*
 * While a run goes on, what the window shows changes all the time: every
 * task finished, every CPU sample. Each change drawn at once would cost
 * frames, and the CPU time of those frames is taken from the run being
 * measured. The pacer gathers the changes and applies them together, on
 * one clock for the whole window, so that they land in one frame: at most
 * 10 a second, and fewer when frames are expensive (a software
 * renderer), so that drawing takes at most 1/LAB_REDRAW_PACER_DUTY of the
 * time. Nothing is pending, and no timer runs, when nothing changes.
 *
 * Main thread only.
 */

typedef struct
{
  LabRedrawFunc func;
  gpointer      object;
} Request;

static GHashTable *pending;        /* object → Request */
static guint       tick_id;
static gint64      last_tick_us;
static double      frame_ms;       /* moving average of a frame's cost */

static const char *paint_start_key = "lab-redraw-pacer-paint-start";

static void
on_before_paint (GdkFrameClock *clock)
{
  gint64 *start = g_object_get_data (G_OBJECT (clock), paint_start_key);

  *start = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock)
{
  gint64 *start = g_object_get_data (G_OBJECT (clock), paint_start_key);
  double ms;

  if (*start == 0)
    return;
  ms = (g_get_monotonic_time () - *start) / 1000.0;
  *start = 0;
  /* One slow frame (a first layout, fonts) should not slow the pacer for long. */
  frame_ms = frame_ms == 0 ? ms : 0.8 * frame_ms + 0.2 * ms;
}

/* Measures the frames of @widget's window, once per frame clock. */
static void
watch_frame_clock (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock == NULL || g_object_get_data (G_OBJECT (clock), paint_start_key) != NULL)
    return;
  g_object_set_data_full (G_OBJECT (clock), paint_start_key, g_new0 (gint64, 1), g_free);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
}

guint
lab_redraw_pacer_get_interval_ms (void)
{
  return (guint) CLAMP (LAB_REDRAW_PACER_DUTY * frame_ms,
                        LAB_REDRAW_PACER_MIN_INTERVAL_MS, LAB_REDRAW_PACER_MAX_INTERVAL_MS);
}

/* The moving average of a frame's cost (layout, snapshot, render), in ms. */
double
lab_redraw_pacer_get_frame_ms (void)
{
  return frame_ms;
}

static gboolean
tick_cb (gpointer data)
{
  g_autoptr(GHashTable) due = g_steal_pointer (&pending);
  GHashTableIter iter;
  Request *request;

  tick_id = 0;
  last_tick_us = g_get_monotonic_time ();
  g_hash_table_iter_init (&iter, due);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &request))
    request->func (request->object);
  return G_SOURCE_REMOVE;
}

/**
 * lab_redraw_pacer_request:
 * @widget: a widget of the window to draw in
 * @func: applies @object's changes (queues its redraw)
 * @object: what changed; one request each, until it runs
 *
 * Calls @func (@object) at the window's next paced update.
 */
void
lab_redraw_pacer_request (GtkWidget     *widget,
                          LabRedrawFunc  func,
                          gpointer       object)
{
  Request *request;
  gint64 elapsed_ms;
  guint interval_ms;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  watch_frame_clock (widget);
  if (pending == NULL)
    pending = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  if (g_hash_table_contains (pending, object))
    return;
  request = g_new (Request, 1);
  request->func = func;
  request->object = object;
  g_hash_table_insert (pending, object, request);

  if (tick_id != 0)
    return;
  interval_ms = lab_redraw_pacer_get_interval_ms ();
  elapsed_ms = (g_get_monotonic_time () - last_tick_us) / 1000;
  if (last_tick_us == 0 || elapsed_ms >= interval_ms)
    /* Before the frame clock's layout and paint (GDK_PRIORITY_REDRAW),
     * so that a burst of changes in one main loop iteration is one update. */
    tick_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 10, tick_cb, NULL, NULL);
  else
    tick_id = g_timeout_add (interval_ms - elapsed_ms, tick_cb, NULL);
}

/* Drops @object's pending request: it is going away. */
void
lab_redraw_pacer_cancel (gpointer object)
{
  if (pending != NULL)
    g_hash_table_remove (pending, object);
}

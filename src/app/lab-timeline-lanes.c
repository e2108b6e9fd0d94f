/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lab-timeline-private.h"

/* One lane of the timeline: the tasks of one worker slot, kept sorted by
 * start with a running maximum of their ends, so that drawing and hit
 * testing find the tasks of a time range by binary search. */

/* @mode: what runs in the lane, which names it */
LabTimelineLane *
lab_timeline_lane_new (LabMode mode,
                       guint   group,
                       guint   slot)
{
  LabTimelineLane *lane = g_new0 (LabTimelineLane, 1);

  lane->mode = mode;
  lane->group = group;
  lane->slot = slot;
  lane->bars = g_array_new (FALSE, FALSE, sizeof (LabTimelineBar));
  lane->max_end = g_array_new (FALSE, FALSE, sizeof (double));
  lane->waits = g_array_new (FALSE, FALSE, sizeof (LabTimelineInterval));
  lane->sorted = TRUE;
  lane->dirty = TRUE;
  return lane;
}

void
lab_timeline_lane_free (gpointer data)
{
  LabTimelineLane *lane = data;

  g_clear_pointer (&lane->bars, g_array_unref);
  g_clear_pointer (&lane->max_end, g_array_unref);
  g_clear_pointer (&lane->waits, g_array_unref);
  g_clear_pointer (&lane->label, g_free);
  g_free (lane);
}

/* @id: the process (process modes) or thread that ran the span; a change
 * from the previous span's counts as a new one */
void
lab_timeline_lane_add_span (LabTimelineLane *lane,
                            const LabSpan   *span,
                            guint            index,
                            gint64           id)
{
  LabTimelineBar bar;

  bar.start = MAX (0, span->start_us);
  bar.end = MAX (bar.start, (double) span->end_us);
  bar.queued = CLAMP ((double) span->queued_us, 0, bar.start);
  bar.index = index;
  bar.status = span->status;
  bar.stage = span->stage;

  if (lane->bars->len > 0
      && bar.start < g_array_index (lane->bars, LabTimelineBar, lane->bars->len - 1).start)
    lane->sorted = FALSE;
  g_array_append_val (lane->bars, bar);

  if (lane->n_ids == 0 || id != lane->last_id)
    lane->n_ids++;
  lane->last_id = id;
  lane->busy_us += bar.end - bar.start;
  lane->dirty = TRUE;
}

static int
compare_bars (gconstpointer a,
              gconstpointer b)
{
  const LabTimelineBar *ba = a, *bb = b;

  if (ba->start != bb->start)
    return ba->start < bb->start ? -1 : 1;
  return (ba->index > bb->index) - (ba->index < bb->index);
}

static int
compare_intervals (gconstpointer a,
                   gconstpointer b)
{
  const LabTimelineInterval *ia = a, *ib = b;

  return (ia->from > ib->from) - (ia->from < ib->from);
}

/* The queue waits of one lane overlap heavily (every task is queued at
 * the start), so they are kept as their union. */
static void
rebuild_waits (LabTimelineLane *lane)
{
  g_autoptr(GArray) waits = g_array_sized_new (FALSE, FALSE, sizeof (LabTimelineInterval),
                                               lane->bars->len);
  LabTimelineInterval *current = NULL;

  for (guint i = 0; i < lane->bars->len; i++)
    {
      const LabTimelineBar *bar = &g_array_index (lane->bars, LabTimelineBar, i);
      LabTimelineInterval wait = { bar->queued, bar->start };

      if (wait.to > wait.from)
        g_array_append_val (waits, wait);
    }
  g_array_sort (waits, compare_intervals);

  g_array_set_size (lane->waits, 0);
  for (guint i = 0; i < waits->len; i++)
    {
      const LabTimelineInterval *wait = &g_array_index (waits, LabTimelineInterval, i);

      if (current != NULL && wait->from <= current->to)
        current->to = MAX (current->to, wait->to);
      else
        {
          g_array_append_val (lane->waits, *wait);
          current = &g_array_index (lane->waits, LabTimelineInterval, lane->waits->len - 1);
        }
    }
}

/**
 * lab_timeline_lane_dup_label:
 *
 * Names the lane by what runs in it, counted from 1 as a person counts:
 * a thread, a worker process (with its pid, and how often it was
 * replaced), the slot a new process per task takes, or a request slot of
 * the event loop.
 *
 * Returns: (transfer full): the label
 */
char *
lab_timeline_lane_dup_label (const LabTimelineLane *lane)
{
  guint number = lane->slot + 1;
  guint replaced = lane->n_ids > 0 ? lane->n_ids - 1 : 0;
  int pid = (int) lane->last_id;

  switch (lane->mode)
    {
    case LAB_MODE_PROCESSES:
      if (lane->n_ids == 0 || pid <= 0)
        /* Translators: a lane of the timeline: a worker process, counted from 1 */
        return g_strdup_printf (_("Process %u"), number);
      if (replaced == 0)
        /* Translators: a lane of the timeline: a worker process and its process id */
        return g_strdup_printf (_("Process %u (pid %d)"), number, pid);
      if (replaced == 1)
        /* Translators: a worker process that died and was replaced; the pid is the new one's */
        return g_strdup_printf (_("Process %u (pid %d, replaced once)"), number, pid);
      /* Translators: a worker process that died and was replaced; the pid is the newest one's */
      return g_strdup_printf (ngettext ("Process %u (pid %d, replaced %u time)",
                                        "Process %u (pid %d, replaced %u times)", replaced),
                              number, pid, replaced);

    case LAB_MODE_SPAWN:
      /* Translators: a lane of the timeline: a slot that starts a new process for each task */
      return g_strdup_printf (_("Process slot %u"), number);

    case LAB_MODE_ASYNC:
      /* Translators: a lane of the timeline: one of the requests the event loop keeps going */
      return g_strdup_printf (_("Request slot %u"), number);

    case LAB_MODE_GTASK:
      if (lane->n_ids == 0)
        /* Translators: a lane of the timeline for a worker asked for, where GLib's shared pool ran nothing */
        return g_strdup_printf (_("Worker %u asked for: no thread"), number);
      /* Translators: a lane of the timeline: a thread of GLib's shared pool that ran tasks, counted from 1 */
      return g_strdup_printf (_("GLib pool thread %u"), number);

    case LAB_MODE_SEQUENTIAL:
    case LAB_MODE_THREADS:
    case LAB_MODE_GIL:
    case LAB_MODE_HYBRID:
    case LAB_N_MODES:
    default:
      /* Translators: a lane of the timeline: a worker thread, counted from 1 */
      return g_strdup_printf (_("Thread %u"), number);
    }
}

/* Sorts the new bars and extends the index over them: O(new) when they
 * came in start order, which is the usual case. */
void
lab_timeline_lane_prepare (LabTimelineLane *lane)
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
      running = MAX (running, g_array_index (lane->bars, LabTimelineBar, i).end);
      g_array_index (lane->max_end, double, i) = running;
    }
  lane->prepared = lane->bars->len;

  rebuild_waits (lane);
  g_free (lane->label);
  lane->label = lab_timeline_lane_dup_label (lane);
  lane->dirty = FALSE;
}

/* The first bar that may reach @t: max_end is non-decreasing. */
guint
lab_timeline_lane_first_ending_after (const LabTimelineLane *lane,
                                      double                 t)
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

/* The bar nearest to @t within @tolerance; @index is its span's. */
gboolean
lab_timeline_lane_find_bar (const LabTimelineLane *lane,
                            double                 t,
                            double                 tolerance,
                            guint                 *index)
{
  double best_distance = G_MAXDOUBLE;
  guint lo = 0, hi = lane->bars->len;
  gboolean found = FALSE;

  /* The bars starting before t + tolerance, walked back while one of
   * them may still reach t − tolerance. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (lane->bars, LabTimelineBar, mid).start <= t + tolerance)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (guint i = lo; i > 0; i--)
    {
      const LabTimelineBar *bar = &g_array_index (lane->bars, LabTimelineBar, i - 1);
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

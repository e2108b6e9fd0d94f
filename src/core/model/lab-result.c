/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-result.h"

G_DEFINE_BOXED_TYPE (LabRepetition, lab_repetition, lab_repetition_ref, lab_repetition_unref)

const char *
lab_task_status_to_string (LabTaskStatus status)
{
  switch (status)
    {
    case LAB_TASK_OK:
      return "ok";
    case LAB_TASK_FAILED:
      return "failed";
    case LAB_TASK_CANCELLED:
      return "cancelled";
    default:
      g_return_val_if_reached ("unknown");
    }
}

gboolean
lab_span_ends_task (const LabSpan *span)
{
  g_return_val_if_fail (span != NULL, FALSE);

  return span->stage == LAB_STAGE_TASK || span->stage == LAB_STAGE_STORE || span->status != LAB_TASK_OK;
}

void
lab_span_clear (LabSpan *span)
{
  g_clear_pointer (&span->error, g_free);
}

void
lab_span_copy (const LabSpan *src,
               LabSpan       *dest)
{
  *dest = *src;
  dest->error = g_strdup (src->error);
}

void
lab_span_fail (LabSpan      *span,
               const GError *error)
{
  span->status = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? LAB_TASK_CANCELLED
                                                                          : LAB_TASK_FAILED;
  g_free (span->error);
  span->error = g_strdup (error->message);
}

/* A span's start (+1) or end (-1). */
typedef struct
{
  gint64 time_us;
  int    delta;
} Edge;

static int
compare_edges (gconstpointer a,
               gconstpointer b)
{
  const Edge *x = a, *y = b;

  if (x->time_us != y->time_us)
    return x->time_us < y->time_us ? -1 : 1;
  /* Ends first: a task that ends as another starts did not overlap it. */
  return x->delta - y->delta;
}

/**
 * lab_spans_running_steps:
 * @spans: (element-type LabSpan): spans of one repetition
 *
 * Spans that took no time (tasks cancelled before they started) count
 * for nothing.
 *
 * Returns: (transfer full) (element-type LabRunningStep): the steps
 */
GArray *
lab_spans_running_steps (GArray *spans)
{
  g_autoptr(GArray) edges = NULL;
  GArray *steps;
  guint running = 0;

  g_return_val_if_fail (spans != NULL, NULL);

  edges = g_array_sized_new (FALSE, FALSE, sizeof (Edge), 2 * spans->len);
  for (guint i = 0; i < spans->len; i++)
    {
      const LabSpan *span = &g_array_index (spans, LabSpan, i);
      Edge start = { span->start_us, +1 }, end = { span->end_us, -1 };

      if (span->end_us <= span->start_us)
        continue;
      g_array_append_val (edges, start);
      g_array_append_val (edges, end);
    }
  g_array_sort (edges, compare_edges);

  steps = g_array_new (FALSE, FALSE, sizeof (LabRunningStep));
  for (guint i = 0; i < edges->len; i++)
    {
      const Edge *edge = &g_array_index (edges, Edge, i);
      LabRunningStep step;

      running += edge->delta;
      /* The edges of one instant make one step, or none if they cancel out. */
      if (i + 1 < edges->len && g_array_index (edges, Edge, i + 1).time_us == edge->time_us)
        continue;
      if (steps->len > 0 && g_array_index (steps, LabRunningStep, steps->len - 1).running == running)
        continue;
      step.time_us = edge->time_us;
      step.running = running;
      g_array_append_val (steps, step);
    }
  return steps;
}

guint
lab_spans_max_running (GArray *spans)
{
  g_autoptr(GArray) steps = lab_spans_running_steps (spans);
  guint max = 0;

  for (guint i = 0; i < steps->len; i++)
    max = MAX (max, g_array_index (steps, LabRunningStep, i).running);
  return max;
}

static void
lab_repetition_finalize (LabRepetition *self)
{
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_pointer (&self->gil_intervals, g_array_unref);
  g_clear_pointer (&self->queue_samples, g_array_unref);
}

const char *
lab_gil_state_to_string (LabGilState state)
{
  switch (state)
    {
    case LAB_GIL_HOLD:
      return "hold";
    case LAB_GIL_WAIT:
      return "wait";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * lab_repetition_new:
 *
 * Returns: (transfer full): an empty repetition
 */
LabRepetition *
lab_repetition_new (LabRuntime runtime,
                    LabMode  mode,
                    guint    workers,
                    guint    repeat,
                    gboolean warmup)
{
  LabRepetition *self = g_atomic_rc_box_new0 (LabRepetition);

  self->runtime = runtime;
  self->mode = mode;
  self->workers = workers;
  self->repeat = repeat;
  self->warmup = warmup;
  self->started_at = g_date_time_new_now_utc ();
  self->speedup = NAN;
  self->efficiency = NAN;
  self->startup_s = NAN;
  self->background_busy_s = NAN;
  self->background_cpu = NAN;
  self->spans = g_array_new (FALSE, TRUE, sizeof (LabSpan));
  g_array_set_clear_func (self->spans, (GDestroyNotify) lab_span_clear);
  self->gil_intervals = g_array_new (FALSE, FALSE, sizeof (LabGilInterval));
  self->queue_samples = g_array_new (FALSE, FALSE, sizeof (LabQueueSample));
  return self;
}

LabRepetition *
lab_repetition_ref (LabRepetition *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_atomic_rc_box_acquire (self);
}

void
lab_repetition_unref (LabRepetition *self)
{
  g_return_if_fail (self != NULL);
  g_atomic_rc_box_release_full (self, (GDestroyNotify) lab_repetition_finalize);
}

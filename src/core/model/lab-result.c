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

static void
lab_repetition_finalize (LabRepetition *self)
{
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_pointer (&self->gil_intervals, g_array_unref);
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-stall-meter.h"
#include "lab-stats.h"

struct _LabStallMeter
{
  guint         interval_ms;
  GSource      *timer;
  gint64        due_us;
  GArray       *lateness_ms;  /* double */
};

LabStallMeter *
lab_stall_meter_new (guint interval_ms)
{
  LabStallMeter *self = g_new0 (LabStallMeter, 1);

  self->interval_ms = MAX (1, interval_ms);
  self->lateness_ms = g_array_new (FALSE, FALSE, sizeof (double));
  return self;
}

void
lab_stall_meter_free (LabStallMeter *self)
{
  if (self == NULL)
    return;
  lab_stall_meter_stop (self);
  g_array_unref (self->lateness_ms);
  g_free (self);
}

static gboolean
heartbeat (gpointer user_data)
{
  LabStallMeter *self = user_data;
  gint64 now = g_get_monotonic_time ();
  double late = MAX (0, now - self->due_us) / 1000.0;

  g_array_append_val (self->lateness_ms, late);
  /* The next beat is due an interval after this one ran, so one stall is
   * counted once, not again by every beat it delayed. */
  self->due_us = now + (gint64) self->interval_ms * 1000;
  g_source_set_ready_time (self->timer, self->due_us);
  return G_SOURCE_CONTINUE;
}

static gboolean
heartbeat_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs heartbeat_funcs = { NULL, NULL, heartbeat_dispatch, NULL, NULL, NULL };

/* Starts afresh: earlier samples are dropped. */
void
lab_stall_meter_start (LabStallMeter *self)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  g_return_if_fail (self != NULL);

  lab_stall_meter_stop (self);
  g_array_set_size (self->lateness_ms, 0);

  /* A ready-time source rather than g_timeout: its deadline is exact to the
   * microsecond, so lateness is what the loop added, not timer rounding. */
  self->timer = g_source_new (&heartbeat_funcs, sizeof (GSource));
  g_source_set_name (self->timer, "[lab] stall meter");
  g_source_set_priority (self->timer, G_PRIORITY_HIGH);
  g_source_set_callback (self->timer, heartbeat, self, NULL);
  self->due_us = g_get_monotonic_time () + (gint64) self->interval_ms * 1000;
  g_source_set_ready_time (self->timer, self->due_us);
  g_source_attach (self->timer, context);
}

void
lab_stall_meter_stop (LabStallMeter *self)
{
  g_return_if_fail (self != NULL);

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

guint
lab_stall_meter_get_n_samples (LabStallMeter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->lateness_ms->len;
}

double
lab_stall_meter_get_max_ms (LabStallMeter *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return lab_stats_max ((const double *) self->lateness_ms->data, self->lateness_ms->len);
}

double
lab_stall_meter_get_p99_ms (LabStallMeter *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return lab_stats_percentile ((const double *) self->lateness_ms->data, self->lateness_ms->len, 99);
}

/**
 * lab_stall_meter_describe:
 *
 * Returns: (transfer full): a short sentence for people
 */
char *
lab_stall_meter_describe (LabStallMeter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->lateness_ms->len == 0)
    return g_strdup (_("no measurement of the main loop"));
  return g_strdup_printf (_("max stall %.0f ms, p99 %.0f ms"),
                          lab_stall_meter_get_max_ms (self), lab_stall_meter_get_p99_ms (self));
}

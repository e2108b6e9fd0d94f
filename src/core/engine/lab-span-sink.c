/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-span-sink.h"

/* Wake the coordinator once this many spans wait. */
#define BATCH_SPANS 64

struct _LabSpanSink
{
  GMutex  mutex;
  GCond   cond;
  GArray *pending;   /* LabSpan, under @mutex */
  GArray *batch;     /* LabSpan, the coordinator's */
  gboolean wake;     /* under @mutex: the coordinator should look now */
};

LabSpanSink *
lab_span_sink_new (void)
{
  LabSpanSink *self = g_new0 (LabSpanSink, 1);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->pending = g_array_new (FALSE, FALSE, sizeof (LabSpan));
  self->batch = g_array_new (FALSE, FALSE, sizeof (LabSpan));
  g_array_set_clear_func (self->pending, (GDestroyNotify) lab_span_clear);
  g_array_set_clear_func (self->batch, (GDestroyNotify) lab_span_clear);
  return self;
}

void
lab_span_sink_free (LabSpanSink *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->pending);
  g_array_unref (self->batch);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

void
lab_span_sink_add (LabSpanSink *self,
                   LabSpan     *span,
                   gboolean     urgent)
{
  g_mutex_lock (&self->mutex);
  g_array_append_val (self->pending, *span);
  if (urgent || self->pending->len >= BATCH_SPANS)
    {
      self->wake = TRUE;
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  span->error = NULL;  /* now the sink's */
}

guint
lab_span_sink_deliver (LabSpanSink *self,
                       gint64       timeout_us,
                       LabSpanFunc  func,
                       gpointer     user_data)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  guint ended = 0;

  g_mutex_lock (&self->mutex);
  while (!self->wake && timeout_us > 0 && g_cond_wait_until (&self->cond, &self->mutex, deadline))
    ;
  self->wake = FALSE;
  /* Swap the buffers so that no thread ever waits on our callbacks. */
  {
    GArray *tmp = self->pending;

    self->pending = self->batch;
    self->batch = tmp;
  }
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < self->batch->len; i++)
    {
      const LabSpan *span = &g_array_index (self->batch, LabSpan, i);

      ended += lab_span_ends_task (span);
      func (span, user_data);
    }
  g_array_set_size (self->batch, 0);
  return ended;
}

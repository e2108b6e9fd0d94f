/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lab-pipeline-queue.h"
#include "lab-yield.h"

/* Samples of one queue closer than this merge into one, at first */
#define SAMPLE_GAP_US  1000
#define MAX_SAMPLES    4096

struct _LabQueueSampler
{
  GMutex  mutex;
  gint64  t0;
  gint64  gap_us;
  GArray *samples;                  /* LabQueueSample */
  gint    last[LAB_N_QUEUES];       /* index of each queue's last sample, or -1 */
  guint   length[LAB_N_QUEUES];     /* each queue's length now */
  gboolean seen[LAB_N_QUEUES];
};

LabQueueSampler *
lab_queue_sampler_new (gint64 t0)
{
  LabQueueSampler *self = g_new0 (LabQueueSampler, 1);

  g_mutex_init (&self->mutex);
  self->t0 = t0;
  self->gap_us = SAMPLE_GAP_US;
  self->samples = g_array_new (FALSE, FALSE, sizeof (LabQueueSample));
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    self->last[q] = -1;
  return self;
}

void
lab_queue_sampler_free (LabQueueSampler *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->samples, g_array_unref);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Appends @sample, or raises the last one of its queue to it when that
 * one is younger than the gap. Call with the mutex held. */
static void
merge_sample (LabQueueSampler      *self,
              GArray               *samples,
              gint                 *last,
              const LabQueueSample *sample)
{
  if (last[sample->queue] >= 0)
    {
      LabQueueSample *prev = &g_array_index (samples, LabQueueSample, last[sample->queue]);

      if (sample->time_us - prev->time_us < self->gap_us)
        {
          prev->length = MAX (prev->length, sample->length);
          return;
        }
    }
  g_array_append_val (samples, *sample);
  last[sample->queue] = samples->len - 1;
}

/* Too many samples: twice the gap, and the samples merged again with it. */
static void
thin_samples (LabQueueSampler *self)
{
  g_autoptr(GArray) old = self->samples;

  self->gap_us *= 2;
  self->samples = g_array_sized_new (FALSE, FALSE, sizeof (LabQueueSample), old->len / 2);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    self->last[q] = -1;
  for (guint i = 0; i < old->len; i++)
    merge_sample (self, self->samples, self->last, &g_array_index (old, LabQueueSample, i));
}

static void
sampler_record (LabQueueSampler *self,
                LabQueue         queue,
                guint            length)
{
  LabQueueSample sample = { g_get_monotonic_time () - self->t0, queue, length };

  g_mutex_lock (&self->mutex);
  self->length[queue] = length;
  self->seen[queue] = TRUE;
  merge_sample (self, self->samples, self->last, &sample);
  if (self->samples->len > MAX_SAMPLES)
    thin_samples (self);
  g_mutex_unlock (&self->mutex);
}

GArray *
lab_queue_sampler_take (LabQueueSampler *self)
{
  gint64 now = g_get_monotonic_time () - self->t0;
  GArray *samples;

  g_mutex_lock (&self->mutex);
  samples = g_steal_pointer (&self->samples);
  self->samples = g_array_new (FALSE, FALSE, sizeof (LabQueueSample));
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    {
      LabQueueSample end = { now, q, self->length[q] };

      self->last[q] = -1;
      if (self->seen[q])
        g_array_append_val (samples, end);
    }
  g_mutex_unlock (&self->mutex);
  return samples;
}

struct _LabPipelineQueue
{
  LabQueue         queue;
  guint            capacity;
  LabQueueSampler *sampler;
  GDestroyNotify   item_free;
  GMutex           mutex;
  GCond            not_full;
  GCond            not_empty;
  GQueue           items;
  gboolean         closed;
  gboolean         aborted;
  int              wake_fd;
};

/**
 * lab_pipeline_queue_new:
 * @sampler: (nullable): where the queue's lengths go
 * @item_free: frees what is left in the queue when it is freed
 *
 * Returns: (transfer full): an open, empty queue of at most @capacity items
 */
LabPipelineQueue *
lab_pipeline_queue_new (LabQueue          queue,
                        guint             capacity,
                        LabQueueSampler  *sampler,
                        GDestroyNotify    item_free)
{
  LabPipelineQueue *self = g_new0 (LabPipelineQueue, 1);

  g_return_val_if_fail (capacity > 0, NULL);

  self->queue = queue;
  self->capacity = capacity;
  self->sampler = sampler;
  self->item_free = item_free;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->not_full);
  g_cond_init (&self->not_empty);
  g_queue_init (&self->items);
  self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (sampler != NULL)
    sampler_record (sampler, queue, 0);
  return self;
}

void
lab_pipeline_queue_free (LabPipelineQueue *self)
{
  if (self == NULL)
    return;
  g_queue_clear_full (&self->items, self->item_free);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->not_full);
  g_cond_clear (&self->not_empty);
  g_free (self);
}

/* Call with the mutex held. */
static void
wake_consumers (LabPipelineQueue *self)
{
  guint64 one = 1;

  g_cond_broadcast (&self->not_empty);
  if (self->wake_fd >= 0 && write (self->wake_fd, &one, sizeof one) < 0)
    g_debug ("waking a pipeline queue's poller: %s", g_strerror (errno));
}

/* Call with the mutex held, after the length changed. */
static void
record_length (LabPipelineQueue *self)
{
  if (self->sampler != NULL)
    sampler_record (self->sampler, self->queue, self->items.length);
}

gboolean
lab_pipeline_queue_push (LabPipelineQueue *self,
                         gpointer          item)
{
  gboolean blocking = FALSE;
  gboolean taken;

  g_mutex_lock (&self->mutex);
  while (self->items.length >= self->capacity && !self->aborted)
    {
      /* Drop an interpreter lock while we wait, as a Python thread
       * blocked on queue.put() does; outside the mutex, as taking the
       * lock back may wait for another thread that pushes. */
      if (!blocking)
        {
          g_mutex_unlock (&self->mutex);
          lab_yield_blocking_begin ();
          blocking = TRUE;
          g_mutex_lock (&self->mutex);
          continue;
        }
      g_cond_wait (&self->not_full, &self->mutex);
    }
  taken = !self->aborted;
  if (taken)
    {
      g_assert (!self->closed);
      g_queue_push_tail (&self->items, item);
      record_length (self);
      wake_consumers (self);
    }
  g_mutex_unlock (&self->mutex);
  if (blocking)
    lab_yield_blocking_end ();
  return taken;
}

/* Call with the mutex held. */
static gpointer
take_head (LabPipelineQueue *self)
{
  gpointer item = g_queue_pop_head (&self->items);

  if (item != NULL)
    {
      record_length (self);
      g_cond_signal (&self->not_full);
    }
  return item;
}

gpointer
lab_pipeline_queue_pop (LabPipelineQueue *self)
{
  gpointer item = NULL;

  g_mutex_lock (&self->mutex);
  while (g_queue_is_empty (&self->items) && !self->closed && !self->aborted)
    g_cond_wait (&self->not_empty, &self->mutex);
  if (!self->aborted)
    item = take_head (self);
  g_mutex_unlock (&self->mutex);
  return item;
}

gpointer
lab_pipeline_queue_try_pop (LabPipelineQueue *self)
{
  gpointer item = NULL;

  g_mutex_lock (&self->mutex);
  if (!self->aborted)
    item = take_head (self);
  g_mutex_unlock (&self->mutex);
  return item;
}

gboolean
lab_pipeline_queue_has_more (LabPipelineQueue *self)
{
  gboolean more;

  g_mutex_lock (&self->mutex);
  more = !self->aborted && (!self->closed || !g_queue_is_empty (&self->items));
  g_mutex_unlock (&self->mutex);
  return more;
}

void
lab_pipeline_queue_close (LabPipelineQueue *self)
{
  g_mutex_lock (&self->mutex);
  self->closed = TRUE;
  wake_consumers (self);
  g_mutex_unlock (&self->mutex);
}

void
lab_pipeline_queue_abort (LabPipelineQueue *self)
{
  g_mutex_lock (&self->mutex);
  self->aborted = TRUE;
  wake_consumers (self);
  g_cond_broadcast (&self->not_full);
  g_mutex_unlock (&self->mutex);
}

int
lab_pipeline_queue_get_wake_fd (LabPipelineQueue *self)
{
  return self->wake_fd;
}

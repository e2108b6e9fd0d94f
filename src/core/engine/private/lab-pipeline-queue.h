/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-result.h"

G_BEGIN_DECLS

/*
 * LabQueueSampler: the lengths of a repetition's queues over time
 * (LabQueueSample), recorded at every push and pop from any thread. To
 * keep a repetition to a few thousand samples, the changes of one queue
 * within a short gap make one sample holding the most it held then; the
 * gap doubles whenever the samples get too many.
 */
typedef struct _LabQueueSampler LabQueueSampler;

LabQueueSampler *lab_queue_sampler_new  (gint64           t0);
void             lab_queue_sampler_free (LabQueueSampler *self);
/* The samples in time order, ending with each queue's length now;
 * (transfer full) */
GArray          *lab_queue_sampler_take (LabQueueSampler *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabQueueSampler, lab_queue_sampler_free)

/*
 * LabPipelineQueue: a bounded queue between two stages of the pipeline
 * (mutex and conditions): a producer waits while it is full, so that
 * memory stays flat however many documents there are. A producer closes
 * it when no more will come; a consumer then takes what is left and gets
 * NULL. Aborting (a cancel) wakes everyone: pushes fail, pops return
 * NULL. Waiting to push is a blocking region (lab-yield.h): a thread
 * behind the emulated GIL lets the others run meanwhile.
 */
typedef struct _LabPipelineQueue LabPipelineQueue;

LabPipelineQueue *lab_pipeline_queue_new       (LabQueue          queue,
                                                guint             capacity,
                                                LabQueueSampler  *sampler,
                                                GDestroyNotify    item_free);
void              lab_pipeline_queue_free      (LabPipelineQueue *self);
/* Takes @item, or returns FALSE (the item still the caller's) when aborted. */
gboolean          lab_pipeline_queue_push      (LabPipelineQueue *self,
                                                gpointer          item);
/* The oldest item, waiting for one; NULL once closed and empty, or aborted. */
gpointer          lab_pipeline_queue_pop       (LabPipelineQueue *self);
/* The oldest item if there is one, without waiting. */
gpointer          lab_pipeline_queue_try_pop   (LabPipelineQueue *self);
/* Whether items may still come: not aborted, and open or not empty. */
gboolean          lab_pipeline_queue_has_more  (LabPipelineQueue *self);
void              lab_pipeline_queue_close     (LabPipelineQueue *self);
void              lab_pipeline_queue_abort     (LabPipelineQueue *self);
/* An eventfd, readable after each push, close and abort: for a consumer
 * that polls (LabPoolFeed). -1 when none could be made. */
int               lab_pipeline_queue_get_wake_fd (LabPipelineQueue *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabPipelineQueue, lab_pipeline_queue_free)

G_END_DECLS

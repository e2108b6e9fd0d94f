/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-document.h"
#include "lab-pipeline-queue.h"
#include "lab-span-sink.h"

G_BEGIN_DECLS

/* What the analysis stage hands to the storing thread. */
typedef struct
{
  LabDocumentRow row;
  gint64         queued_us;   /* when it entered the queue (monotonic µs) */
} LabPipelineRow;

/*
 * LabPipelineStore: the one storing thread of a repetition. It takes rows
 * from a queue, writes each to a CSV file as it comes (one write per row)
 * and reports a LAB_STAGE_STORE span for it, which carries the row's
 * checksum. The file is @dir/@name, or when @dir is NULL @name in a new
 * temporary folder under the user's cache folder
 * (…/concurrency-lab/pipeline-XXXXXX), removed by
 * lab_pipeline_store_finish() however the repetition ended.
 */
typedef struct _LabPipelineStore LabPipelineStore;

LabPipelineStore *lab_pipeline_store_start    (const char        *dir,
                                               const char        *name,
                                               LabPipelineQueue  *rows,
                                               LabSpanSink       *sink,
                                               gint64             t0,
                                               GError           **error);
/* Waits for the thread, which ends once @rows is closed and empty or
 * aborted, closes the file and removes a temporary folder. FALSE with
 * @error set when the file could not be completed. Frees @self. */
gboolean          lab_pipeline_store_finish   (LabPipelineStore  *self,
                                               GError           **error);
/* The file the rows go to. */
const char       *lab_pipeline_store_get_path (LabPipelineStore  *self);

G_END_DECLS

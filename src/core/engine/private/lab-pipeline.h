/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-executor.h"

G_BEGIN_DECLS

/* Each bounded queue holds at most this many items per worker. */
#define LAB_PIPELINE_QUEUE_PER_WORKER 2

/*
 * LabPipeline: the pipeline workload in one of its shapes. Every
 * document is downloaded, analysed and stored; every shape stores through
 * one storing thread fed by a bounded queue (LabPipelineStore):
 *
 *   sequential  the executor's thread downloads and analyses each document
 *   threads     W threads each download and analyse documents
 *   gil         the same, behind the emulated GIL: held while analysing,
 *               released while waiting for the network or a full queue
 *   processes   W worker processes each download and analyse documents
 *               and answer with the row
 *   hybrid      W threads download into a bounded queue, W worker
 *               processes analyse the documents sent to them on their pipe
 *
 * Each document yields a span per stage it went through; the store's
 * spans carry the rows' checksums, so that a repetition's checksum is the
 * same in every shape, and the downloads carry the bytes.
 */
typedef struct _LabPipeline LabPipeline;

LabPipeline *lab_pipeline_new        (const LabRunConfig   *config,
                                      LabMode               mode,
                                      guint                 workers,
                                      GError              **error);
void         lab_pipeline_free       (LabPipeline          *self);
/* Runs every document once, as lab_executor_run() runs the tasks; @rep
 * names the file the rows go to. */
gboolean     lab_pipeline_run        (LabPipeline          *self,
                                      const LabRepetition  *rep,
                                      gint64                t0,
                                      LabSpanFunc           func,
                                      gpointer              user_data,
                                      GCancellable         *cancellable,
                                      LabExecutorUsage     *usage,
                                      GError              **error);
/* The name of the file that keeps the rows of a repetition in the run
 * config's store_dir: "pipeline-threads-w4-rep1.csv", or for the
 * warm-ups, which replace each other, "pipeline-threads-w4-warmup.csv". */
char        *lab_pipeline_store_name (LabMode               mode,
                                      guint                 workers,
                                      guint                 repeat,
                                      gboolean              warmup);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabPipeline, lab_pipeline_free)

G_END_DECLS

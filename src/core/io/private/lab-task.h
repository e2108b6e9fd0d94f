/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "lab-document.h"
#include "lab-result.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabTaskRunner:
 *
 * Runs the tasks of one workload in the calling thread, with whatever
 * resources the workload needs (for downloads a shared SoupSession sized
 * for @concurrency). lab_task_runner_run() may be called from several
 * threads at once. Used by the sequential and threads executors and by
 * the worker process.
 */
typedef struct _LabTaskRunner LabTaskRunner;

LabTaskRunner *lab_task_runner_new  (const LabWorkload *workload,
                                     guint              concurrency);
void           lab_task_runner_free (LabTaskRunner     *self);
/* Runs task @task; @argument is what the task works on beyond its index
 * (its URL for downloads; NULL: lab_workload_task_argument()). Fills
 * span->start_us/end_us (absolute monotonic µs), tid, pid, bytes, checksum,
 * http_status, status and error. */
void           lab_task_runner_run  (LabTaskRunner     *self,
                                     guint              task,
                                     const char        *argument,
                                     GCancellable      *cancellable,
                                     LabSpan           *span);
/* The pipeline's stages before storing (the workload's kind is
 * LAB_WORKLOAD_PIPELINE): fetch document @task (from @url, or NULL: the
 * workload's URL for it) and keep its bytes, analyse bytes, or both. */
gboolean       lab_task_runner_fetch_document   (LabTaskRunner  *self,
                                                 guint           task,
                                                 const char     *url,
                                                 GCancellable   *cancellable,
                                                 LabSpan        *span,
                                                 GBytes        **body);
gboolean       lab_task_runner_analyse_document (LabTaskRunner  *self,
                                                 guint           task,
                                                 const guint8   *data,
                                                 gsize           len,
                                                 GCancellable   *cancellable,
                                                 LabSpan        *span,
                                                 LabDocumentRow *row);
gboolean       lab_task_runner_run_document     (LabTaskRunner  *self,
                                                 guint           task,
                                                 const char     *url,
                                                 GCancellable   *cancellable,
                                                 LabSpan        *download_span,
                                                 LabSpan        *analyse_span,
                                                 LabDocumentRow *row);
const LabWorkload *lab_task_runner_get_workload (LabTaskRunner *self);
SoupSession   *lab_task_runner_get_session  (LabTaskRunner     *self);

gint64         lab_thread_id        (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabTaskRunner, lab_task_runner_free)

G_END_DECLS

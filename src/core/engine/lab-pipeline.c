/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lab-gil.h"
#include "lab-pipeline-queue.h"
#include "lab-pipeline-store.h"
#include "lab-pipeline.h"
#include "lab-span-sink.h"
#include "lab-thread-pool.h"

/* How long the executor's thread waits for spans before it looks again. */
#define DELIVER_WAIT_US (20 * G_TIME_SPAN_MILLISECOND)

struct _LabPipeline
{
  const LabRunConfig *config;
  LabMode             mode;
  guint               workers;
  LabTaskRunner      *runner;     /* downloads, and analyses in this process */
  LabGil             *gil;        /* gil */
  LabThreadPool      *threads;    /* threads, gil: whole documents; hybrid: downloads */
  LabWorkerPool      *processes;  /* processes: whole documents; hybrid: analyses */
};

/* A document downloaded and waiting for analysis (hybrid). */
typedef struct
{
  guint   task;
  GBytes *document;
} Downloaded;

static void
downloaded_free (Downloaded *item)
{
  g_bytes_unref (item->document);
  g_free (item);
}

/* One repetition. The executor's thread alone calls @func. */
typedef struct
{
  LabPipeline       *self;
  const LabWorkload *workload;
  gint64             t0;
  GCancellable      *cancellable;
  LabSpanFunc        func;
  gpointer           user_data;
  LabSpanSink       *sink;
  LabQueueSampler   *sampler;
  LabPipelineQueue  *downloaded;     /* hybrid only */
  LabPipelineQueue  *analysed;
  gint64            *downloaded_at;  /* hybrid: when each document entered @downloaded */
  gint               tasks_left;     /* atomic: thread tasks not done; the last closes its queue */
  guint              ended;          /* documents whose last span was delivered */
} Rep;

LabPipeline *
lab_pipeline_new (const LabRunConfig  *config,
                  LabMode              mode,
                  guint                workers,
                  GError             **error)
{
  g_autoptr(LabPipeline) self = g_new0 (LabPipeline, 1);
  gboolean threads = mode == LAB_MODE_THREADS || mode == LAB_MODE_GIL || mode == LAB_MODE_HYBRID;

  g_return_val_if_fail (config->workload->kind == LAB_WORKLOAD_PIPELINE, NULL);

  self->config = config;
  self->mode = mode;
  self->workers = mode == LAB_MODE_SEQUENTIAL ? 1 : workers;
  if (mode != LAB_MODE_SEQUENTIAL && !threads && mode != LAB_MODE_PROCESSES)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("The mode “%s” cannot run the pipeline"), lab_mode_to_string (mode));
      return NULL;
    }
  if (mode != LAB_MODE_PROCESSES)
    self->runner = lab_task_runner_new (config->workload, self->workers);
  if (mode == LAB_MODE_GIL)
    self->gil = lab_gil_new (workers, LAB_GIL_SWITCH_INTERVAL_US);
  if (threads && (self->threads = lab_thread_pool_new (workers, config->worker_nice, self->gil, error)) == NULL)
    return NULL;
  if ((mode == LAB_MODE_PROCESSES || mode == LAB_MODE_HYBRID) &&
      (self->processes = lab_worker_pool_new (config->worker_path, workers, 0, config->worker_nice, error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
lab_pipeline_free (LabPipeline *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->processes, lab_worker_pool_free);
  g_clear_pointer (&self->threads, lab_thread_pool_free);
  g_clear_pointer (&self->gil, lab_gil_free);
  g_clear_pointer (&self->runner, lab_task_runner_free);
  g_free (self);
}

char *
lab_pipeline_store_name (LabMode  mode,
                         guint    workers,
                         guint    repeat,
                         gboolean warmup)
{
  if (warmup)
    return g_strdup_printf ("pipeline-%s-w%u-warmup.csv", lab_mode_to_string (mode), workers);
  return g_strdup_printf ("pipeline-%s-w%u-rep%u.csv", lab_mode_to_string (mode), workers, repeat);
}

/* Spans made with absolute times, from the repetition's start instead. */
static void
make_relative (Rep     *rep,
               LabSpan *span,
               guint    lane,
               gint64   queued_us)
{
  span->worker = lane;
  span->queued_us = queued_us - rep->t0;
  span->start_us -= rep->t0;
  span->end_us -= rep->t0;
}

/* From the executor's thread. */
static void
deliver (Rep     *rep,
         LabSpan *span)
{
  rep->ended += lab_span_ends_task (span);
  rep->func (span, rep->user_data);
  lab_span_clear (span);
}

/* From the executor's thread: the spans other threads reported. */
static void
deliver_reported (Rep    *rep,
                  gint64  timeout_us)
{
  rep->ended += lab_span_sink_deliver (rep->sink, timeout_us, rep->func, rep->user_data);
}

/* Hands @row to the storing thread; FALSE when the repetition stops. */
static gboolean
push_row (Rep                  *rep,
          const LabDocumentRow *row)
{
  LabPipelineRow *item = g_new (LabPipelineRow, 1);

  item->row = *row;
  item->queued_us = g_get_monotonic_time ();
  if (lab_pipeline_queue_push (rep->analysed, item))
    return TRUE;
  g_free (item);
  return FALSE;
}

/* A thread task is done: the last one closes the queue it fills. */
static void
thread_task_done (Rep              *rep,
                  LabPipelineQueue *fills)
{
  if (g_atomic_int_dec_and_test (&rep->tasks_left))
    lab_pipeline_queue_close (fills);
}

/* threads, gil: a thread downloads and analyses a document; behind the
 * GIL the download's span includes the wait for the lock. */
static void
document_task (const LabThreadTask *task,
               gpointer             user_data)
{
  Rep *rep = user_data;
  LabSpan download = { 0 }, analyse = { 0 };
  LabDocumentRow row;
  gboolean ok;

  if (!g_cancellable_is_cancelled (rep->cancellable))
    {
      lab_thread_pool_enter (rep->self->threads, task);
      ok = lab_task_runner_run_document (rep->self->runner, task->task, NULL, rep->cancellable,
                                         &download, &analyse, &row);
      lab_thread_pool_leave (rep->self->threads);
      if (rep->self->gil != NULL)
        download.start_us = task->picked_us;
      make_relative (rep, &download, task->lane, task->queued_us);
      lab_span_sink_add (rep->sink, &download, FALSE);
      if (download.status == LAB_TASK_OK)
        {
          make_relative (rep, &analyse, task->lane, analyse.start_us);
          lab_span_sink_add (rep->sink, &analyse, FALSE);
        }
      if (ok)
        push_row (rep, &row);
      lab_span_clear (&download);
      lab_span_clear (&analyse);
    }
  thread_task_done (rep, rep->analysed);
}

/* hybrid: a thread downloads a document into the queue of the analysis. */
static void
download_task (const LabThreadTask *task,
               gpointer             user_data)
{
  Rep *rep = user_data;
  LabSpan span = { 0 };
  Downloaded *item;

  if (!g_cancellable_is_cancelled (rep->cancellable))
    {
      item = g_new0 (Downloaded, 1);
      item->task = task->task;
      lab_task_runner_fetch_document (rep->self->runner, task->task, NULL, rep->cancellable, &span,
                                      &item->document);
      make_relative (rep, &span, task->lane, task->queued_us);
      lab_span_sink_add (rep->sink, &span, FALSE);
      rep->downloaded_at[task->task] = g_get_monotonic_time ();
      if (item->document == NULL || !lab_pipeline_queue_push (rep->downloaded, item))
        g_clear_pointer (&item, downloaded_free);
      lab_span_clear (&span);
    }
  thread_task_done (rep, rep->downloaded);
}

/* The analysis a worker sent with its result. */
static gboolean
reply_row (const LabSpan    *span,
           const LabMessage *reply,
           LabDocumentRow   *row)
{
  if (reply == NULL || !reply->ok || !reply->analysed)
    return FALSE;
  *row = (LabDocumentRow) {
    .doc = span->task,
    .bytes = reply->bytes,
    .words = reply->words,
    .word_length_sum = reply->word_length_sum,
  };
  memcpy (row->digest, reply->digest, sizeof row->digest);
  return TRUE;
}

/* A worker's answer that is not an analysis, when it should have been. */
static void
fail_without_analysis (LabSpan *span)
{
  g_autoptr(GError) error = g_error_new_literal (LAB_ERROR, LAB_ERROR_PROTOCOL,
                                                 _("the worker did not send the document’s analysis"));

  lab_span_fail (span, error);
}

/* processes: a worker downloaded and analysed a document; its one span
 * becomes the two stages'. */
static void
document_result (const LabSpan    *span,
                 const LabMessage *reply,
                 gpointer          user_data)
{
  Rep *rep = user_data;
  LabSpan download, analyse;
  LabDocumentRow row;
  gboolean ok = reply_row (span, reply, &row);

  lab_span_copy (span, &download);
  download.stage = LAB_STAGE_DOWNLOAD;
  download.checksum = 0;
  if (reply != NULL && reply->ok && !ok)
    fail_without_analysis (&download);
  if (ok)
    {
      analyse = download;
      analyse.error = NULL;
      analyse.stage = LAB_STAGE_ANALYSE;
      analyse.bytes = 0;
      analyse.http_status = 0;
      analyse.queued_us = download.end_us = reply->analysis_start_us - rep->t0;
      analyse.start_us = analyse.queued_us;
    }
  deliver (rep, &download);
  if (ok)
    {
      deliver (rep, &analyse);
      push_row (rep, &row);
    }
  deliver_reported (rep, 0);
}

/* hybrid: a worker analysed a document sent to it. */
static void
analysis_result (const LabSpan    *span,
                 const LabMessage *reply,
                 gpointer          user_data)
{
  Rep *rep = user_data;
  LabSpan analyse;
  LabDocumentRow row;
  gboolean ok = reply_row (span, reply, &row);

  lab_span_copy (span, &analyse);
  analyse.stage = LAB_STAGE_ANALYSE;
  analyse.checksum = 0;
  analyse.bytes = 0;
  analyse.queued_us = rep->downloaded_at[span->task] - rep->t0;
  if (reply != NULL && reply->ok && !ok)
    fail_without_analysis (&analyse);
  deliver (rep, &analyse);
  if (ok)
    push_row (rep, &row);
  deliver_reported (rep, 0);
}

/* The analysis processes' feed: the downloaded documents' queue. */
static gboolean
feed_next (gpointer   user_data,
           guint     *task,
           GBytes   **document)
{
  Rep *rep = user_data;
  Downloaded *item = lab_pipeline_queue_try_pop (rep->downloaded);

  if (item == NULL)
    return FALSE;
  *task = item->task;
  *document = g_steal_pointer (&item->document);
  downloaded_free (item);
  return TRUE;
}

static gboolean
feed_more (gpointer user_data)
{
  Rep *rep = user_data;

  return lab_pipeline_queue_has_more (rep->downloaded);
}

static gboolean
run_sequential (Rep *rep)
{
  for (guint task = 0; task < rep->workload->tasks; task++)
    {
      LabSpan download = { 0 }, analyse = { 0 };
      LabDocumentRow row;
      gboolean ok;

      if (g_cancellable_is_cancelled (rep->cancellable))
        return FALSE;
      ok = lab_task_runner_run_document (rep->self->runner, task, NULL, rep->cancellable,
                                         &download, &analyse, &row);
      make_relative (rep, &download, 0, rep->t0);
      deliver (rep, &download);
      if (analyse.start_us != 0)
        {
          make_relative (rep, &analyse, 0, analyse.start_us);
          deliver (rep, &analyse);
        }
      if (ok && !push_row (rep, &row))
        return FALSE;
      deliver_reported (rep, 0);
    }
  return TRUE;
}

/* Starts the shape's stages before the storing; FALSE with @error set
 * when they could not run. */
static gboolean
run_stages (Rep     *rep,
            GError **error)
{
  LabPipeline *self = rep->self;
  const LabPoolFeed feed = {
    feed_next, feed_more,
    rep->downloaded != NULL ? lab_pipeline_queue_get_wake_fd (rep->downloaded) : -1, rep,
  };
  gboolean ok = TRUE;

  switch (self->mode)
    {
    case LAB_MODE_SEQUENTIAL:
      ok = run_sequential (rep);
      break;
    case LAB_MODE_THREADS:
    case LAB_MODE_GIL:
      lab_thread_pool_start (self->threads, rep->workload->tasks, document_task, rep);
      return TRUE;
    case LAB_MODE_PROCESSES:
      ok = lab_worker_pool_run_full (self->processes, rep->workload, self->config->task_timeout_ms, rep->t0,
                                     NULL, document_result, rep, rep->cancellable, error);
      break;
    case LAB_MODE_HYBRID:
      lab_thread_pool_start (self->threads, rep->workload->tasks, download_task, rep);
      ok = lab_worker_pool_run_full (self->processes, rep->workload, self->config->task_timeout_ms, rep->t0,
                                     &feed, analysis_result, rep, rep->cancellable, error);
      break;
    default:
      g_assert_not_reached ();
    }
  /* The stages in this thread are over: no more rows. */
  lab_pipeline_queue_close (rep->analysed);
  return ok;
}

static void
abort_queues (GCancellable *cancellable,
              Rep          *rep)
{
  if (rep->downloaded != NULL)
    lab_pipeline_queue_abort (rep->downloaded);
  lab_pipeline_queue_abort (rep->analysed);
}

/* Everything the repetition measured beyond its spans. */
static void
take_usage (Rep              *rep,
            LabExecutorUsage *usage)
{
  LabPipeline *self = rep->self;
  guint capacity = LAB_PIPELINE_QUEUE_PER_WORKER * self->workers;

  if (self->processes != NULL)
    lab_worker_pool_take_usage (self->processes, &usage->user_us, &usage->sys_us, &usage->peak_rss_kib);
  if (self->gil != NULL)
    usage->gil_intervals = lab_gil_take_intervals (self->gil);
  usage->queue_samples = lab_queue_sampler_take (rep->sampler);
  usage->queue_capacity[LAB_QUEUE_ANALYSED] = capacity;
  usage->queue_capacity[LAB_QUEUE_DOWNLOADED] = rep->downloaded != NULL ? capacity : 0;
}

gboolean
lab_pipeline_run (LabPipeline          *self,
                  const LabRepetition  *rep_info,
                  gint64                t0,
                  LabSpanFunc           func,
                  gpointer              user_data,
                  GCancellable         *cancellable,
                  LabExecutorUsage     *usage,
                  GError              **error)
{
  const LabWorkload *workload = self->config->workload;
  guint capacity = LAB_PIPELINE_QUEUE_PER_WORKER * self->workers;
  g_autofree char *name = lab_pipeline_store_name (self->mode, rep_info->workers, rep_info->repeat,
                                                   rep_info->warmup);
  g_autoptr(LabSpanSink) sink = lab_span_sink_new ();
  g_autoptr(LabQueueSampler) sampler = lab_queue_sampler_new (t0);
  g_autoptr(LabPipelineQueue) analysed = lab_pipeline_queue_new (LAB_QUEUE_ANALYSED, capacity, sampler, g_free);
  g_autoptr(LabPipelineQueue) downloaded = NULL;
  g_autofree gint64 *downloaded_at = NULL;
  g_autoptr(GError) store_error = NULL;
  LabPipelineStore *store;
  gulong cancel_id = 0;
  gboolean ok;
  Rep rep = {
    .self = self, .workload = workload, .t0 = t0, .cancellable = cancellable,
    .func = func, .user_data = user_data, .sink = sink, .sampler = sampler,
    .analysed = analysed, .tasks_left = workload->tasks,
  };

  if (self->mode == LAB_MODE_HYBRID)
    {
      rep.downloaded = downloaded = lab_pipeline_queue_new (LAB_QUEUE_DOWNLOADED, capacity, sampler,
                                                            (GDestroyNotify) downloaded_free);
      rep.downloaded_at = downloaded_at = g_new0 (gint64, workload->tasks);
    }
  store = lab_pipeline_store_start (self->config->store_dir, name, analysed, sink, t0, error);
  if (store == NULL)
    return FALSE;
  if (self->gil != NULL)
    lab_gil_begin_repetition (self->gil, t0);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (abort_queues), &rep, NULL);

  ok = run_stages (&rep, error);
  while (ok && rep.ended < workload->tasks && !g_cancellable_is_cancelled (cancellable))
    deliver_reported (&rep, DELIVER_WAIT_US);

  /* However it ended, nothing may still use the repetition when it goes. */
  if (!ok || g_cancellable_is_cancelled (cancellable))
    abort_queues (cancellable, &rep);
  if (self->threads != NULL)
    lab_thread_pool_wait (self->threads);
  g_cancellable_disconnect (cancellable, cancel_id);
  if (!lab_pipeline_store_finish (store, &store_error) && ok)
    {
      g_propagate_error (error, g_steal_pointer (&store_error));
      ok = FALSE;
    }
  deliver_reported (&rep, 0);
  take_usage (&rep, usage);

  /* A cancel is an error, whichever stage noticed it first. */
  if (ok || (error != NULL && *error == NULL))
    ok = !g_cancellable_set_error_if_cancelled (cancellable, error) && ok;
  return ok;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-async-executor.h"
#include "lab-executor.h"
#include "lab-gil.h"
#include "lab-gtask-executor.h"
#include "lab-pipeline.h"
#include "lab-span-sink.h"
#include "lab-thread-pool.h"

struct _LabExecutor
{
  const LabRunConfig *config;
  LabRuntime          runtime;
  LabMode             mode;
  double              startup_s;
  guint               workers;
  LabTaskRunner      *runner;     /* sequential, threads */
  LabWorkerPool      *pool;       /* processes, spawn */
  LabThreadPool      *threads;    /* threads, gil */
  LabAsyncExecutor   *async;      /* async */
  LabGil             *gil;        /* gil */
  LabGTaskExecutor   *gtask;      /* gtask */
  LabPipeline        *pipeline;   /* the pipeline workload, every mode */
};

/* One repetition of the threads (and gil) mode. */
typedef struct
{
  LabExecutor  *self;
  gint64        t0;
  GCancellable *cancellable;
  LabSpanSink  *sink;
} ThreadsRun;

/* A task in a pool thread; in mode gil it holds the lock throughout, and
 * its span covers the waits for it and ends when it lets go. */
static void
threads_task (const LabThreadTask *task,
              gpointer             user_data)
{
  ThreadsRun *run = user_data;
  LabTaskRunner *runner = run->self->runner;
  LabSpan span = { 0 };

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      span.task = task->task;
      span.status = LAB_TASK_CANCELLED;
      span.start_us = span.end_us = g_get_monotonic_time ();
    }
  else
    {
      lab_thread_pool_enter (run->self->threads, task);
      lab_task_runner_run (runner, task->task,
                           lab_workload_task_argument (lab_task_runner_get_workload (runner), task->task),
                           run->cancellable, &span);
      lab_thread_pool_leave (run->self->threads);
    }
  if (run->self->gil != NULL)
    {
      span.start_us = task->picked_us;
      span.end_us = g_get_monotonic_time ();
    }
  span.worker = task->lane;
  span.queued_us = task->queued_us - run->t0;
  span.start_us -= run->t0;
  span.end_us -= run->t0;
  lab_span_sink_add (run->sink, &span, lab_thread_pool_draining (run->self->threads));
}

static gboolean
run_threads (LabExecutor  *self,
             gint64        t0,
             LabSpanFunc   func,
             gpointer      user_data,
             GCancellable *cancellable)
{
  g_autoptr(LabSpanSink) sink = lab_span_sink_new ();
  ThreadsRun run = { self, t0, cancellable, sink };
  guint tasks = self->config->workload->tasks;
  guint received = 0;

  lab_thread_pool_start (self->threads, tasks, threads_task, &run);
  while (received < tasks)
    received += lab_span_sink_deliver (sink, 20 * G_TIME_SPAN_MILLISECOND, func, user_data);
  lab_thread_pool_wait (self->threads);
  return !g_cancellable_is_cancelled (cancellable);
}

static gboolean
run_sequential (LabExecutor  *self,
                gint64        t0,
                LabSpanFunc   func,
                gpointer      user_data,
                GCancellable *cancellable)
{
  const LabWorkload *workload = self->config->workload;

  for (guint task = 0; task < workload->tasks; task++)
    {
      LabSpan span = { 0 };

      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      span.queued_us = 0;
      lab_task_runner_run (self->runner, task, lab_workload_task_argument (workload, task),
                           cancellable, &span);
      span.start_us -= t0;
      span.end_us -= t0;
      func (&span, user_data);
      lab_span_clear (&span);
    }
  return !g_cancellable_is_cancelled (cancellable);
}

/* A Python interpreter runs the cell: each mode is a pool of interpreter
 * processes speaking the worker protocol, run the way the articles run
 * them (one interpreter with a thread pool or an asyncio loop, or one
 * interpreter per worker process). */
static LabWorkerPool *
python_pool_new (const LabRunConfig  *config,
                 LabRuntime           runtime,
                 LabMode              mode,
                 guint                workers,
                 GError             **error)
{
  const LabInterpreter *interpreter = config->interpreters[runtime];
  g_autofree char *count = g_strdup_printf ("%u", workers);
  const char *threads[] = { "--threads", count, NULL };
  const char *event_loop[] = { "--asyncio", count, NULL };
  g_auto(GStrv) argv = NULL;

  g_assert (interpreter != NULL);

  switch (mode)
    {
    case LAB_MODE_SEQUENTIAL:
      argv = lab_interpreter_dup_argv (interpreter, NULL);
      return lab_worker_pool_new_full ((const char * const *) argv, 1, 1, LAB_POOL_LANES_SLOT, 0,
                                       config->worker_nice, error);
    case LAB_MODE_THREADS:
      argv = lab_interpreter_dup_argv (interpreter, threads);
      return lab_worker_pool_new_full ((const char * const *) argv, 1, workers, LAB_POOL_LANES_THREAD, 0,
                                       config->worker_nice, error);
    case LAB_MODE_ASYNC:
      argv = lab_interpreter_dup_argv (interpreter, event_loop);
      return lab_worker_pool_new_full ((const char * const *) argv, 1, workers, LAB_POOL_LANES_PACKED, 0,
                                       config->worker_nice, error);
    case LAB_MODE_PROCESSES:
    case LAB_MODE_SPAWN:
      argv = lab_interpreter_dup_argv (interpreter, NULL);
      return lab_worker_pool_new_full ((const char * const *) argv, workers, 1, LAB_POOL_LANES_SLOT,
                                       mode == LAB_MODE_SPAWN ? 1 : 0, config->worker_nice, error);
    case LAB_MODE_GIL:
    case LAB_MODE_GTASK:
    case LAB_N_MODES:
    default:
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("The runtime “%s” has no mode “%s”"), lab_runtime_to_string (runtime),
                   lab_mode_to_string (mode));
      return NULL;
    }
}

/* The native engine's threads, worker processes or event loop for the
 * cell's mode. */
static gboolean
native_prepare (LabExecutor  *self,
                GError      **error)
{
  switch (self->mode)
    {
    case LAB_MODE_SEQUENTIAL:
      self->runner = lab_task_runner_new (self->config->workload, 1);
      break;

    case LAB_MODE_THREADS:
    case LAB_MODE_GIL:
      self->runner = lab_task_runner_new (self->config->workload, self->workers);
      if (self->mode == LAB_MODE_GIL)
        self->gil = lab_gil_new (self->workers, LAB_GIL_SWITCH_INTERVAL_US);
      self->threads = lab_thread_pool_new (self->workers, self->config->worker_nice, self->gil, error);
      if (self->threads == NULL)
        return FALSE;
      break;

    case LAB_MODE_PROCESSES:
    case LAB_MODE_SPAWN:
      self->pool = lab_worker_pool_new (self->config->worker_path, self->workers,
                                        self->mode == LAB_MODE_SPAWN ? 1 : 0,
                                        self->config->worker_nice, error);
      if (self->pool == NULL)
        return FALSE;
      break;

    case LAB_MODE_ASYNC:
      if (self->config->workload->kind == LAB_WORKLOAD_CPU)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("The mode “%s” cannot run this workload"), lab_mode_to_string (self->mode));
          return FALSE;
        }
      self->async = lab_async_executor_new (self->config->workload, self->workers);
      break;

    case LAB_MODE_GTASK:
      if (self->config->workload->kind == LAB_WORKLOAD_CPU)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("The mode “%s” cannot run this workload"), lab_mode_to_string (self->mode));
          return FALSE;
        }
      /* GLib's threads are shared: the workers' niceness is not ours to set. */
      self->gtask = lab_gtask_executor_new (self->config->workload, self->workers);
      break;

    case LAB_N_MODES:
    default:
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("The mode “%s” cannot run this workload"), lab_mode_to_string (self->mode));
      return FALSE;
    }
  return TRUE;
}

/**
 * lab_executor_new:
 *
 * Prepares a cell: starts the thread pool, the persistent worker
 * processes or the interpreters.
 *
 * Returns: (transfer full) (nullable): the executor
 */
LabExecutor *
lab_executor_new (const LabRunConfig  *config,
                  LabRuntime           runtime,
                  LabMode              mode,
                  guint                workers,
                  GError             **error)
{
  g_autoptr(LabExecutor) self = g_new0 (LabExecutor, 1);
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  self->config = config;
  self->runtime = runtime;
  self->mode = mode;
  self->workers = workers;

  if (config->workload->kind == LAB_WORKLOAD_PIPELINE)
    ok = (self->pipeline = lab_pipeline_new (config, mode, workers, error)) != NULL;
  else if (runtime == LAB_RUNTIME_NATIVE)
    ok = native_prepare (self, error);
  else
    ok = (self->pool = python_pool_new (config, runtime, mode, workers, error)) != NULL;
  if (!ok)
    return NULL;

  self->startup_s = mode == LAB_MODE_SPAWN ? NAN : (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  return g_steal_pointer (&self);
}

double
lab_executor_get_startup_s (LabExecutor *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return self->startup_s;
}

void
lab_executor_free (LabExecutor *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->pipeline, lab_pipeline_free);
  g_clear_pointer (&self->threads, lab_thread_pool_free);
  g_clear_pointer (&self->gil, lab_gil_free);
  g_clear_pointer (&self->async, lab_async_executor_free);
  g_clear_pointer (&self->gtask, lab_gtask_executor_free);
  g_clear_pointer (&self->pool, lab_worker_pool_free);
  g_clear_pointer (&self->runner, lab_task_runner_free);
  g_free (self);
}

/**
 * lab_executor_run:
 *
 * Runs every task of the workload once. Failed tasks are spans with an
 * error, not a failure of the repetition: FALSE means cancelled, or that
 * the tasks could not be run at all.
 */
gboolean
lab_executor_run (LabExecutor       *self,
                  const LabRepetition *rep,
                  gint64             t0,
                  LabSpanFunc        func,
                  gpointer           user_data,
                  GCancellable      *cancellable,
                  LabExecutorUsage  *usage,
                  GError           **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  *usage = (LabExecutorUsage) { 0 };

  if (self->pipeline != NULL)
    return lab_pipeline_run (self->pipeline, rep, t0, func, user_data, cancellable, usage, error);
  if (self->runtime != LAB_RUNTIME_NATIVE)
    {
      ok = lab_worker_pool_run (self->pool, self->config->workload, self->config->task_timeout_ms,
                                t0, func, user_data, cancellable, error);
      lab_worker_pool_take_usage (self->pool, &usage->user_us, &usage->sys_us, &usage->peak_rss_kib);
      return ok;
    }

  switch (self->mode)
    {
    case LAB_MODE_SEQUENTIAL:
      ok = run_sequential (self, t0, func, user_data, cancellable);
      break;
    case LAB_MODE_THREADS:
      ok = run_threads (self, t0, func, user_data, cancellable);
      break;
    case LAB_MODE_PROCESSES:
    case LAB_MODE_SPAWN:
      ok = lab_worker_pool_run (self->pool, self->config->workload, self->config->task_timeout_ms,
                                t0, func, user_data, cancellable, error);
      lab_worker_pool_take_usage (self->pool, &usage->user_us, &usage->sys_us, &usage->peak_rss_kib);
      return ok;
    case LAB_MODE_ASYNC:
      ok = lab_async_executor_run (self->async, t0, func, user_data, cancellable);
      break;
    case LAB_MODE_GIL:
      lab_gil_begin_repetition (self->gil, t0);
      ok = run_threads (self, t0, func, user_data, cancellable);
      usage->gil_intervals = lab_gil_take_intervals (self->gil);
      break;
    case LAB_MODE_GTASK:
      ok = lab_gtask_executor_run (self->gtask, t0, func, user_data, cancellable);
      break;
    case LAB_N_MODES:
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    g_cancellable_set_error_if_cancelled (cancellable, error);
  return ok;
}

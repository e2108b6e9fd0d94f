/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-bench.h"
#include "lab-machine.h"
#include "lab-run-builder.h"
#include "lab-stats.h"
#include "lab-worker-pool.h"

static gpointer
noop_thread (gpointer data)
{
  return data;
}

double
lab_bench_thread_start_us (guint n,
                           guint repeat)
{
  g_autofree double *per_start = g_new (double, MAX (repeat, 1));

  for (guint r = 0; r < MAX (repeat, 1); r++)
    {
      gint64 t0 = g_get_monotonic_time ();

      for (guint i = 0; i < n; i++)
        g_thread_join (g_thread_new ("lab-bench", noop_thread, NULL));
      per_start[r] = (g_get_monotonic_time () - t0) / (double) n;
    }
  return lab_stats_median (per_start, MAX (repeat, 1));
}

double
lab_bench_raw_spawn_us (const char  *worker_path,
                        guint        n,
                        guint        repeat,
                        GError     **error)
{
  g_autofree char *path = worker_path != NULL ? g_strdup (worker_path) : lab_worker_path_default ();
  g_autofree double *per_spawn = g_new (double, MAX (repeat, 1));
  const char *argv[] = { path, NULL };

  for (guint r = 0; r < MAX (repeat, 1); r++)
    {
      gint64 t0 = g_get_monotonic_time ();

      for (guint i = 0; i < n; i++)
        {
          /* stdin from a closed pipe: the worker greets, sees EOF and exits.
           * Spawned as the pool spawns its workers (posix_spawn). */
          g_autoptr(GSubprocess) process = NULL;

          lab_machine_cloexec_fds ();
          process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                             G_SUBPROCESS_FLAGS_INHERIT_FDS, error);

          if (process == NULL)
            return -1;
          g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
          if (!g_subprocess_wait_check (process, NULL, error))
            return -1;
        }
      per_spawn[r] = (g_get_monotonic_time () - t0) / (double) n;
    }
  return lab_stats_median (per_spawn, MAX (repeat, 1));
}

/**
 * lab_bench_run:
 *
 * Returns: (transfer full) (nullable): the finished run
 */
LabRun *
lab_bench_run (LabRunConfig  *config,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LabRun) run = lab_run_new (config);
  guint failed;
  gboolean ok;

  g_main_context_push_thread_default (context);
  ok = lab_run_execute (run, cancellable, error);
  g_main_context_pop_thread_default (context);

  if (!ok)
    return NULL;
  /* A benchmark's figures stand only when every task, warm-ups included, ran. */
  failed = lab_run_get_failed_tasks (run) + lab_run_get_warmup_failed_tasks (run);
  if (failed > 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, "%u tasks failed", failed);
      return NULL;
    }
  return g_steal_pointer (&run);
}

double
lab_bench_dispatch_us (const char    *worker_path,
                       LabMode        mode,
                       guint          workers,
                       guint          tasks,
                       guint          repeat,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  LabCell *cell;

  lab_run_builder_set_workload (builder, "cpu:noop", NULL);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, repeat);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 1);
  lab_run_builder_set_worker_path (builder, worker_path);
  lab_run_builder_set_modes (builder, &mode, 1);
  lab_run_builder_set_workers (builder, &workers, 1);
  config = lab_run_builder_build (builder, error);
  if (config == NULL)
    return -1;
  run = lab_bench_run (config, cancellable, error);
  if (run == NULL)
    return -1;
  cell = lab_run_find_cell (run, mode, mode == LAB_MODE_SEQUENTIAL ? 1 : workers);
  return lab_cell_get_median_s (cell) * G_USEC_PER_SEC / tasks;
}

static void
ignore_span (const LabSpan *span,
             gpointer       user_data)
{
}

guint64
lab_bench_worker_rss_kib (const char  *worker_path,
                          GError     **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabWorkerPool) pool = NULL;
  guint64 peak = 0;

  lab_run_builder_set_workload (builder, "cpu:noop", NULL);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 100);
  config = lab_run_builder_build (builder, error);
  if (config == NULL)
    return 0;
  pool = lab_worker_pool_new (worker_path, 1, 0, 0, error);
  if (pool == NULL ||
      !lab_worker_pool_run (pool, config->workload, 0, g_get_monotonic_time (), ignore_span, NULL, NULL, error))
    return 0;
  lab_worker_pool_take_usage (pool, NULL, NULL, &peak);
  return peak;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab-run.h"
#include "lab-test-run.h"
#include "lab-worker-pool.h"

/* Runs real threads and real concurrency-lab-worker processes (the path
 * comes from CONCURRENCY_LAB_WORKER in the test environment). The fault
 * tests name the fault worker (CONCURRENCY_LAB_FAULT_WORKER) themselves. */

static LabRunBuilder *
make_builder (const char  *spec,
              guint64      size,
              guint        tasks,
              const char  *modes,
              const guint *workers,
              guint        n_workers)
{
  LabRunBuilder *builder = lab_test_builder (spec, modes, workers, n_workers);

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, size);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  return builder;
}

static LabRunConfig *
make_config (const char  *spec,
             guint64      size,
             guint        tasks,
             const char  *modes,
             const guint *workers,
             guint        n_workers)
{
  return lab_test_build (make_builder (spec, size, tasks, modes, workers, n_workers));
}

static LabRun *
execute (LabRunConfig *config,
         GError      **error)
{
  LabRun *run = lab_run_new (config);

  lab_run_execute (run, NULL, error);
  return run;
}

/* Each repetition ran every task exactly once. */
static void
assert_spans_complete (LabRun *run)
{
  GPtrArray *reps = lab_run_get_repetitions (run);
  guint tasks = lab_run_get_config (run)->workload->tasks;

  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);
      g_autofree gboolean *seen = g_new0 (gboolean, tasks);

      g_assert_true (rep->finished);
      g_assert_cmpuint (rep->spans->len, ==, tasks);
      for (guint i = 0; i < rep->spans->len; i++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

          g_assert_false (seen[span->task]);
          seen[span->task] = TRUE;
          g_assert_cmpuint (span->worker, <, rep->workers);
          g_assert_cmpint (span->start_us, <=, span->end_us);
          g_assert_cmpint (span->queued_us, <=, span->start_us);
          if (span->status == LAB_TASK_OK)
            {
              g_assert_cmpint (span->pid, >, 0);
              g_assert_cmpint (span->tid, >, 0);
            }
          else
            g_assert_nonnull (span->error);
        }
    }
}

static void
test_checksums (void)
{
  const struct { const char *spec; guint64 size; } workloads[] = {
    { "cpu:primes", 300000 }, { "cpu:sumsq", 5000000 }, { "cpu:pi", 400000 },
    { "cpu:mandelbrot", 20000 }, { "cpu:hash", 4000 }, { "cpu:matmul", 60 },
  };
  const guint workers[] = { 1, 2, 3, 8 };

  for (guint w = 0; w < G_N_ELEMENTS (workloads); w++)
    {
      g_autoptr(LabRunConfig) config = make_config (workloads[w].spec, workloads[w].size, 12,
                                                    "sequential,threads,processes,spawn", workers, 4);
      g_autoptr(GError) error = NULL;
      g_autoptr(LabRun) run = execute (config, &error);
      GListModel *cells = lab_run_get_cells (run);
      g_autoptr(LabCell) first = g_list_model_get_item (cells, 0);

      g_assert_no_error (error);
      g_test_message ("%s: checksum %" G_GUINT64_FORMAT, workloads[w].spec, lab_cell_get_checksum (first));
      g_assert_cmpuint (g_list_model_get_n_items (cells), ==, 1 + 3 * 4);
      g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
      g_assert_cmpuint (lab_run_get_tasks_done (run), ==, lab_run_get_tasks_total (run));
      for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
        {
          g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

          g_assert_cmpuint (lab_cell_get_checksum (cell), ==, lab_cell_get_checksum (first));
          g_test_message ("%s ×%u: median %g s, speedup %g", lab_mode_to_string (lab_cell_get_mode (cell)),
                          lab_cell_get_workers (cell), lab_cell_get_median_s (cell), lab_cell_get_speedup (cell));
          g_assert_true (isfinite (lab_cell_get_speedup (cell)));
          g_assert_cmpfloat (lab_cell_get_median_s (cell), >, 0);
        }
      assert_spans_complete (run);
    }
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* GLib closes a reaped child's pidfd on its worker thread, a moment after
 * g_subprocess_wait() returns: wait (up to 2 s) for the count to drop to
 * @limit, and return what it is then. */
static guint
fds_settled (guint limit)
{
  guint n = count_fds ();

  for (guint i = 0; i < 40 && n > limit; i++)
    {
      g_usleep (50 * 1000);
      n = count_fds ();
    }
  return n;
}

/* A count that holds still for 50 ms. */
static guint
fds_stable (void)
{
  guint n = count_fds ();

  for (guint i = 0; i < 40; i++)
    {
      guint m;

      g_usleep (50 * 1000);
      m = count_fds ();
      if (m == n)
        break;
      n = m;
    }
  return n;
}

/* Children of this process, over all its threads (zombies included). */
static guint
count_children (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/children", tid);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL))
        {
          g_auto(GStrv) pids = g_strsplit_set (g_strstrip (contents), " ", -1);

          n += contents[0] != '\0' ? g_strv_length (pids) : 0;
        }
    }
  return n;
}

typedef struct
{
  const char *fault;
  const char *mode;
  const char *expected;
} FaultCase;

/* Eight tasks on two workers run by @worker (NULL: the real one); a task
 * that hangs is killed after 1 s. */
static LabRunConfig *
make_fault_config (const char *mode,
                   const char *worker)
{
  const guint workers[] = { 2 };
  LabRunBuilder *builder = make_builder ("cpu:sumsq", 800000, 8, mode, workers, 1);

  lab_run_builder_set_number (builder, LAB_PARAM_TASK_TIMEOUT_S, 1);
  lab_run_builder_set_worker_path (builder, worker);
  return lab_test_build (builder);
}

/* Runs @config with CONCURRENCY_LAB_WORKER_FAULT=@fault in the workers'
 * environment, and checks the tasks' outcome in its one cell. */
static LabRun *
execute_with_fault (LabRunConfig *config,
                    const char   *fault,
                    guint         failed_tasks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabCell) cell = NULL;
  LabRun *run;

  g_setenv ("CONCURRENCY_LAB_WORKER_FAULT", fault, TRUE);
  run = execute (config, &error);
  g_unsetenv ("CONCURRENCY_LAB_WORKER_FAULT");

  /* The run completes, whatever happened to its tasks. */
  g_assert_no_error (error);
  cell = g_list_model_get_item (lab_run_get_cells (run), 0);
  g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, failed_tasks);
  g_assert_cmpuint (lab_cell_get_ok_tasks (cell), ==, config->workload->tasks - failed_tasks);
  assert_spans_complete (run);
  return run;
}

static void
test_fault (gconstpointer data)
{
  const FaultCase *fc = data;
  g_autoptr(LabRunConfig) config = make_fault_config (fc->mode, g_getenv ("CONCURRENCY_LAB_FAULT_WORKER"));
  g_autoptr(LabRun) run = NULL;
  g_autoptr(LabCell) cell = NULL;
  g_autofree char *reason = NULL;
  guint fds_before = fds_stable ();

  /* One task fails with the reason, the others run. */
  run = execute_with_fault (config, fc->fault, 1);
  cell = g_list_model_get_item (lab_run_get_cells (run), 0);
  reason = lab_cell_dup_first_error (cell);
  g_test_message ("%s in %s: %s", fc->fault, fc->mode, reason);
  g_assert_nonnull (strstr (reason, fc->expected));

  /* Every worker was reaped and every pipe closed. */
  g_clear_object (&run);
  g_assert_cmpuint (count_children (), ==, 0);
  g_assert_cmpuint (fds_settled (fds_before), <=, fds_before);
}

/* The installed worker has no fault injection: asked for a crash, it
 * runs every task. */
static void
test_real_worker_ignores_faults (gconstpointer data)
{
  g_autoptr(LabRunConfig) config = make_fault_config (data, NULL);
  g_autoptr(LabRun) run = NULL;

  g_assert_null (config->worker_path);
  run = execute_with_fault (config, "crash@0", 0);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
}

static void
test_no_leaks (void)
{
  const guint workers[] = { 1, 3 };
  guint fds_before = fds_stable ();

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(LabRunConfig) config = make_config ("cpu:noop", 1, 200, "threads,processes,spawn", workers, 2);
      g_autoptr(LabRun) run = execute (config, NULL);

      g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
    }
  g_assert_cmpuint (count_children (), ==, 0);
  g_assert_cmpuint (fds_settled (fds_before), <=, fds_before);
}

/* Tasks in a kernel stop at its next check point. Not cpu:sumsq: clang
 * computes its inner loop in closed form, and the whole run then ends
 * before any cancel. Counting primes to 10¹⁰ takes hours in any build. */
static void
test_cancel (gconstpointer data)
{
  const guint workers[] = { 2 };
  g_autoptr(LabRunConfig) config = make_config ("cpu:primes", G_GUINT64_CONSTANT (10000000000), 4, data, workers, 1);

  lab_test_assert_cancels (config, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_children (), ==, 0);
}

/* Tasks blocked for an hour (io:sleep) stop too: whatever the speed of
 * the build, they cannot be done when the cancel comes. */
static void
test_cancel_blocked (gconstpointer data)
{
  const guint workers[] = { 2 };
  g_autoptr(LabRunConfig) config = make_config ("io:sleep", LAB_SLEEP_MAX_MS, 4, data, workers, 1);

  lab_test_assert_cancels (config, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_children (), ==, 0);
}

static void
test_missing_worker (void)
{
  const guint workers[] = { 2 };
  LabRunBuilder *builder = make_builder ("cpu:noop", 1, 4, "spawn", workers, 1);
  LabRunBuilder *persistent_builder = make_builder ("cpu:noop", 1, 4, "processes", workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(LabRunConfig) persistent = NULL;
  g_autoptr(GError) persistent_error = NULL;
  g_autoptr(LabRun) persistent_run = NULL;

  g_autofree char *reason = NULL;
  g_autoptr(LabCell) cell = NULL;

  /* Spawn: every task fails on its own, saying why. */
  lab_run_builder_set_worker_path (builder, "/nonexistent/concurrency-lab-worker");
  config = lab_test_build (builder);
  run = execute (config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 4);
  cell = g_list_model_get_item (lab_run_get_cells (run), 0);
  reason = lab_cell_dup_first_error (cell);
  g_assert_nonnull (strstr (reason, "/nonexistent/concurrency-lab-worker"));

  /* Persistent workers: the cell cannot start, the run says so. */

  lab_run_builder_set_worker_path (persistent_builder, "/nonexistent/concurrency-lab-worker");
  persistent = lab_test_build (persistent_builder);
  persistent_run = execute (persistent, &persistent_error);
  g_assert_error (persistent_error, LAB_ERROR, LAB_ERROR_WORKER);
}

static void
test_invalid_config (void)
{
  const guint zero[] = { 0 };
  g_autoptr(LabRunBuilder) builder = make_builder ("cpu:noop", 1, 4, "threads", zero, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = lab_run_builder_build (builder, &error);
  g_assert_null (config);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
}

static void
test_statistics (void)
{
  const guint workers[] = { 2 };
  LabRunBuilder *builder = make_builder ("io:sleep", 20, 4, "sequential,threads", workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  LabCell *sequential, *threads;

  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 3);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 1);
  config = lab_test_build (builder);
  run = execute (config, NULL);
  sequential = lab_run_find_cell (run, LAB_MODE_SEQUENTIAL, 1);
  threads = lab_run_find_cell (run, LAB_MODE_THREADS, 2);
  g_assert_cmpuint (lab_cell_get_repetitions (threads)->len, ==, 3);
  g_assert_cmpuint (lab_run_get_repetitions (run)->len, ==, 8);
  /* 4 × 20 ms waits: ≥ 80 ms in a row, two at a time ≥ 40 ms. */
  g_assert_cmpfloat (lab_cell_get_median_s (sequential), >=, 0.080);
  g_assert_cmpfloat (lab_cell_get_median_s (threads), >=, 0.040);
  g_assert_cmpfloat (lab_cell_get_speedup (threads), >, 1.3);
  g_assert_cmpfloat (lab_cell_get_efficiency (threads), ==, lab_cell_get_speedup (threads) / 2);
}

/* Workers are spawned with posix_spawn() and inherited descriptors: they
 * must still get their two pipes and stderr only, not a descriptor this
 * process left open without close-on-exec. */
static void
test_worker_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabWorkerPool) pool = NULL;
  g_autoptr(GArray) pids = NULL;
  int leaky = dup (STDERR_FILENO);

  g_assert_cmpint (leaky, >, 2);
  pool = lab_worker_pool_new (NULL, 2, 0, 0, &error);  /* persistent: started now */
  g_assert_no_error (error);
  pids = lab_worker_pool_get_pids (pool);
  g_assert_cmpuint (pids->len, ==, 2);

  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/fd", g_array_index (pids, gint, i));
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      const char *name;
      guint n = 0;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_assert_cmpint (atoi (name), <=, 2);
          n++;
        }
      g_assert_cmpuint (n, ==, 3);
    }
  close (leaky);
}

int
main (int    argc,
      char **argv)
{
  static const FaultCase faults[] = {
    { "crash@3", "processes", "signal 11" },
    { "abort@3", "processes", "signal 6" },
    { "exit@3", "processes", "status 7" },
    { "hang@3", "processes", "timed out" },
    { "garbage@3", "processes", "protocol error" },
    { "oversize@3", "processes", "protocol error" },
    { "wrongid@3", "processes", "protocol error" },
    { "crash@3", "spawn", "signal 11" },
    { "hang@3", "spawn", "timed out" },
  };

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("CONCURRENCY_LAB_WORKER"));
  g_assert_nonnull (g_getenv ("CONCURRENCY_LAB_FAULT_WORKER"));

  g_test_add_func ("/engine/checksums", test_checksums);
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/fault/%s/%s", faults[i].mode, faults[i].fault);

      g_test_add_data_func (path, &faults[i], test_fault);
    }
  g_test_add_data_func ("/engine/fault/real-worker-ignores/processes", "processes",
                        test_real_worker_ignores_faults);
  g_test_add_data_func ("/engine/fault/real-worker-ignores/spawn", "spawn",
                        test_real_worker_ignores_faults);
  g_test_add_func ("/engine/no-leaks", test_no_leaks);
  g_test_add_func ("/engine/worker-fds", test_worker_fds);
  g_test_add_data_func ("/engine/cancel/threads", "threads", test_cancel);
  g_test_add_data_func ("/engine/cancel/processes", "processes", test_cancel);
  g_test_add_data_func ("/engine/cancel/sequential", "sequential", test_cancel);
  g_test_add_data_func ("/engine/cancel-blocked/threads", "threads", test_cancel_blocked);
  g_test_add_data_func ("/engine/cancel-blocked/processes", "processes", test_cancel_blocked);
  g_test_add_data_func ("/engine/cancel-blocked/sequential", "sequential", test_cancel_blocked);
  g_test_add_func ("/engine/missing-worker", test_missing_worker);
  g_test_add_func ("/engine/invalid-config", test_invalid_config);
  g_test_add_func ("/engine/statistics", test_statistics);
  return g_test_run ();
}

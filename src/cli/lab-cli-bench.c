/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <math.h>

#include "lab-bench.h"
#include "lab-cli.h"
#include "lab-history.h"
#include "lab-http-server.h"
#include "lab-json.h"
#include "lab-machine.h"
#include "lab-run-builder.h"
#include "lab-run-recorder.h"
#include "lab-stall-meter.h"
#include "lab-stats.h"

/*
 * concurrency-lab-cli bench: the engine's own costs, each figure measured
 * in this one invocation so that ratios compare like with like.
 */

typedef struct
{
  char         *worker;
  gboolean      quick;
  GCancellable *cancellable;
  JsonBuilder  *json;
  gboolean      print;
  guint         failed_targets;
} Bench;

typedef gboolean (*BenchSection) (Bench   *bench,
                                  GError **error);

/* Records one figure; @target is the goal in words (NULL: none) and @met
 * whether the figure reaches it. */
static void
report (Bench      *bench,
        const char *key,
        double      value,
        const char *unit,
        const char *target,
        gboolean    met)
{
  lab_json_add_double (bench->json, key, value);

  if (target != NULL && !met)
    bench->failed_targets++;
  if (bench->print)
    g_print ("%-24s %12.3f %-6s %s%s\n", key, value, unit,
             target != NULL ? (met ? "✓ " : "✗ ") : "", target != NULL ? target : "");
}

/* One run of a section: the parameters it sets, the rest left at the
 * builder's defaults. A size of 0 keeps the workload's default. */
typedef struct
{
  const char    *workload;
  guint64        size;
  guint          tasks;
  const LabMode *modes;
  guint          n_modes;
  guint          workers;
  guint          repeat;
  guint          warmup;
  guint          nice;
  const char    *url;        /* io:download: every task fetches it */
  const char    *runtimes;   /* NULL: native */
} BenchRun;

static LabRunConfig *
bench_config (Bench           *bench,
              const BenchRun  *spec,
              GError         **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);

  if (!lab_run_builder_set_workload (builder, spec->workload, error))
    return NULL;
  if (spec->size != 0)
    lab_run_builder_set_number (builder, LAB_PARAM_SIZE, spec->size);
  if (spec->url != NULL)
    lab_run_builder_add_url (builder, spec->url);
  if (spec->runtimes != NULL && !lab_run_builder_parse (builder, LAB_PARAM_RUNTIME, spec->runtimes, error))
    return NULL;
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, spec->tasks);
  lab_run_builder_set_modes (builder, spec->modes, spec->n_modes);
  lab_run_builder_set_workers (builder, &spec->workers, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, spec->repeat);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, spec->warmup);
  lab_run_builder_set_number (builder, LAB_PARAM_NICE, spec->nice);
  lab_run_builder_set_worker_path (builder, bench->worker);
  return lab_run_builder_build (builder, error);
}

static guint
scaled (Bench *bench,
        guint  n)
{
  return bench->quick ? MAX (1, n / 20) : n;
}

static gboolean
bench_threads_start (Bench   *bench,
                     GError **error)
{
  report (bench, "thread_start_us", lab_bench_thread_start_us (scaled (bench, 2000), 5), "µs", NULL, TRUE);
  return TRUE;
}

static gboolean
bench_dispatch (Bench   *bench,
                GError **error)
{
  guint workers = lab_machine_n_cpus ();
  guint tasks = scaled (bench, 200000);
  double threads, processes;

  threads = lab_bench_dispatch_us (bench->worker, LAB_MODE_THREADS, workers, tasks, 3, bench->cancellable, error);
  if (threads < 0)
    return FALSE;
  report (bench, "thread_dispatch_us", threads, "µs/task", "≤ 3 µs per task", threads <= 3.0);

  processes = lab_bench_dispatch_us (bench->worker, LAB_MODE_PROCESSES, workers, tasks, 3, bench->cancellable, error);
  if (processes < 0)
    return FALSE;
  report (bench, "process_dispatch_us", processes, "µs/task", "≤ 15 µs per task", processes <= 15.0);
  return TRUE;
}

static gboolean
bench_spawn (Bench   *bench,
             GError **error)
{
  guint n = scaled (bench, 200);
  double raw, spawn;

  raw = lab_bench_raw_spawn_us (bench->worker, n, 3, error);
  if (raw < 0)
    return FALSE;
  spawn = lab_bench_dispatch_us (bench->worker, LAB_MODE_SPAWN, 1, n, 3, bench->cancellable, error);
  if (spawn < 0)
    return FALSE;
  report (bench, "raw_spawn_us", raw, "µs", NULL, TRUE);
  report (bench, "spawn_us", spawn, "µs/task", NULL, TRUE);
  report (bench, "spawn_ratio", spawn / raw, "×", "≤ 1.2 × a raw spawn", spawn / raw <= 1.2);
  return TRUE;
}

static gboolean
bench_worker_rss (Bench   *bench,
                  GError **error)
{
  guint64 kib = lab_bench_worker_rss_kib (bench->worker, error);

  if (kib == 0)
    return FALSE;
  report (bench, "worker_rss_kib", kib, "KiB", "≤ 6 MiB", kib <= 6 * 1024);
  return TRUE;
}

static gboolean
bench_scaling (Bench   *bench,
               GError **error)
{
  static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  guint workers = lab_machine_n_cpus ();
  g_autofree char *target = g_strdup_printf ("speedup ≥ %.2f (0.95 × %u)", 0.95 * workers, workers);
  LabCell *threads, *processes;

  config = bench_config (bench, &(BenchRun) {
                           .workload = "cpu:primes", .size = bench->quick ? 500000 : 2000000, .tasks = 16,
                           .modes = modes, .n_modes = G_N_ELEMENTS (modes), .workers = workers,
                           .repeat = 3, .warmup = 1,
                         }, error);
  if (config == NULL)
    return FALSE;
  run = lab_bench_run (config, bench->cancellable, error);
  if (run == NULL)
    return FALSE;
  threads = lab_run_find_cell (run, LAB_MODE_THREADS, workers);
  processes = lab_run_find_cell (run, LAB_MODE_PROCESSES, workers);

  report (bench, "sequential_s", lab_cell_get_median_s (lab_run_find_cell (run, LAB_MODE_SEQUENTIAL, 1)), "s", NULL, TRUE);
  report (bench, "threads_speedup", lab_cell_get_speedup (threads), "×", target,
          lab_cell_get_efficiency (threads) >= 0.95);
  report (bench, "processes_speedup", lab_cell_get_speedup (processes), "×", target,
          lab_cell_get_efficiency (processes) >= 0.95);
  report (bench, "threads_efficiency", lab_cell_get_efficiency (threads), "", NULL, TRUE);
  report (bench, "processes_efficiency", lab_cell_get_efficiency (processes), "", NULL, TRUE);
  return TRUE;
}

/* The GIL, emulated and real, next to native threads and processes on
 * the same kernel, in one run; then the emulated GIL on sleeps; then what
 * a task costs CPython beyond its kernel. */
static gboolean
bench_gil (Bench   *bench,
           GError **error)
{
  static const LabMode cpu_modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_GIL, LAB_MODE_PROCESSES };
  static const LabMode sleep_modes[] = { LAB_MODE_THREADS, LAB_MODE_GIL };
  static const LabMode noop_modes[] = { LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  g_autoptr(LabRunConfig) cpu = NULL, sleep = NULL, noop = NULL;
  g_autoptr(LabRun) cpu_run = NULL, sleep_run = NULL, noop_run = NULL;
  guint noop_tasks = bench->quick ? 200 : 4000;
  double gil, py_threads, py_processes, threads, processes, ideal_s, gil_sleep;

  cpu = bench_config (bench, &(BenchRun) {
                        .workload = "cpu:primes", .size = bench->quick ? 200000 : 2000000, .tasks = 16,
                        .modes = cpu_modes, .n_modes = G_N_ELEMENTS (cpu_modes), .workers = 2,
                        .repeat = bench->quick ? 1 : 3, .warmup = bench->quick ? 0 : 1,
                        .runtimes = "native,cpython",
                      }, error);
  if (cpu == NULL || (cpu_run = lab_bench_run (cpu, bench->cancellable, error)) == NULL)
    return FALSE;
  gil = lab_cell_get_speedup (lab_run_find_cell (cpu_run, LAB_MODE_GIL, 2));
  py_threads = lab_cell_get_speedup (lab_run_find_variant_cell (cpu_run, LAB_RUNTIME_CPYTHON, LAB_MODE_THREADS, 2));
  py_processes = lab_cell_get_speedup (lab_run_find_variant_cell (cpu_run, LAB_RUNTIME_CPYTHON, LAB_MODE_PROCESSES, 2));
  threads = lab_cell_get_speedup (lab_run_find_cell (cpu_run, LAB_MODE_THREADS, 2));
  processes = lab_cell_get_speedup (lab_run_find_cell (cpu_run, LAB_MODE_PROCESSES, 2));
  report (bench, "gil_cpu_speedup", gil, "×", "0.85–1.10× at W = 2", gil >= 0.85 && gil <= 1.10);
  report (bench, "cpython_threads_speedup", py_threads, "×", "0.8–1.1× at W = 2",
          py_threads >= 0.8 && py_threads <= 1.1);
  report (bench, "cpython_processes_speedup", py_processes, "×", "≥ 1.7× at W = 2", py_processes >= 1.7);
  report (bench, "native_threads_speedup", threads, "×", "≥ 1.85× at W = 2", threads >= 1.85);
  report (bench, "native_processes_speedup", processes, "×", "≥ 1.85× at W = 2", processes >= 1.85);
  report (bench, "cpython_startup_ms",
          1000 * lab_cell_get_startup_s (lab_run_find_variant_cell (cpu_run, LAB_RUNTIME_CPYTHON, LAB_MODE_PROCESSES, 2)),
          "ms", NULL, TRUE);

  /* 40 sleeps of 200 ms over 20 threads: 0.4 s if they all overlap */
  sleep = bench_config (bench, &(BenchRun) {
                          .workload = "io:sleep", .size = 200, .tasks = 40,
                          .modes = sleep_modes, .n_modes = G_N_ELEMENTS (sleep_modes), .workers = 20,
                          .repeat = bench->quick ? 1 : 3, .warmup = 0,
                        }, error);
  if (sleep == NULL || (sleep_run = lab_bench_run (sleep, bench->cancellable, error)) == NULL)
    return FALSE;
  ideal_s = 2 * 0.200;
  gil_sleep = ideal_s / lab_cell_get_median_s (lab_run_find_cell (sleep_run, LAB_MODE_GIL, 20));
  report (bench, "gil_sleep_of_ideal", gil_sleep, "", "≥ 0.95 of the ideal 0.4 s", gil_sleep >= 0.95);
  report (bench, "threads_sleep_of_ideal",
          ideal_s / lab_cell_get_median_s (lab_run_find_cell (sleep_run, LAB_MODE_THREADS, 20)), "", NULL, TRUE);

  /* Tasks that do nothing: what CPython's executors cost per task */
  noop = bench_config (bench, &(BenchRun) {
                         .workload = "cpu:noop", .size = 1, .tasks = noop_tasks,
                         .modes = noop_modes, .n_modes = G_N_ELEMENTS (noop_modes), .workers = 2,
                         .repeat = 3, .warmup = 1, .runtimes = "cpython",
                       }, error);
  if (noop == NULL || (noop_run = lab_bench_run (noop, bench->cancellable, error)) == NULL)
    return FALSE;
  report (bench, "cpython_thread_task_us",
          1e6 * lab_cell_get_median_s (lab_run_find_cell (noop_run, LAB_MODE_THREADS, 2)) / noop_tasks,
          "µs/task", NULL, TRUE);
  report (bench, "cpython_process_task_us",
          1e6 * lab_cell_get_median_s (lab_run_find_cell (noop_run, LAB_MODE_PROCESSES, 2)) / noop_tasks,
          "µs/task", NULL, TRUE);
  return TRUE;
}

/* N downloads of @path from the embedded server in @mode with W workers:
 * the median wall time of the cell, or a negative number on failure. */
static double
download_median_s (Bench       *bench,
                   const char  *base_url,
                   const char  *path,
                   guint        n,
                   LabMode      mode,
                   guint        workers,
                   LabCell    **out_cell,
                   LabRun     **out_run,
                   GError     **error)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(LabRunConfig) config = NULL;
  LabRun *run;

  config = bench_config (bench, &(BenchRun) {
                           .workload = "io:download", .url = url, .tasks = n,
                           .modes = &mode, .n_modes = 1, .workers = workers, .repeat = 3, .warmup = 1,
                         }, error);
  if (config == NULL)
    return -1;
  run = lab_bench_run (config, bench->cancellable, error);
  if (run == NULL)
    return -1;
  *out_cell = lab_run_find_cell (run, mode, workers);
  *out_run = run;
  return lab_cell_get_median_s (*out_cell);
}

/* The same bulk download with curl --parallel, where curl is installed. */
static double
curl_bulk_s (const char *base_url,
             const char *path,
             guint       n,
             guint       workers)
{
  g_autofree char *curl = g_find_program_in_path ("curl");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  double best = INFINITY;

  if (curl == NULL)
    return NAN;
  g_ptr_array_add (argv, g_strdup (curl));
  g_ptr_array_add (argv, g_strdup ("--silent"));
  g_ptr_array_add (argv, g_strdup ("--fail"));
  g_ptr_array_add (argv, g_strdup ("--parallel"));
  g_ptr_array_add (argv, g_strdup ("--parallel-immediate"));
  g_ptr_array_add (argv, g_strdup ("--parallel-max"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", workers));
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (argv, g_strconcat (base_url, path, NULL));
      g_ptr_array_add (argv, g_strdup ("--output"));
      g_ptr_array_add (argv, g_strdup ("/dev/null"));
    }
  g_ptr_array_add (argv, NULL);

  for (guint r = 0; r < 3; r++)
    {
      g_autoptr(GSubprocess) process = NULL;
      gint64 t0 = g_get_monotonic_time ();

      process = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
      if (process == NULL || !g_subprocess_wait_check (process, NULL, NULL))
        return NAN;
      best = MIN (best, (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC);
    }
  return best;
}

static gboolean
bench_downloads (Bench   *bench,
                 GError **error)
{
  g_autoptr(LabHttpServer) server = lab_http_server_new ();
  const char *base;
  const struct {
    const char *key;
    const char *path;
    guint       n;
    LabMode     mode;
    guint       workers;
    double      ms;
    double      goal;
  } latency[] = {
    { "download_threads_40x200_w20", "/delay/200", 40, LAB_MODE_THREADS, 20, 200, 0.98 },
    { "download_async_40x200_w20", "/delay/200", 40, LAB_MODE_ASYNC, 20, 200, 0.98 },
    { "download_processes_40x200_w20", "/delay/200", 40, LAB_MODE_PROCESSES, 20, 200, 0.95 },
    { "download_threads_1000x50_w100", "/delay/50", 1000, LAB_MODE_THREADS, 100, 50, 0.95 },
    { "download_async_1000x50_w100", "/delay/50", 1000, LAB_MODE_ASYNC, 100, 50, 0.95 },
  };
  const char *bulk_path = bench->quick ? "/bytes/1048576" : "/bytes/16777216";
  double bulk_mib = bench->quick ? 1 : 16;
  guint n_bulk = 8;

  if (!lab_http_server_start_in_thread (server, 0, error))
    return FALSE;
  base = lab_http_server_get_base_url (server);

  for (guint i = 0; i < G_N_ELEMENTS (latency); i++)
    {
      guint n = bench->quick ? MIN (latency[i].n, 40) : latency[i].n;
      double ideal = ceil ((double) n / latency[i].workers) * latency[i].ms / 1000.0;
      g_autoptr(LabRun) run = NULL;
      g_autofree char *target = g_strdup_printf ("≥ %.2f of the ideal %.3f s", latency[i].goal, ideal);
      LabCell *cell;
      double median = download_median_s (bench, base, latency[i].path, n, latency[i].mode,
                                         latency[i].workers, &cell, &run, error);

      if (median < 0)
        return FALSE;
      report (bench, latency[i].key, ideal / median, "of ideal", target, ideal / median >= latency[i].goal);
    }

  {
    g_autoptr(LabRun) run = NULL;
    LabCell *cell;
    double median = download_median_s (bench, base, bulk_path, n_bulk, LAB_MODE_THREADS, 4, &cell, &run, error);
    double curl;

    if (median < 0)
      return FALSE;
    report (bench, "download_bulk_mib_s", n_bulk * bulk_mib / median, "MiB/s", NULL, TRUE);
    curl = curl_bulk_s (base, bulk_path, n_bulk, 4);
    if (isfinite (curl))
      {
        report (bench, "curl_bulk_mib_s", n_bulk * bulk_mib / curl, "MiB/s", NULL, TRUE);
        report (bench, "download_bulk_vs_curl", curl / median, "×", "≥ 1.0 × curl --parallel", curl / median >= 1.0);
      }
  }
  return TRUE;
}

/* How late the main loop that receives a run's events gets, while W = 2 ×
 * CPUs workers (niceness 10, as the window runs them) saturate the CPUs.
 * This is the engine's share of a window's stalls; drawing comes on top. */
static gboolean
bench_responsiveness (Bench   *bench,
                      GError **error)
{
  const LabMode modes[] = { LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  guint workers = 2 * lab_machine_n_cpus ();

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(LabRunConfig) config = NULL;
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(LabStallMeter) meter = lab_stall_meter_new (5);
      g_autoptr(LabRun) run = NULL;
      g_autofree char *max_key = g_strdup_printf ("ui_max_stall_ms_%s", lab_mode_to_string (modes[m]));
      g_autofree char *p99_key = g_strdup_printf ("ui_p99_stall_ms_%s", lab_mode_to_string (modes[m]));
      gboolean ok;

      config = bench_config (bench, &(BenchRun) {
                               .workload = "cpu:primes", .size = bench->quick ? 1000000 : 6000000, .tasks = 64,
                               .modes = &modes[m], .n_modes = 1, .workers = workers, .repeat = 2, .nice = 10,
                             }, error);
      if (config == NULL)
        return FALSE;

      g_main_context_push_thread_default (context);
      run = lab_run_new (config);
      lab_stall_meter_start (meter);
      ok = lab_run_execute (run, bench->cancellable, error);
      lab_stall_meter_stop (meter);
      g_main_context_pop_thread_default (context);
      if (!ok)
        return FALSE;

      report (bench, max_key, lab_stall_meter_get_max_ms (meter), "ms", "≤ 16 ms",
              lab_stall_meter_get_max_ms (meter) <= 16);
      report (bench, p99_key, lab_stall_meter_get_p99_ms (meter), "ms", "≤ 5 ms",
              lab_stall_meter_get_p99_ms (meter) <= 5);
    }
  return TRUE;
}

static gboolean
cancel_after (gpointer data)
{
  gint64 *cancelled_at = g_object_get_data (data, "cancelled-at");

  *cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* From g_cancellable_cancel() to the run's end (every thread joined, every
 * worker process killed and reaped), with tasks that would run for hours.
 * Counting primes, not cpu:sumsq: clang computes the sum of squares in
 * closed form, and the run would be over before the cancel. */
static gboolean
bench_cancel (Bench   *bench,
              GError **error)
{
  const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES, LAB_MODE_SPAWN,
                            LAB_MODE_ASYNC };
  guint workers = 2 * lab_machine_n_cpus ();

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      gboolean waits = modes[m] == LAB_MODE_ASYNC;
      g_autoptr(LabRunConfig) config = NULL;
      g_autoptr(GMainContext) context = g_main_context_new ();
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GSource) timer = g_timeout_source_new (500);
      g_autoptr(LabRun) run = NULL;
      g_autoptr(GError) run_error = NULL;
      g_autofree char *key = g_strdup_printf ("cancel_ms_%s", lab_mode_to_string (modes[m]));
      gint64 cancelled_at = 0;
      double ms;

      config = bench_config (bench, &(BenchRun) {
                               .workload = waits ? "io:sleep" : "cpu:primes",
                               .size = waits ? 600000 : G_GUINT64_CONSTANT (10000000000),
                               .tasks = 4 * workers, .modes = &modes[m], .n_modes = 1, .workers = workers,
                               .repeat = 1,
                             }, error);
      if (config == NULL)
        return FALSE;

      g_object_set_data (G_OBJECT (cancellable), "cancelled-at", &cancelled_at);
      g_source_set_callback (timer, cancel_after, cancellable, NULL);
      g_main_context_push_thread_default (context);
      g_source_attach (timer, context);
      run = lab_run_new (config);
      lab_run_execute (run, cancellable, &run_error);
      ms = (g_get_monotonic_time () - cancelled_at) / 1000.0;
      g_main_context_pop_thread_default (context);

      if (!g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_TASK, "the %s run did not stop on cancel: %s",
                       lab_mode_to_string (modes[m]), run_error != NULL ? run_error->message : "it finished");
          return FALSE;
        }
      report (bench, key, ms, "ms", "≤ 200 ms", ms <= 200);
    }
  return TRUE;
}

/* The history's recorder, timed: how long each repetition's commit keeps
 * the run's main context (the window's) from everything else. */
#define LAB_TYPE_TIMED_RECORDER (lab_timed_recorder_get_type ())

G_DECLARE_FINAL_TYPE (LabTimedRecorder, lab_timed_recorder, LAB, TIMED_RECORDER, GObject)

struct _LabTimedRecorder
{
  GObject         parent_instance;
  LabRunRecorder *inner;
  GArray         *commit_s;   /* double, one per repetition */
};

static void lab_timed_recorder_iface_init (LabRunRecorderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabTimedRecorder, lab_timed_recorder, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_RUN_RECORDER, lab_timed_recorder_iface_init))

static void
lab_timed_recorder_finalize (GObject *object)
{
  LabTimedRecorder *self = LAB_TIMED_RECORDER (object);

  g_clear_object (&self->inner);
  g_clear_pointer (&self->commit_s, g_array_unref);
  G_OBJECT_CLASS (lab_timed_recorder_parent_class)->finalize (object);
}

static void
lab_timed_recorder_class_init (LabTimedRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lab_timed_recorder_finalize;
}

static void
lab_timed_recorder_init (LabTimedRecorder *self)
{
  self->commit_s = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
timed_started (LabRunRecorder *recorder,
               LabRun         *run)
{
  LabTimedRecorder *self = LAB_TIMED_RECORDER (recorder);

  LAB_RUN_RECORDER_GET_IFACE (self->inner)->started (self->inner, run);
}

static void
timed_repetition_finished (LabRunRecorder *recorder,
                           LabRun         *run,
                           LabRepetition  *rep)
{
  LabTimedRecorder *self = LAB_TIMED_RECORDER (recorder);
  gint64 t0 = g_get_monotonic_time ();
  double s;

  LAB_RUN_RECORDER_GET_IFACE (self->inner)->repetition_finished (self->inner, run, rep);
  s = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  g_array_append_val (self->commit_s, s);
}

static void
timed_finished (LabRunRecorder *recorder,
                LabRun         *run,
                const GError   *error)
{
  LabTimedRecorder *self = LAB_TIMED_RECORDER (recorder);

  LAB_RUN_RECORDER_GET_IFACE (self->inner)->finished (self->inner, run, error);
}

static void
lab_timed_recorder_iface_init (LabRunRecorderInterface *iface)
{
  iface->started = timed_started;
  iface->repetition_finished = timed_repetition_finished;
  iface->finished = timed_finished;
}

static void
on_recording_failed (LabHistory   *history,
                     LabRun       *run,
                     const GError *error,
                     gpointer      user_data)
{
  GError **failure = user_data;

  if (*failure == NULL)
    *failure = g_error_copy (error);
}

/* Runs @config recorded in @history; with @timed, timing each commit. */
static gboolean
run_recorded (Bench             *bench,
              LabHistory        *history,
              LabRunConfig      *config,
              LabTimedRecorder  *timed,
              GError           **error)
{
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GError) failure = NULL;
  gulong handler = g_signal_connect (history, "recording-failed", G_CALLBACK (on_recording_failed), &failure);
  gboolean ok;

  lab_history_track_run (history, run);
  if (timed != NULL)
    {
      timed->inner = g_object_ref (lab_run_get_recorder (run));
      lab_run_set_recorder (run, LAB_RUN_RECORDER (timed));
    }
  ok = lab_run_execute (run, bench->cancellable, error);
  g_signal_handler_disconnect (history, handler);
  if (ok && failure != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }
  return ok;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The run history, in a folder of its own: how long one repetition's
 * commit takes with 100 and with 1,000 spans (no-op tasks, threads,
 * W = 2), the size of the database after 1,000 runs of a typical
 * experiment (cpu:sumsq, sequential, threads and processes at W = 2,
 * 16 tasks, 3 repetitions and a warm-up: 192 spans), and how long
 * opening it, listing it and loading one run then take. */
static gboolean
bench_history_in (Bench       *bench,
                  const char  *dir,
                  GError     **error)
{
  static const LabMode noop_modes[] = { LAB_MODE_THREADS };
  static const LabMode run_modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  static const guint spans[] = { 100, 1000 };
  g_autofree char *commits = g_build_filename (dir, "commits.db", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(LabRunConfig) typical = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(LabRun) loaded = NULL;
  guint n_runs = bench->quick ? 20 : 1000;
  double bytes;
  gint64 t0;

  history = lab_history_open (commits, error);
  if (history == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (spans); i++)
    {
      g_autoptr(LabTimedRecorder) timed = g_object_new (LAB_TYPE_TIMED_RECORDER, NULL);
      g_autoptr(LabRunConfig) config = NULL;
      g_autofree char *key = g_strdup_printf ("history_commit_ms_%u_spans", spans[i]);

      config = bench_config (bench, &(BenchRun) {
                               .workload = "cpu:noop", .size = 1, .tasks = spans[i],
                               .modes = noop_modes, .n_modes = 1, .workers = 2,
                               .repeat = bench->quick ? 3 : 30, .warmup = 0,
                             }, error);
      if (config == NULL || !run_recorded (bench, history, config, timed, error))
        return FALSE;
      report (bench, key, 1000 * lab_stats_median ((double *) timed->commit_s->data, timed->commit_s->len),
              "ms", NULL, TRUE);
    }

  typical = bench_config (bench, &(BenchRun) {
                            .workload = "cpu:sumsq", .size = 100000, .tasks = 16,
                            .modes = run_modes, .n_modes = G_N_ELEMENTS (run_modes), .workers = 2,
                            .repeat = 3, .warmup = 1,
                          }, error);
  if (typical == NULL)
    return FALSE;
  g_clear_object (&history);
  history = lab_history_open (path, error);
  if (history == NULL)
    return FALSE;
  for (guint i = 0; i < n_runs; i++)
    if (!run_recorded (bench, history, typical, NULL, error))
      return FALSE;
  /* Closed: the log is checkpointed into the database */
  g_clear_object (&history);
  bytes = file_size (path) + file_size (wal);
  report (bench, "history_db_kib_per_run", bytes / 1024 / n_runs, "KiB", NULL, TRUE);
  report (bench, "history_db_mib_1000_runs", bytes / (1024.0 * 1024.0) * 1000 / n_runs,
          bench->quick ? "MiB (extrapolated)" : "MiB", NULL, TRUE);

  t0 = g_get_monotonic_time ();
  history = lab_history_open (path, error);
  if (history == NULL)
    return FALSE;
  report (bench, "history_open_ms", (g_get_monotonic_time () - t0) / 1000.0, "ms", NULL, TRUE);
  t0 = g_get_monotonic_time ();
  entries = lab_history_list (history, error);
  if (entries == NULL)
    return FALSE;
  report (bench, "history_list_ms", (g_get_monotonic_time () - t0) / 1000.0, "ms", NULL, TRUE);
  t0 = g_get_monotonic_time ();
  loaded = lab_history_load_run (history, n_runs, error);
  if (loaded == NULL)
    return FALSE;
  report (bench, "history_load_ms", (g_get_monotonic_time () - t0) / 1000.0, "ms", NULL, TRUE);
  return TRUE;
}

static gboolean
bench_history (Bench   *bench,
               GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("lab-bench-history-XXXXXX", error);
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  ok = bench_history_in (bench, dir, error);
  remove_tree (dir);
  return ok;
}

static const struct {
  const char   *name;
  BenchSection  func;
} sections[] = {
  { "threads", bench_threads_start },
  { "dispatch", bench_dispatch },
  { "spawn", bench_spawn },
  { "memory", bench_worker_rss },
  { "scaling", bench_scaling },
  { "downloads", bench_downloads },
  { "responsiveness", bench_responsiveness },
  { "cancel", bench_cancel },
  { "gil", bench_gil },
  { "history", bench_history },
};

int
lab_cli_bench (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *worker = NULL;
  g_auto(GStrv) only = NULL;
  gboolean json = FALSE, quick = FALSE;
  Bench bench = { 0 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("Fewer iterations: a smoke test, not a measurement"), NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING_ARRAY, &only, N_("Run only this section (repeatable): threads, dispatch, spawn, memory, scaling, downloads, responsiveness, cancel, gil, history"), N_("SECTION") },
    { "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &worker, N_("Worker executable"), N_("PATH") },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Measures the engine's own costs on this machine: thread start-up, per-task "
                                           "dispatch in threads and processes, process spawn, worker memory and CPU "
                                           "scaling. Each figure is compared with its target."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc > 1)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s”"), argv[1]);
  for (guint i = 0; only != NULL && only[i] != NULL; i++)
    {
      gboolean known = FALSE;

      for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
        known |= g_str_equal (only[i], sections[s].name);
      if (!known)
        return lab_cli_fail (LAB_CLI_EXIT_USAGE,
                             _("--only: unknown section “%s”; accepted: threads, dispatch, spawn, memory, scaling, downloads, responsiveness, cancel, gil, history"),
                             only[i]);
    }

  bench.worker = worker;
  bench.quick = quick;
  bench.cancellable = cancellable;
  bench.json = builder;
  bench.print = !json;
  lab_cli_install_signals (cancellable);

  json_builder_begin_object (builder);
  lab_json_add_int (builder, "cores", lab_machine_n_cpus ());
  if (bench.print)
    g_print (_("Concurrency Lab %s engine benchmark on %u CPUs%s\n\n"), PACKAGE_VERSION, lab_machine_n_cpus (),
             quick ? _(" (quick: not a measurement)") : "");

  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      if (only != NULL && !g_strv_contains ((const char * const *) only, sections[s].name))
        continue;
      if (!sections[s].func (&bench, &error))
        return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("benchmark “%s” failed: %s"), sections[s].name, error->message);
    }

  lab_json_add_int (builder, "targets_missed", bench.failed_targets);
  json_builder_end_object (builder);

  if (json)
    {
      g_autofree char *text = lab_json_to_string (builder, TRUE);

      g_print ("%s\n", text);
    }
  else
    g_print ("\n%s\n", bench.failed_targets == 0 ? _("Every target was met.")
                                                 : _("Some targets were missed (✗): see above."));
  /* A missed target is a finding, not a failure of the command. */
  return LAB_CLI_EXIT_OK;
}

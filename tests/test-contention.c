/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "lab-http-server.h"
#include "lab-machine.h"
#include "lab-reading.h"
#include "lab-test-run.h"

/* Noise and contention: the background CPU of repetitions and cells, the
 * unstable flag, the readings that put them in words, and the CPU time of
 * the user interface's own threads. The contention tests start real busy
 * processes for about a second. */

/* Hogs ------------------------------------------------------------------ */

static void
hog_child_setup (gpointer data)
{
  /* Whatever becomes of the test, its hogs die with it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* One busy shell loop per two CPUs, at least one: about half the machine. */
static GPtrArray *
start_hogs (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  GPtrArray *hogs = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = MAX (1, lab_machine_n_cpus () / 2);

  g_subprocess_launcher_set_child_setup (launcher, hog_child_setup, NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GSubprocess *hog = g_subprocess_launcher_spawn (launcher, &error,
                                                      "/bin/sh", "-c", "while :; do :; done", NULL);

      g_assert_no_error (error);
      g_ptr_array_add (hogs, hog);
    }
  /* Let them get going before anything is measured. */
  g_usleep (100 * 1000);
  return hogs;
}

static void
stop_hogs (GPtrArray *hogs)
{
  for (guint i = 0; i < hogs->len; i++)
    {
      GSubprocess *hog = g_ptr_array_index (hogs, i);

      g_subprocess_force_exit (hog);
      g_subprocess_wait (hog, NULL, NULL);
    }
  g_ptr_array_unref (hogs);
}

static LabRun *
execute (const char *spec,
         const char *modes,
         guint64     size,
         guint       tasks)
{
  const guint workers[] = { 2 };
  LabRunBuilder *builder = lab_test_builder (spec, modes, workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, size);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  return run;
}

/* A busy process next to the run: 4 × 250 ms of waiting in a row use no
 * CPU of their own, so what the machine did meanwhile was the hogs'. */
static void
test_hog (void)
{
  GPtrArray *hogs = start_hogs ();
  g_autoptr(LabRun) run = execute ("io:sleep", "sequential", 250, 4);
  LabCell *cell;
  LabRepetition *rep;
  g_autofree char *trust = NULL;
  g_autofree char *run_trust = NULL;
  g_autofree char *percent = NULL;

  stop_hogs (hogs);

  cell = lab_run_find_cell (run, LAB_MODE_SEQUENTIAL, 1);
  g_assert_nonnull (cell);
  rep = g_ptr_array_index (lab_cell_get_repetitions (cell), 0);
  g_assert_cmpfloat (rep->wall_s, >=, 1.0);
  g_assert_cmpfloat (rep->background_cpu, >=, 0.25);
  g_assert_cmpfloat (rep->background_cpu, <=, 1.0);
  g_assert_cmpfloat (lab_cell_get_background_cpu (cell), >=, 0.25);

  trust = lab_reading_trust (cell);
  g_assert_nonnull (trust);
  g_assert_nonnull (strstr (trust, "Another program used"));
  percent = g_strdup_printf (" %.0f %% ", 100 * lab_cell_get_background_cpu (cell));
  g_assert_nonnull (strstr (trust, percent));
  run_trust = lab_reading_run_trust (run);
  g_assert_cmpstr (run_trust, ==, trust);
}

/* Without a hog the figures are still there and in range; a cell's figure
 * is known exactly when its repetitions are long enough for /proc/stat's
 * clock ticks to resolve it. */
static void
test_quiet (void)
{
  g_autoptr(LabRun) run = execute ("cpu:primes", "sequential,threads,processes", 2000000, 4);
  GListModel *cells = lab_run_get_cells (run);

  g_assert_cmpuint (g_list_model_get_n_items (cells), ==, 3);
  for (guint c = 0; c < g_list_model_get_n_items (cells); c++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, c);
      LabRepetition *rep = g_ptr_array_index (lab_cell_get_repetitions (cell), 0);
      double background = lab_cell_get_background_cpu (cell);
      gboolean resolved = rep->wall_s >= lab_machine_tick_s () / LAB_CONTENTION_THRESHOLD;

      g_assert_true (isfinite (rep->background_busy_s));
      g_assert_cmpfloat (rep->background_cpu, >=, 0.0);
      g_assert_cmpfloat (rep->background_cpu, <=, 1.0);
      g_assert_cmpint (isfinite (background), ==, resolved);
      if (resolved)
        {
          g_assert_cmpfloat (background, >=, 0.0);
          g_assert_cmpfloat (background, <=, 1.0);
        }
    }
}

/* Synthetic cells -------------------------------------------------------- */

static void
add_rep (LabCell *cell,
         double   wall_s,
         double   background_busy_s)
{
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2, 1, FALSE);

  rep->wall_s = wall_s;
  rep->background_busy_s = background_busy_s;
  rep->finished = TRUE;
  lab_cell_add_repetition (cell, rep);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_unstable (void)
{
  g_autoptr(LabCell) steady = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2);
  g_autoptr(LabCell) single = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2);
  g_autoptr(LabCell) spread = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2);
  g_autofree char *trust = NULL;
  gboolean unstable = FALSE;
  guint notified = 0;

  add_rep (steady, 1.00, NAN);
  add_rep (steady, 1.02, NAN);
  add_rep (steady, 0.98, NAN);
  add_rep (steady, 1.01, NAN);
  lab_cell_update (steady, NAN);
  g_assert_false (lab_cell_get_unstable (steady));
  g_assert_true (isnan (lab_cell_get_background_cpu (steady)));
  g_assert_null (lab_reading_trust (steady));

  /* One repetition says nothing about its spread. */
  add_rep (single, 1.0, NAN);
  lab_cell_update (single, NAN);
  g_assert_false (lab_cell_get_unstable (single));

  /* Median 317 ms, MAD 106 ms: 33 %. */
  g_signal_connect (spread, "notify::unstable", G_CALLBACK (count_notify), &notified);
  add_rep (spread, 0.317, NAN);
  add_rep (spread, 0.211, NAN);
  add_rep (spread, 0.423, NAN);
  lab_cell_update (spread, NAN);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (spread, "unstable", &unstable, NULL);
  g_assert_true (unstable);
  g_assert_true (lab_cell_get_unstable (spread));

  trust = lab_reading_trust (spread);
  g_assert_cmpstr (trust, ==,
                   "The repetitions varied by ± 106.0 ms around a median of 317.0 ms (33 %): "
                   "the figures are not reliable. Run again with more repetitions on a quiet machine.");
}

static void
test_background_aggregate (void)
{
  double n_cpus = lab_machine_n_cpus ();
  g_autoptr(LabCell) cell = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2);
  g_autoptr(LabCell) short_cell = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2);
  g_autofree char *trust = NULL;
  double background = NAN;
  guint notified = 0;

  /* 30 % for 1 s, then a tick's rounding below zero for 0.2 s: the cell is
   * (0.30 − 0.01) ÷ 1.2 of its capacity, not a median or mean of ratios
   * clamped one by one (0.15). */
  g_signal_connect (cell, "notify::background-cpu", G_CALLBACK (count_notify), &notified);
  add_rep (cell, 1.0, 0.30 * n_cpus);
  add_rep (cell, 0.2, -0.01 * n_cpus);
  lab_cell_update (cell, NAN);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (cell, "background-cpu", &background, NULL);
  g_assert_cmpfloat_with_epsilon (background, 0.29 / 1.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (lab_cell_get_background_cpu (cell), 0.29 / 1.2, 1e-9);

  /* Unstable too (1.0 s vs 0.2 s), but contention is what to say. */
  g_assert_true (lab_cell_get_unstable (cell));
  trust = lab_reading_trust (cell);
  g_assert_cmpstr (trust, ==,
                   "Another program used 24 % of the CPU during this run: the figures are not "
                   "reliable. Close it and run again.");

  /* 10 ms: one clock tick per CPU is all of it, so it is not known. */
  add_rep (short_cell, 0.010, 0.5 * 0.010 * n_cpus);
  lab_cell_update (short_cell, NAN);
  g_assert_true (isnan (lab_cell_get_background_cpu (short_cell)));
  g_assert_null (lab_reading_trust (short_cell));
}

/* Comparisons -------------------------------------------------------------- */

/* A cell of threads ×2 with repetitions of @walls (seconds, up to a
 * negative one), @failed tasks failed in the first and @background of the
 * machine's CPU used by other programs in each. */
static LabCell *
cell_of (const double *walls,
         guint         failed,
         double        background)
{
  LabCell *cell = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2);

  for (guint i = 0; walls[i] >= 0; i++)
    {
      g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, 2, i + 1, FALSE);

      rep->wall_s = walls[i];
      rep->background_busy_s = background * walls[i] * lab_machine_n_cpus ();
      rep->failed_tasks = i == 0 ? failed : 0;
      rep->finished = TRUE;
      lab_cell_add_repetition (cell, rep);
    }
  lab_cell_update (cell, NAN);
  return cell;
}

static void
assert_change (LabCell   *before,
               LabCell   *after,
               LabChange  expected_change,
               LabDoubt   expected_doubt)
{
  LabDoubt doubt = -1;
  double ratio = 0;

  g_assert_cmpint (lab_reading_compare_cells (before, after, &doubt, &ratio), ==, expected_change);
  g_assert_cmpint (doubt, ==, expected_doubt);
  if (expected_change == LAB_CHANGE_UNKNOWN)
    g_assert_true (isnan (ratio));
  else
    g_assert_cmpfloat_with_epsilon (ratio, lab_cell_get_median_s (before) / lab_cell_get_median_s (after), 1e-12);
}

/* Two measurements of a cell differ only by more than their repetitions
 * vary and by 1 %, and only when both can be trusted: else the change is
 * within the spread, about the same, or doubtful, and the doubt says why. */
static void
test_compare (void)
{
  static const double steady_walls[] = { 1.00, 1.02, 0.98, -1 };
  static const double faster_walls[] = { 0.80, 0.81, 0.79, -1 };
  /* Medians 1.00 s and 1.05 s; MADs 60 ms and 50 ms. */
  static const double loose_walls[] = { 1.00, 1.06, 0.94, -1 };
  static const double near_walls[] = { 1.05, 1.10, 1.00, -1 };
  /* 5 ms apart, 1 ms of MAD each: beyond the spread, within 1 %. */
  static const double tight_walls[] = { 1.000, 1.001, 0.999, -1 };
  static const double close_walls[] = { 1.005, 1.006, 1.004, -1 };
  /* Median 317 ms, MAD 106 ms (33 %): 3.2 times faster than steady. */
  static const double spread_walls[] = { 0.317, 0.211, 0.423, -1 };
  static const double single_walls[] = { 0.5, -1 };
  static const double no_walls[] = { -1 };
  g_autoptr(LabCell) steady = cell_of (steady_walls, 0, 0);
  g_autoptr(LabCell) faster = cell_of (faster_walls, 0, 0);
  g_autoptr(LabCell) loose = cell_of (loose_walls, 0, 0);
  g_autoptr(LabCell) near = cell_of (near_walls, 0, 0);
  g_autoptr(LabCell) tight = cell_of (tight_walls, 0, 0);
  g_autoptr(LabCell) close = cell_of (close_walls, 0, 0);
  g_autoptr(LabCell) spread = cell_of (spread_walls, 0, 0);
  g_autoptr(LabCell) busy = cell_of (faster_walls, 0, 0.45);
  g_autoptr(LabCell) failed = cell_of (faster_walls, 2, 0);
  g_autoptr(LabCell) busy_spread = cell_of (spread_walls, 0, 0.45);
  g_autoptr(LabCell) single = cell_of (single_walls, 0, 0);
  g_autoptr(LabCell) empty = cell_of (no_walls, 0, 0);
  double severity = -1;

  assert_change (steady, faster, LAB_CHANGE_FASTER, LAB_DOUBT_NONE);
  assert_change (faster, steady, LAB_CHANGE_SLOWER, LAB_DOUBT_NONE);
  assert_change (loose, near, LAB_CHANGE_WITHIN_SPREAD, LAB_DOUBT_NONE);
  assert_change (near, loose, LAB_CHANGE_WITHIN_SPREAD, LAB_DOUBT_NONE);
  assert_change (tight, close, LAB_CHANGE_SAME, LAB_DOUBT_NONE);
  assert_change (steady, steady, LAB_CHANGE_SAME, LAB_DOUBT_NONE);

  /* However large the change, figures that cannot be trusted give none. */
  assert_change (steady, spread, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_UNSTABLE);
  assert_change (spread, steady, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_UNSTABLE);
  assert_change (steady, busy, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_CONTENTION);
  assert_change (steady, failed, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_FAILED);
  assert_change (steady, single, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_ONE_REPETITION);
  /* The worse of the two. */
  assert_change (spread, busy, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_CONTENTION);
  assert_change (failed, spread, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_FAILED);
  assert_change (single, spread, LAB_CHANGE_DOUBTFUL, LAB_DOUBT_UNSTABLE);

  assert_change (steady, empty, LAB_CHANGE_UNKNOWN, LAB_DOUBT_NONE);
  assert_change (empty, steady, LAB_CHANGE_UNKNOWN, LAB_DOUBT_NONE);

  /* Each doubt with how bad it is, to name the worst cell of a run. */
  g_assert_cmpint (lab_reading_comparison_doubt (steady, &severity), ==, LAB_DOUBT_NONE);
  g_assert_cmpfloat (severity, ==, 0);
  g_assert_cmpint (lab_reading_comparison_doubt (spread, &severity), ==, LAB_DOUBT_UNSTABLE);
  g_assert_cmpfloat_with_epsilon (severity, 0.106 / 0.317, 1e-9);
  g_assert_cmpint (lab_reading_comparison_doubt (busy_spread, &severity), ==, LAB_DOUBT_CONTENTION);
  g_assert_cmpfloat_with_epsilon (severity, 0.45, 1e-9);
  g_assert_cmpint (lab_reading_comparison_doubt (failed, &severity), ==, LAB_DOUBT_FAILED);
  g_assert_cmpfloat (severity, ==, 2);
  g_assert_cmpint (lab_reading_comparison_doubt (single, &severity), ==, LAB_DOUBT_ONE_REPETITION);
  g_assert_cmpfloat (severity, ==, 0);
}

/* The user interface's CPU ----------------------------------------------- */

static double
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Uses @seconds of CPU in the calling thread, however busy the machine. */
static void
spin (double seconds)
{
  double end = thread_cpu_s () + seconds;

  while (thread_cpu_s () < end)
    ;
}

/* A thread that spins, says so, and stays alive until released: a thread
 * that has exited is gone from /proc/self/task whatever its name. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean spun;
  gboolean released;
} Spinner;

static void
spinner_run (Spinner *spinner)
{
  spin (0.3);
  g_mutex_lock (&spinner->lock);
  spinner->spun = TRUE;
  g_cond_broadcast (&spinner->cond);
  while (!spinner->released)
    g_cond_wait (&spinner->cond, &spinner->lock);
  g_mutex_unlock (&spinner->lock);
}

static void
spinner_wait_spun (Spinner *spinner)
{
  g_mutex_lock (&spinner->lock);
  while (!spinner->spun)
    g_cond_wait (&spinner->cond, &spinner->lock);
  g_mutex_unlock (&spinner->lock);
}

static void
spinner_release (Spinner *spinner)
{
  g_mutex_lock (&spinner->lock);
  spinner->released = TRUE;
  g_cond_broadcast (&spinner->cond);
  g_mutex_unlock (&spinner->lock);
}

static gpointer
spinner_thread (gpointer data)
{
  spinner_run (data);
  return NULL;
}

static void
spinner_pool_func (gpointer data,
                   gpointer user_data)
{
  spinner_run (user_data);
}

static void
test_ui_cpu (void)
{
  Spinner engine = { 0 }, pooled = { 0 };
  GThread *thread;
  GThreadPool *pool;
  double before, after;

  if (isnan (lab_machine_ui_cpu_s ()))
    {
      g_test_skip ("/proc/self/task is not available");
      return;
    }

  /* An engine thread's CPU is not the user interface's. */
  before = lab_machine_ui_cpu_s ();
  thread = g_thread_new ("lab-test-busy", spinner_thread, &engine);
  spinner_wait_spun (&engine);
  after = lab_machine_ui_cpu_s ();
  spinner_release (&engine);
  g_thread_join (thread);
  g_assert_cmpfloat (after - before, <=, 0.05);

  /* Nor is a thread pool's, where the engine runs tasks. */
  before = lab_machine_ui_cpu_s ();
  pool = g_thread_pool_new (spinner_pool_func, &pooled, 1, TRUE, NULL);
  g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
  spinner_wait_spun (&pooled);
  after = lab_machine_ui_cpu_s ();
  spinner_release (&pooled);
  g_thread_pool_free (pool, FALSE, TRUE);
  g_assert_cmpfloat (after - before, <=, 0.05);

  /* The main thread's is. */
  before = lab_machine_ui_cpu_s ();
  spin (0.3);
  after = lab_machine_ui_cpu_s ();
  g_assert_cmpfloat (after - before, >=, 0.2);
}

/* Whether a thread of this process is named @name now. */
static gboolean
have_thread_named (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strchomp (comm), name))
        return TRUE;
    }
  return FALSE;
}

static void
check_coordinator_named (LabRun        *run,
                         LabRepetition *rep,
                         gboolean      *seen)
{
  *seen = have_thread_named ("lab-run");
}

/* The engine's threads are named "lab-…" (at most 15 bytes, or the kernel
 * keeps the process's name), so that lab_machine_ui_cpu_s() leaves them out. */
static void
test_thread_names (void)
{
  g_autoptr(LabHttpServer) server = lab_http_server_new ();
  g_autoptr(GError) error = NULL;
  const guint workers[] = { 1 };
  LabRunBuilder *builder;
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  gboolean seen = FALSE;

  g_assert_true (lab_http_server_start_in_thread (server, 0, &error));
  g_assert_no_error (error);
  g_assert_true (have_thread_named ("lab-http-server"));
  lab_http_server_stop (server);

  builder = lab_test_builder ("io:sleep", "sequential", workers, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 1);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_signal_connect (run, "repetition-started", G_CALLBACK (check_coordinator_named), &seen);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_true (seen);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/contention/hog", test_hog);
  g_test_add_func ("/contention/quiet", test_quiet);
  g_test_add_func ("/contention/unstable", test_unstable);
  g_test_add_func ("/contention/background-aggregate", test_background_aggregate);
  g_test_add_func ("/contention/compare", test_compare);
  g_test_add_func ("/contention/ui-cpu", test_ui_cpu);
  g_test_add_func ("/contention/thread-names", test_thread_names);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lab-export.h"
#include "lab-format.h"
#include "lab-http-server.h"
#include "lab-result-set.h"
#include "lab-run.h"
#include "lab-test-run.h"

/* What a run's results say, and what they are compared with: an external
 * baseline, failures over measured repetitions only, the kinds of error,
 * and the settings that make two runs comparable. Real runs of io:sleep
 * and io:download (from the embedded server on 127.0.0.1). */

static LabHttpServer *server;

static char *
server_url (const char *path)
{
  return g_strconcat (lab_http_server_get_base_url (server), path, NULL);
}

/* io:sleep: @tasks tasks of 20 ms each. */
static LabRun *
execute_sleep (const char *modes,
               guint       workers,
               guint       tasks,
               LabCell    *baseline)
{
  LabRunBuilder *builder = lab_test_builder ("io:sleep", modes, &workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 20);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  lab_run_set_baseline (run, baseline);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
  return run;
}

/* A sequential cell of one finished repetition, as if measured. */
static LabCell *
fake_sequential_cell (double wall_s,
                      guint  failed_tasks)
{
  LabCell *cell = lab_cell_new (LAB_RUNTIME_NATIVE, LAB_MODE_SEQUENTIAL, 1);
  g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, LAB_MODE_SEQUENTIAL, 1, 1, FALSE);

  rep->wall_s = wall_s;
  rep->tasks = 8;
  rep->ok_tasks = rep->tasks - failed_tasks;
  rep->failed_tasks = failed_tasks;
  rep->finished = TRUE;
  lab_cell_add_repetition (cell, rep);
  lab_cell_update (cell, NAN);
  return cell;
}

static void
assert_speedup (LabCell *cell,
                double   expected)
{
  GPtrArray *reps = lab_cell_get_repetitions (cell);
  double speedup = lab_cell_get_speedup (cell);

  if (isnan (expected))
    {
      g_assert_true (isnan (speedup));
      g_assert_true (isnan (lab_cell_get_efficiency (cell)));
    }
  else
    {
      double efficiency = expected / lab_cell_get_workers (cell);

      g_assert_cmpfloat_with_epsilon (speedup, expected, 1e-9 * expected);
      g_assert_cmpfloat_with_epsilon (lab_cell_get_efficiency (cell), efficiency,
                                      1e-9 * efficiency);
    }

  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);

      if (isnan (expected))
        {
          g_assert_true (isnan (rep->speedup));
          g_assert_true (isnan (rep->efficiency));
        }
      else
        g_assert_true (isfinite (rep->speedup) && rep->speedup > 0);
    }
}

/* Sequential alone, then threads alone with the same settings: the
 * threads get a speed-up against the earlier sequential cell. */
static void
test_external_baseline (void)
{
  g_autoptr(LabRun) sequential_run = execute_sleep ("sequential", 1, 8, NULL);
  g_autoptr(LabRun) threads_run = NULL;
  g_autoptr(LabRun) late_run = NULL;
  LabCell *sequential = lab_run_find_cell (sequential_run, LAB_MODE_SEQUENTIAL, 1);
  LabCell *threads;
  double expected;

  g_assert_nonnull (sequential);
  g_assert_true (isfinite (lab_cell_get_median_s (sequential)));
  g_assert_cmpfloat (lab_cell_get_speedup (sequential), ==, 1.0);

  /* Set before the run: the cells are compared as they finish. */
  threads_run = execute_sleep ("threads", 4, 8, sequential);
  g_assert_true (lab_run_get_baseline (threads_run) == sequential);
  threads = lab_run_find_cell (threads_run, LAB_MODE_THREADS, 4);
  expected = lab_cell_get_median_s (sequential) / lab_cell_get_median_s (threads);
  assert_speedup (threads, expected);
  /* 8 × 20 ms one after another, two rounds of 20 ms with 4 threads. */
  g_test_message ("threads ×4 against an earlier sequential run: %.2f×", expected);
  g_assert_cmpfloat (expected, >, 1.5);

  /* Unset and set again after the run. */
  lab_run_set_baseline (threads_run, NULL);
  g_assert_null (lab_run_get_baseline (threads_run));
  assert_speedup (threads, NAN);
  g_object_set (threads_run, "baseline", sequential, NULL);
  assert_speedup (threads, expected);

  /* Without a sequential cell nor a baseline: no speed-up. */
  late_run = execute_sleep ("threads", 2, 4, NULL);
  assert_speedup (lab_run_find_cell (late_run, LAB_MODE_THREADS, 2), NAN);
}

/* A run's own sequential cell wins over the external baseline. */
static void
test_own_baseline_wins (void)
{
  g_autoptr(LabCell) slow = fake_sequential_cell (1000.0, 0);
  g_autoptr(LabRun) run = execute_sleep ("sequential,threads", 4, 8, slow);
  LabCell *sequential = lab_run_find_cell (run, LAB_MODE_SEQUENTIAL, 1);
  LabCell *threads = lab_run_find_cell (run, LAB_MODE_THREADS, 4);

  assert_speedup (sequential, 1.0);
  assert_speedup (threads, lab_cell_get_median_s (sequential) / lab_cell_get_median_s (threads));
}

/* A baseline that did not do all its work compares with nothing. */
static void
test_failed_baseline (void)
{
  g_autoptr(LabCell) failed = fake_sequential_cell (0.2, 1);
  g_autoptr(LabCell) good = fake_sequential_cell (0.2, 0);
  g_autoptr(LabRun) run = execute_sleep ("threads", 2, 4, failed);
  LabCell *threads = lab_run_find_cell (run, LAB_MODE_THREADS, 2);

  assert_speedup (threads, NAN);
  lab_run_set_baseline (run, good);
  assert_speedup (threads, 0.2 / lab_cell_get_median_s (threads));
}

/* Downloads of which some fail, with a warm-up: the run counts the
 * failures the cells count, gives no speed-up, and sorts the errors. */
static void
test_failures (void)
{
  const guint workers = 2;
  const char *modes = "sequential,threads,processes";
  LabRunBuilder *builder = lab_test_builder ("io:download", modes, &workers, 1);
  const char *paths[] = { "/bytes/100", "/status/404", "/status/500" };
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *cells;
  guint cell_failed = 0;
  guint kind_failed = 0;
  LabErrorKind *kind;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = server_url (paths[i]);

      lab_run_builder_add_url (builder, url);
    }
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 6);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 2);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);

  /* 3 cells × 2 measured repetitions × 4 failed tasks; the warm-ups apart. */
  cells = lab_run_get_cells (run);
  g_assert_cmpuint (g_list_model_get_n_items (cells), ==, 3);
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      g_assert_cmpuint (lab_cell_get_failed_tasks (cell), ==, 2 * 4);
      g_assert_true (isfinite (lab_cell_get_median_s (cell)));
      assert_speedup (cell, NAN);
      cell_failed += lab_cell_get_failed_tasks (cell);
    }
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, cell_failed);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 3 * 2 * 4);
  g_assert_cmpuint (lab_run_get_warmup_failed_tasks (run), ==, 3 * 1 * 4);

  /* The first task to fail fetched /status/404 (task 1 of the first
   * sequential repetition). */
  kinds = lab_run_dup_error_kinds (run);
  g_assert_cmpuint (kinds->len, ==, 2);
  for (guint i = 0; i < kinds->len; i++)
    {
      kind = g_ptr_array_index (kinds, i);
      g_test_message ("%u × %s", kind->count, kind->message);
      kind_failed += kind->count;
    }
  g_assert_cmpuint (kind_failed, ==, lab_run_get_failed_tasks (run));
  kind = g_ptr_array_index (kinds, 0);
  g_assert_nonnull (strstr (kind->message, "HTTP 404"));
  g_assert_cmpuint (kind->count, ==, 3 * 2 * 2);
  kind = g_ptr_array_index (kinds, 1);
  g_assert_nonnull (strstr (kind->message, "HTTP 500"));
  g_assert_cmpuint (kind->count, ==, 3 * 2 * 2);

  /* Shown as a result set (the window's table), the same failures and
   * the same kinds, in the same order. */
  {
    g_autoptr(LabResultSet) set = lab_result_set_new (config);
    g_autoptr(GPtrArray) set_kinds = NULL;

    lab_result_set_add_run (set, run);
    g_assert_cmpuint (lab_result_set_get_failed_tasks (set), ==, lab_run_get_failed_tasks (run));
    set_kinds = lab_result_set_dup_error_kinds (set);
    g_assert_cmpuint (set_kinds->len, ==, kinds->len);
    for (guint i = 0; i < kinds->len; i++)
      {
        LabErrorKind *expected = g_ptr_array_index (kinds, i);
        LabErrorKind *actual = g_ptr_array_index (set_kinds, i);

        g_assert_cmpstr (actual->message, ==, expected->message);
        g_assert_cmpuint (actual->count, ==, expected->count);
      }
  }
}

static void
test_no_errors (void)
{
  g_autoptr(LabRun) run = execute_sleep ("threads", 2, 2, NULL);
  g_autoptr(GPtrArray) kinds = lab_run_dup_error_kinds (run);

  g_assert_cmpuint (kinds->len, ==, 0);
  g_assert_cmpuint (lab_run_get_warmup_failed_tasks (run), ==, 0);
}

/* Settings ------------------------------------------------------------------ */

typedef struct
{
  const char *spec;
  const char *modes;
  guint       workers;
  guint       repeat;
  guint       warmup;
  guint       nice;
  guint64     size;       /* 0: the default */
  guint       tasks;
  guint       delay_ms;   /* io:download from a server */
  const char *server;     /* io:download: its address */
} Settings;

static LabRunConfig *
build_settings (const Settings *s)
{
  LabRunBuilder *builder = lab_test_builder (s->spec, s->modes, &s->workers, 1);

  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, s->repeat);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, s->warmup);
  lab_run_builder_set_number (builder, LAB_PARAM_NICE, s->nice);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, s->tasks);
  if (s->size != 0)
    lab_run_builder_set_number (builder, LAB_PARAM_SIZE, s->size);
  if (s->server != NULL)
    {
      lab_run_builder_set_server (builder, s->server);
      lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, s->delay_ms);
    }
  return lab_test_build (builder);
}

static char *
settings_key (const Settings *s)
{
  g_autoptr(LabRunConfig) config = build_settings (s);

  return lab_run_config_dup_settings_key (config);
}

static void
assert_same_settings (const Settings *a,
                      const Settings *b,
                      gboolean        same)
{
  g_autofree char *key_a = settings_key (a);
  g_autofree char *key_b = settings_key (b);

  g_test_message ("%s\n%s", key_a, key_b);
  if (same)
    g_assert_cmpstr (key_a, ==, key_b);
  else
    g_assert_cmpstr (key_a, !=, key_b);
}

static void
test_settings_key (void)
{
  const char *a = "http://127.0.0.1:4000";
  const char *b = "http://127.0.0.1:5000";
  const Settings primes = { "cpu:primes", "sequential", 1, 1, 0, 0, 100000, 32 };
  const Settings primes_sweep = { "cpu:primes", "threads,processes", 4, 5, 2, 10, 100000, 32 };
  const Settings primes_size = { "cpu:primes", "sequential", 1, 1, 0, 0, 200000, 32 };
  const Settings primes_tasks = { "cpu:primes", "sequential", 1, 1, 0, 0, 100000, 16 };
  const Settings pi = { "cpu:pi", "sequential", 1, 1, 0, 0, 100000, 32 };
  const Settings sleep = { "io:sleep", "sequential", 1, 1, 0, 0, 100000, 32 };
  const Settings download = { "io:download", "sequential", 1, 1, 0, 0, 0, 32, 100, a };
  const Settings download_sweep = { "io:download", "threads,async", 8, 3, 1, 0, 0, 32, 100, a };
  const Settings download_moved = { "io:download", "sequential", 1, 1, 0, 0, 0, 32, 100, b };
  const Settings download_delay = { "io:download", "sequential", 1, 1, 0, 0, 0, 32, 200, a };
  const Settings download_tasks = { "io:download", "sequential", 1, 1, 0, 0, 0, 16, 100, a };

  /* Modes, workers, repetitions, warm-ups and niceness do not count… */
  assert_same_settings (&primes, &primes_sweep, TRUE);
  assert_same_settings (&download, &download_sweep, TRUE);
  /* … nor where the embedded server listens. */
  assert_same_settings (&download, &download_moved, TRUE);

  /* The work does. */
  assert_same_settings (&primes, &primes_size, FALSE);
  assert_same_settings (&primes, &primes_tasks, FALSE);
  assert_same_settings (&primes, &pi, FALSE);
  assert_same_settings (&primes, &sleep, FALSE);
  assert_same_settings (&download, &download_delay, FALSE);
  assert_same_settings (&download, &download_tasks, FALSE);
}

static void
test_settings_key_urls (void)
{
  const guint workers = 1;
  LabRunBuilder *one = lab_test_builder ("io:download", "sequential", &workers, 1);
  LabRunBuilder *other = lab_test_builder ("io:download", "threads", &workers, 1);
  LabRunBuilder *capped = lab_test_builder ("io:download", "sequential", &workers, 1);
  g_autoptr(LabRunConfig) config_one = NULL;
  g_autoptr(LabRunConfig) config_other = NULL;
  g_autoptr(LabRunConfig) config_capped = NULL;
  g_autofree char *key_one = NULL;
  g_autofree char *key_other = NULL;
  g_autofree char *key_capped = NULL;

  lab_run_builder_add_url (one, "http://example.org/a");
  lab_run_builder_add_url (other, "http://example.org/b");
  lab_run_builder_add_url (capped, "http://example.org/a");
  lab_run_builder_set_number (capped, LAB_PARAM_MAX_BYTES, 4096);
  config_one = lab_test_build (one);
  config_other = lab_test_build (other);
  config_capped = lab_test_build (capped);
  key_one = lab_run_config_dup_settings_key (config_one);
  key_other = lab_run_config_dup_settings_key (config_other);
  key_capped = lab_run_config_dup_settings_key (config_capped);

  g_assert_cmpstr (key_one, !=, key_other);
  g_assert_cmpstr (key_one, !=, key_capped);
}

static void
assert_describes (const LabRunConfig *config,
                  const char         *expected)
{
  g_autofree char *text = lab_run_config_describe_settings (config);

  g_test_message ("%s", text);
  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, "");
  g_assert_nonnull (strstr (text, expected));
}

static void
test_describe_settings (void)
{
  const guint workers = 2;
  const Settings primes = { "cpu:primes", "threads", 2, 1, 0, 0, 2000000, 32 };
  const Settings sleep = { "io:sleep", "threads", 2, 1, 0, 0, 150, 32 };
  g_autoptr(LabRunConfig) primes_config = build_settings (&primes);
  g_autoptr(LabRunConfig) sleep_config = build_settings (&sleep);
  g_autoptr(LabRunConfig) download_config = NULL;
  g_autoptr(LabRunConfig) urls_config = NULL;
  g_autofree char *size = lab_format_count (2000000);
  LabRunBuilder *builder;

  assert_describes (primes_config, size);
  assert_describes (primes_config, "32");
  assert_describes (sleep_config, "150 ms");

  builder = lab_test_builder ("io:download", "threads", &workers, 1);
  lab_run_builder_set_server (builder, "http://127.0.0.1:4000");
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 32);
  lab_run_builder_set_number (builder, LAB_PARAM_BYTES, 1024);
  lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, 100);
  download_config = lab_test_build (builder);
  g_assert_true (download_config->server);
  assert_describes (download_config, "1 KiB");
  assert_describes (download_config, "100 ms");
  assert_describes (download_config, "32 downloads");

  builder = lab_test_builder ("io:download", "threads", &workers, 1);
  lab_run_builder_add_url (builder, "http://example.org/a");
  lab_run_builder_add_url (builder, "http://example.org/b");
  lab_run_builder_add_url (builder, "http://example.org/c");
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 32);
  urls_config = lab_test_build (builder);
  g_assert_false (urls_config->server);
  assert_describes (urls_config, "32 downloads from 3 URLs");
}

/* Cancels the run once two tasks of its second repetition are done. */
static void
cancel_in_second_repetition (LabRun        *run,
                             LabRepetition *rep,
                             guint          first,
                             guint          n_spans,
                             gpointer       user_data)
{
  if (rep->repeat == 2 && rep->spans->len >= 2)
    g_cancellable_cancel (user_data);
}

/* A run cancelled in the middle of a repetition keeps the tasks of it
 * that were done, marked; no median or speed-up counts them. */
static void
test_interrupted_repetition (void)
{
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "sequential", (const guint[]) { 1 }, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LabCsv) csv = NULL;
  GPtrArray *reps;
  LabRepetition *first, *second;
  LabCell *cell;
  guint interrupted_rows = 0;
  g_auto(GStrv) lines = NULL;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 100);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 4);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 3);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_signal_connect (run, "spans-added", G_CALLBACK (cancel_in_second_repetition), cancellable);
  g_assert_false (lab_run_execute (run, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  reps = lab_run_get_repetitions (run);
  g_assert_cmpuint (reps->len, ==, 2);
  first = g_ptr_array_index (reps, 0);
  second = g_ptr_array_index (reps, 1);
  g_assert_true (first->finished && !first->interrupted);
  g_assert_true (second->interrupted && !second->finished);
  g_assert_cmpuint (second->ok_tasks, >=, 2);
  g_assert_cmpuint (second->ok_tasks + second->failed_tasks, ==, second->spans->len);
  g_assert_true (isnan (second->wall_s));

  /* Out of the cell and its figures, out of the run's failures. */
  cell = lab_run_find_cell (run, LAB_MODE_SEQUENTIAL, 1);
  g_assert_cmpuint (lab_cell_get_repetitions (cell)->len, ==, 1);
  g_assert_cmpfloat (lab_cell_get_median_s (cell), ==, first->wall_s);
  g_assert_cmpuint (lab_cell_get_ok_tasks (cell), ==, 4);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);

  /* In the spans, marked. */
  csv = lab_export_spans_csv (run);
  lines = g_strsplit (lab_csv_get_text (csv), "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + first->spans->len + second->spans->len + 1);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      gboolean marked = g_str_has_suffix (lines[i], ",true");

      g_assert_true (marked || g_str_has_suffix (lines[i], ",false"));
      interrupted_rows += marked;
    }
  g_assert_cmpuint (interrupted_rows, ==, second->spans->len);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = lab_http_server_new ();
  if (!lab_http_server_start_in_thread (server, 0, &error))
    g_error ("cannot start the embedded server: %s", error->message);

  g_test_add_func ("/run-results/external-baseline", test_external_baseline);
  g_test_add_func ("/run-results/own-baseline-wins", test_own_baseline_wins);
  g_test_add_func ("/run-results/failed-baseline", test_failed_baseline);
  g_test_add_func ("/run-results/failures", test_failures);
  g_test_add_func ("/run-results/no-errors", test_no_errors);
  g_test_add_func ("/run-results/settings-key", test_settings_key);
  g_test_add_func ("/run-results/settings-key-urls", test_settings_key_urls);
  g_test_add_func ("/run-results/describe-settings", test_describe_settings);
  g_test_add_func ("/run-results/interrupted-repetition", test_interrupted_repetition);

  status = g_test_run ();
  lab_http_server_stop (server);
  g_clear_object (&server);
  return status;
}

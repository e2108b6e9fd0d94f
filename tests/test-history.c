/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lab-async.h"
#include "lab-export.h"
#include "lab-history.h"
#include "lab-run-recorder.h"
#include "lab-test-run.h"

/* The run history on a real SQLite file: each test has its own
 * XDG_DATA_HOME (G_TEST_OPTION_ISOLATE_DIRS), so lab_history_open (NULL)
 * opens a database of its own. Runs are real runs of the engine. */

static LabHistory *
open_history (void)
{
  g_autoptr(GError) error = NULL;
  LabHistory *history = lab_history_open (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (history);
  g_assert_null (lab_history_get_recovery_message (history));
  return history;
}

static char *
history_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "concurrency-lab", "history.db", NULL);
}

/* One integer from @sql on a connection of the test's own */
static gint64
query_int (const char *sql)
{
  g_autofree char *path = history_path ();
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
execute_sql (const char *sql)
{
  g_autofree char *path = history_path ();
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* cpu:sumsq in sequential, threads and processes with W = 2: one
 * warm-up and two measured repetitions each, spans with worker PIDs */
static LabRunConfig *
sumsq_config (void)
{
  const guint workers = 2;
  LabRunBuilder *builder = lab_test_builder ("cpu:sumsq", "sequential,threads,processes", &workers, 1);

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 300000);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 6);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 2);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 1);
  return lab_test_build (builder);
}

/* io:sleep, @tasks tasks of @ms in threads with W = 2, @repeat times */
static LabRunConfig *
sleep_config (guint tasks,
              guint ms,
              guint repeat)
{
  const guint workers = 2;
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "threads", &workers, 1);

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, ms);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, repeat);
  return lab_test_build (builder);
}

static void
assert_same_double (double a,
                    double b)
{
  if (isnan (a) && isnan (b))
    return;
  g_assert_cmpfloat (a, ==, b);
}

static void
assert_same_repetition (LabRepetition *a,
                        LabRepetition *b)
{
  g_assert_cmpint (a->runtime, ==, b->runtime);
  g_assert_cmpint (a->mode, ==, b->mode);
  g_assert_cmpuint (a->workers, ==, b->workers);
  g_assert_cmpuint (a->repeat, ==, b->repeat);
  g_assert_cmpint (a->warmup, ==, b->warmup);
  g_assert_cmpint (a->finished, ==, b->finished);
  g_assert_true (g_date_time_equal (a->started_at, b->started_at));
  assert_same_double (a->wall_s, b->wall_s);
  assert_same_double (a->user_s, b->user_s);
  assert_same_double (a->cpu_util, b->cpu_util);
  assert_same_double (a->background_cpu, b->background_cpu);
  assert_same_double (a->startup_s, b->startup_s);
  assert_same_double (a->speedup, b->speedup);
  g_assert_cmpint (a->outlier, ==, b->outlier);
  g_assert_cmpuint (a->checksum, ==, b->checksum);
  g_assert_cmpuint (a->peak_rss_kib, ==, b->peak_rss_kib);
  g_assert_cmpuint (a->ok_tasks, ==, b->ok_tasks);
  g_assert_cmpuint (a->failed_tasks, ==, b->failed_tasks);
  g_assert_cmpuint (a->spans->len, ==, b->spans->len);
  for (guint i = 0; i < a->spans->len; i++)
    {
      const LabSpan *x = &g_array_index (a->spans, LabSpan, i);
      const LabSpan *y = &g_array_index (b->spans, LabSpan, i);

      g_assert_cmpuint (x->task, ==, y->task);
      g_assert_cmpint (x->stage, ==, y->stage);
      g_assert_cmpuint (x->worker, ==, y->worker);
      g_assert_cmpint (x->pid, ==, y->pid);
      g_assert_cmpint (x->tid, ==, y->tid);
      g_assert_cmpint (x->queued_us, ==, y->queued_us);
      g_assert_cmpint (x->start_us, ==, y->start_us);
      g_assert_cmpint (x->end_us, ==, y->end_us);
      g_assert_cmpuint (x->checksum, ==, y->checksum);
      g_assert_cmpint (x->status, ==, y->status);
      g_assert_cmpstr (x->error, ==, y->error);
    }
  g_assert_cmpuint (a->gil_intervals->len, ==, b->gil_intervals->len);
  g_assert_cmpuint (a->queue_samples->len, ==, b->queue_samples->len);
}

/* Everything a window or an export reads of a run is the same in @loaded
 * as in @live. */
static void
assert_same_run (LabRun *live,
                 LabRun *loaded)
{
  g_autofree char *live_record = lab_run_config_to_record (lab_run_get_config (live));
  g_autofree char *loaded_record = lab_run_config_to_record (lab_run_get_config (loaded));
  GListModel *live_cells = lab_run_get_cells (live);
  GListModel *loaded_cells = lab_run_get_cells (loaded);
  g_autoptr(LabCsv) live_results = lab_export_results_csv (live);
  g_autoptr(LabCsv) loaded_results = lab_export_results_csv (loaded);
  g_autoptr(LabCsv) live_spans = lab_export_spans_csv (live);
  g_autoptr(LabCsv) loaded_spans = lab_export_spans_csv (loaded);
  g_autofree char *live_json = lab_export_json (live, TRUE);
  g_autofree char *loaded_json = lab_export_json (loaded, TRUE);

  g_assert_false (lab_run_get_running (loaded));
  g_assert_cmpstr (lab_run_get_id (loaded), ==, lab_run_get_id (live));
  g_assert_true (g_date_time_equal (lab_run_get_started_at (loaded), lab_run_get_started_at (live)));
  g_assert_cmpstr (loaded_record, ==, live_record);
  g_assert_cmpuint (lab_run_get_repetitions_done (loaded), ==, lab_run_get_repetitions_done (live));
  g_assert_cmpuint (lab_run_get_repetitions_total (loaded), ==, lab_run_get_repetitions_total (live));
  g_assert_cmpuint (lab_run_get_tasks_done (loaded), ==, lab_run_get_tasks_done (live));
  g_assert_cmpuint (lab_run_get_failed_tasks (loaded), ==, lab_run_get_failed_tasks (live));

  g_assert_cmpuint (lab_run_get_repetitions (loaded)->len, ==, lab_run_get_repetitions (live)->len);
  for (guint i = 0; i < lab_run_get_repetitions (live)->len; i++)
    assert_same_repetition (g_ptr_array_index (lab_run_get_repetitions (live), i),
                            g_ptr_array_index (lab_run_get_repetitions (loaded), i));

  g_assert_cmpuint (g_list_model_get_n_items (loaded_cells), ==, g_list_model_get_n_items (live_cells));
  for (guint i = 0; i < g_list_model_get_n_items (live_cells); i++)
    {
      g_autoptr(LabCell) a = g_list_model_get_item (live_cells, i);
      g_autoptr(LabCell) b = g_list_model_get_item (loaded_cells, i);

      g_assert_cmpint (lab_cell_get_mode (a), ==, lab_cell_get_mode (b));
      g_assert_cmpuint (lab_cell_get_workers (a), ==, lab_cell_get_workers (b));
      assert_same_double (lab_cell_get_median_s (a), lab_cell_get_median_s (b));
      assert_same_double (lab_cell_get_speedup (a), lab_cell_get_speedup (b));
      assert_same_double (lab_cell_get_startup_s (a), lab_cell_get_startup_s (b));
    }

  /* The exports, byte for byte */
  g_assert_cmpstr (lab_csv_get_text (loaded_results), ==, lab_csv_get_text (live_results));
  g_assert_cmpstr (lab_csv_get_text (loaded_spans), ==, lab_csv_get_text (live_spans));
  g_assert_cmpstr (loaded_json, ==, live_json);
}

typedef struct
{
  LabHistory *history;
  guint       checked;
} Watch;

/* Whoever connected first, the repetition is in the database before
 * "repetition-finished" says so: with all its spans. */
static void
on_repetition_finished (LabRun        *run,
                        LabRepetition *rep,
                        gpointer       user_data)
{
  Watch *watch = user_data;
  gint64 id = lab_history_get_run_id (watch->history, run);
  g_autofree char *reps = g_strdup_printf ("SELECT count(*) FROM repetitions WHERE run = %" G_GINT64_FORMAT
                                           " AND finished", id);
  g_autofree char *spans = g_strdup_printf ("SELECT count(*) FROM spans JOIN repetitions r ON r.id = repetition "
                                            "WHERE r.run = %" G_GINT64_FORMAT, id);
  guint n_spans = 0;

  g_assert_cmpint (id, >, 0);
  for (guint i = 0; i < lab_run_get_repetitions (run)->len; i++)
    n_spans += ((LabRepetition *) g_ptr_array_index (lab_run_get_repetitions (run), i))->spans->len;
  g_assert_cmpint (query_int (reps), ==, lab_run_get_repetitions_done (run));
  g_assert_cmpint (query_int (spans), ==, n_spans);
  g_assert_true (rep->finished);
  watch->checked++;
}

static gboolean
files_equal (const char *a,
             const char *b)
{
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  gsize len_a, len_b;

  g_assert_true (g_file_get_contents (a, &text_a, &len_a, NULL));
  g_assert_true (g_file_get_contents (b, &text_b, &len_b, NULL));
  return len_a == len_b && memcmp (text_a, text_b, len_a) == 0;
}

static void
test_record_and_load (void)
{
  g_autoptr(LabHistory) history = open_history ();
  g_autoptr(LabHistory) reopened = NULL;
  g_autoptr(LabRunConfig) config = sumsq_config ();
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(LabRun) loaded = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lab-history-XXXXXX", NULL);
  g_autofree char *live_results = g_build_filename (dir, "live-r.csv", NULL);
  g_autofree char *live_spans = g_build_filename (dir, "live-s.csv", NULL);
  g_autofree char *results = g_build_filename (dir, "r.csv", NULL);
  g_autofree char *spans = g_build_filename (dir, "s.csv", NULL);
  Watch watch = { history, 0 };
  GListModel *cells;
  double best = NAN;
  gint64 id;

  /* Connected before the history is: it still sees the commit first. */
  g_signal_connect (run, "repetition-finished", G_CALLBACK (on_repetition_finished), &watch);
  lab_history_track_run (history, run);
  g_assert_cmpint (lab_history_get_run_id (history, run), ==, 0);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (watch.checked, ==, lab_run_get_repetitions_total (run));
  id = lab_history_get_run_id (history, run);
  g_assert_cmpint (id, >, 0);

  /* Another process's view: a history opened anew */
  reopened = open_history ();
  entries = lab_history_list (reopened, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 1);
  entry = g_list_model_get_item (entries, 0);
  g_assert_cmpint (lab_history_entry_get_id (entry), ==, id);
  g_assert_cmpstr (lab_history_entry_get_run_id (entry), ==, lab_run_get_id (run));
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_FINISHED);
  g_assert_cmpstr (lab_history_status_to_string (lab_history_entry_get_status (entry)), ==, "finished");
  g_assert_cmpstr (lab_history_entry_get_workload (entry), ==, "cpu:sumsq");
  g_assert_cmpstr (lab_history_entry_get_modes (entry), ==, "sequential, threads, processes");
  g_assert_cmpstr (lab_history_entry_get_workers (entry), ==, "2");
  g_assert_cmpuint (lab_history_entry_get_repetitions_done (entry), ==, lab_run_get_repetitions_total (run));
  g_assert_cmpuint (lab_history_entry_get_repetitions_total (entry), ==, 3 * 3);
  g_assert_cmpfloat (lab_history_entry_get_runtime_s (entry), >, 0);
  g_assert_null (lab_history_entry_get_error (entry));
  g_assert_cmpuint (lab_history_entry_get_host_cpus (entry), ==, lab_run_get_machine (run)->n_cpus);
  g_assert_true (g_date_time_equal (lab_history_entry_get_started_at (entry), lab_run_get_started_at (run)));

  /* The best speed-up is the live run's best cell */
  cells = lab_run_get_cells (run);
  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      if (lab_cell_get_mode (cell) != LAB_MODE_SEQUENTIAL && !(lab_cell_get_speedup (cell) <= best))
        best = lab_cell_get_speedup (cell);
    }
  g_assert_true (isfinite (best));
  g_assert_cmpfloat (lab_history_entry_get_best_speedup (entry), ==, best);
  g_assert_nonnull (lab_history_entry_get_best_variant (entry));

  loaded = lab_history_load_run (reopened, id, &error);
  g_assert_no_error (error);
  assert_same_run (run, loaded);

  /* The CSV files, as run --csv writes them */
  g_assert_true (lab_export_results (run, live_results, NULL));
  g_assert_true (lab_export_spans (run, live_spans, NULL));
  g_assert_true (lab_history_export_csv (reopened, id, results, spans, &error));
  g_assert_no_error (error);
  g_assert_true (files_equal (results, live_results));
  g_assert_true (files_equal (spans, live_spans));

  /* Deleted with everything recorded with it */
  g_assert_true (lab_history_delete_run (reopened, id, &error));
  g_assert_no_error (error);
  g_clear_object (&entries);
  entries = lab_history_list (history, &error);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM repetitions"), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM spans"), ==, 0);
  g_clear_object (&loaded);
  loaded = lab_history_load_run (history, id, &error);
  g_assert_null (loaded);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lab_history_delete_run (history, id, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lab_history_export_csv (history, id, results, NULL, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND);

  g_remove (live_results);
  g_remove (live_spans);
  g_remove (results);
  g_remove (spans);
  g_rmdir (dir);
}

static void
cancel_after_two (LabRun        *run,
                  LabRepetition *rep,
                  gpointer       cancellable)
{
  if (lab_run_get_repetitions_done (run) == 2)
    g_cancellable_cancel (cancellable);
}

/* A stopped run keeps its completed repetitions, and the one cut short as
 * the run has it. */
static void
test_cancelled (void)
{
  g_autoptr(LabHistory) history = open_history ();
  g_autoptr(LabRunConfig) config = sleep_config (4, 60, 6);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(LabRun) loaded = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  lab_history_track_run (history, run);
  g_signal_connect (run, "repetition-finished", G_CALLBACK (cancel_after_two), cancellable);
  g_assert_false (lab_run_execute (run, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  id = lab_history_get_run_id (history, run);

  entry = lab_history_get_entry (history, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_CANCELLED);
  g_assert_cmpuint (lab_history_entry_get_repetitions_done (entry), ==, 2);
  g_assert_cmpuint (lab_history_entry_get_repetitions_total (entry), ==, 6);

  loaded = lab_history_load_run (history, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_repetitions_done (loaded), ==, 2);
  assert_same_run (run, loaded);
}

static void
test_recording_failed_cb (LabHistory   *history,
                          LabRun       *run,
                          const GError *error,
                          gpointer      user_data)
{
  GError **failure = user_data;

  g_assert_null (*failure);
  *failure = g_error_copy (error);
}

static void
delete_behind_its_back (LabRun        *run,
                        LabRepetition *rep,
                        gpointer       history)
{
  g_autofree char *sql = NULL;

  if (lab_run_get_repetitions_done (run) != 1)
    return;
  sql = g_strdup_printf ("PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = %" G_GINT64_FORMAT,
                         lab_history_get_run_id (history, run));
  execute_sql (sql);
}

/* A write that fails is reported, once; the run goes on to its end. */
static void
test_recording_failed (void)
{
  g_autoptr(LabHistory) history = open_history ();
  g_autoptr(LabRunConfig) config = sleep_config (2, 10, 3);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GError) failure = NULL;
  g_autoptr(GError) error = NULL;

  lab_history_track_run (history, run);
  g_signal_connect (history, "recording-failed", G_CALLBACK (test_recording_failed_cb), &failure);
  g_signal_connect (run, "repetition-finished", G_CALLBACK (delete_behind_its_back), history);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_repetitions_done (run), ==, 3);
  g_assert_error (failure, LAB_ERROR, LAB_ERROR_HISTORY);
  g_test_message ("%s", failure->message);
  g_assert_nonnull (strstr (failure->message, "could not record the repetition"));
  g_assert_nonnull (strstr (failure->message, "history.db"));
}

static void
kill_after_two (LabRun        *run,
                LabRepetition *rep,
                gpointer       user_data)
{
  if (lab_run_get_repetitions_done (run) == 2)
    kill (getpid (), SIGKILL);
}

/* A process killed while it records: its run is interrupted, with every
 * repetition that had completed. */
static void
test_killed (void)
{
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(LabHistory) history = lab_history_open (g_getenv ("LAB_TEST_HISTORY"), &error);
      g_autoptr(LabRunConfig) config = sleep_config (4, 50, 20);
      g_autoptr(LabRun) run = lab_run_new (config);

      g_assert_no_error (error);
      lab_history_track_run (history, run);
      g_signal_connect (run, "repetition-finished", G_CALLBACK (kill_after_two), NULL);
      lab_run_execute (run, NULL, NULL);
      g_assert_not_reached ();
    }
  else
    {
      g_autofree char *path = history_path ();
      g_autoptr(LabHistory) history = NULL;
      g_autoptr(GListModel) entries = NULL;
      g_autoptr(LabHistoryEntry) entry = NULL;
      g_autoptr(LabRun) loaded = NULL;
      GPtrArray *reps;

      g_setenv ("LAB_TEST_HISTORY", path, TRUE);
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();

      /* Still 'running' on disk: nobody has looked since */
      g_assert_cmpint (query_int ("SELECT count(*) FROM runs WHERE status = 'running'"), ==, 1);
      history = open_history ();
      g_assert_cmpint (query_int ("SELECT count(*) FROM runs WHERE status = 'interrupted'"), ==, 1);
      entries = lab_history_list (history, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 1);
      entry = g_list_model_get_item (entries, 0);
      g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_INTERRUPTED);
      g_assert_cmpuint (lab_history_entry_get_repetitions_done (entry), ==, 2);

      loaded = lab_history_load_run (history, lab_history_entry_get_id (entry), &error);
      g_assert_no_error (error);
      reps = lab_run_get_repetitions (loaded);
      g_assert_cmpuint (reps->len, ==, 2);
      for (guint i = 0; i < reps->len; i++)
        {
          LabRepetition *rep = g_ptr_array_index (reps, i);

          g_assert_true (rep->finished);
          g_assert_cmpuint (rep->spans->len, ==, 4);
          g_assert_cmpuint (rep->ok_tasks, ==, 4);
        }
      g_assert_cmpuint (g_list_model_get_n_items (lab_run_get_cells (loaded)), ==, 1);
    }
}

/* A row left 'running' is interrupted exactly when its owner is gone:
 * a PID that now names another process (another start time) is gone; in
 * another PID namespace the owner's lock says. */
static void
test_owner (void)
{
  g_autoptr(LabHistory) history = open_history ();
  g_autoptr(LabRunConfig) config = sleep_config (1, 1, 1);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *running = NULL;
  g_autofree char *other_start = NULL;
  g_autofree char *other_ns = NULL;
  g_autofree char *db = history_path ();
  g_autofree char *locks = g_strconcat (db, ".locks", NULL);
  g_autofree char *lock_path = NULL;
  gint64 id;
  int fd;

  lab_history_track_run (history, run);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  id = lab_history_get_run_id (history, run);
  running = g_strdup_printf ("UPDATE runs SET status = 'running' WHERE id = %" G_GINT64_FORMAT, id);

  /* Owned by this very process: it lives, and it cannot be deleted */
  execute_sql (running);
  entry = lab_history_get_entry (history, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_RUNNING);
  g_assert_false (lab_history_delete_run (history, id, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_HISTORY);
  g_assert_nonnull (strstr (error->message, "still runs"));
  g_clear_error (&error);

  /* The same PID, started at another time: a reused PID */
  other_start = g_strdup_printf ("UPDATE runs SET owner_start = owner_start + 1 WHERE id = %" G_GINT64_FORMAT, id);
  execute_sql (other_start);
  g_clear_object (&entry);
  entry = lab_history_get_entry (history, id, &error);
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_INTERRUPTED);

  /* Another PID namespace: the lock tells */
  other_ns = g_strdup_printf ("UPDATE runs SET status = 'running', owner_pidns = 'pid:[1]' WHERE id = %"
                              G_GINT64_FORMAT, id);
  execute_sql (other_ns);
  lock_path = g_strdup_printf ("%s/%" G_GINT64_FORMAT, locks, id);
  g_assert_cmpint (g_mkdir_with_parents (locks, 0700), ==, 0);
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
  g_clear_object (&entry);
  entry = lab_history_get_entry (history, id, &error);
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_RUNNING);
  close (fd);
  g_clear_object (&entry);
  entry = lab_history_get_entry (history, id, &error);
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_INTERRUPTED);
  g_assert_false (g_file_test (lock_path, G_FILE_TEST_EXISTS));

  g_assert_true (lab_history_delete_run (history, id, &error));
  g_assert_no_error (error);
}

/* The first schema, written out by hand as version 1 databases were
 * made: a copy, not the library's, so that a change to the library's
 * schema that forgets its migration fails here. */
static const char schema_v1[] =
  "PRAGMA user_version = 1;"
  "CREATE TABLE runs (id INTEGER PRIMARY KEY, run_uuid TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT,"
  " runtime_s REAL, status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'failed',"
  " 'interrupted')), error TEXT, workload TEXT NOT NULL, config TEXT NOT NULL,"
  " repetitions_done INTEGER NOT NULL DEFAULT 0, repetitions_total INTEGER NOT NULL,"
  " host_cpus INTEGER NOT NULL, cpu_model TEXT NOT NULL, kernel TEXT NOT NULL, app_version TEXT NOT NULL,"
  " ui_max_stall_ms REAL, ui_cpu_s REAL, owner_pid INTEGER NOT NULL, owner_start INTEGER NOT NULL,"
  " owner_boot TEXT NOT NULL, owner_pidns TEXT NOT NULL);"
  "CREATE INDEX runs_status ON runs (status);"
  "CREATE TABLE repetitions (id INTEGER PRIMARY KEY,"
  " run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
  " runtime TEXT NOT NULL, mode TEXT NOT NULL, workers INTEGER NOT NULL, repeat INTEGER NOT NULL,"
  " warmup INTEGER NOT NULL, finished INTEGER NOT NULL, started_at TEXT NOT NULL, wall_s REAL, user_s REAL,"
  " sys_s REAL, cpu_util REAL, background_busy_s REAL, background_cpu REAL, peak_rss_kib INTEGER,"
  " checksum INTEGER, bytes INTEGER, cached_bytes INTEGER, files_fs TEXT, ok_tasks INTEGER,"
  " failed_tasks INTEGER, tasks INTEGER, startup_s REAL, task_busy_s REAL, download_busy_s REAL,"
  " analyse_busy_s REAL, store_busy_s REAL, downloaded_capacity INTEGER, analysed_capacity INTEGER,"
  " UNIQUE (run, seq));"
  "CREATE TABLE spans (repetition INTEGER NOT NULL REFERENCES repetitions (id) ON DELETE CASCADE,"
  " seq INTEGER NOT NULL, task INTEGER NOT NULL, stage TEXT NOT NULL, worker INTEGER NOT NULL,"
  " pid INTEGER NOT NULL, tid INTEGER NOT NULL, queued_us INTEGER NOT NULL, start_us INTEGER NOT NULL,"
  " end_us INTEGER NOT NULL, bytes INTEGER NOT NULL, checksum INTEGER NOT NULL, http_status INTEGER NOT NULL,"
  " status TEXT NOT NULL, error TEXT, cached_bytes INTEGER NOT NULL, PRIMARY KEY (repetition, seq))"
  " WITHOUT ROWID;"
  "CREATE TABLE gil_intervals (repetition INTEGER NOT NULL REFERENCES repetitions (id) ON DELETE CASCADE,"
  " seq INTEGER NOT NULL, worker INTEGER NOT NULL, tid INTEGER NOT NULL, state TEXT NOT NULL,"
  " start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, PRIMARY KEY (repetition, seq)) WITHOUT ROWID;"
  "CREATE TABLE queue_samples (repetition INTEGER NOT NULL REFERENCES repetitions (id) ON DELETE CASCADE,"
  " seq INTEGER NOT NULL, time_us INTEGER NOT NULL, queue INTEGER NOT NULL, length INTEGER NOT NULL,"
  " PRIMARY KEY (repetition, seq)) WITHOUT ROWID;"
  /* A finished run: sequential 0.5 s, threads ×2 0.25 s, one span each */
  "INSERT INTO runs VALUES (7, '11111111-2222-3333-4444-555555555555', '2025-01-31T12:00:00.000000Z',"
  " '2025-01-31T12:00:01.000000Z', 1.0, 'finished', NULL, 'io:sleep',"
  " '{\"workload\":\"io:sleep\",\"size\":500,\"tasks\":1,\"urls\":[],\"timeout_s\":30,"
  "\"max_bytes\":67108864,\"fsync\":false,\"cache\":\"warm\",\"runtimes\":[\"native\"],\"interpreters\":{},"
  "\"modes\":[\"sequential\",\"threads\"],\"workers\":[2],\"repeat\":1,\"warmup\":0,\"task_timeout_ms\":300000,"
  "\"worker_path\":null,\"worker_nice\":0,\"server\":false,\"server_delay_ms\":0,\"server_bytes\":0,"
  "\"store_dir\":null}',"
  " 2, 2, 2, 'Old CPU', 'Linux 6.1.0 x86_64', '0.1.0', NULL, NULL, 1, 1, 'old-boot', 'pid:[1]');"
  "INSERT INTO repetitions VALUES (1, 7, 0, 'native', 'sequential', 1, 1, 0, 1,"
  " '2025-01-31T12:00:00.000000Z', 0.5, 0, 0, 0, NULL, NULL, 1000, 42, 0, 0, NULL, 1, 0, 1, NULL,"
  " 0.5, 0, 0, 0, 0, 0);"
  "INSERT INTO repetitions VALUES (2, 7, 1, 'native', 'threads', 2, 1, 0, 1,"
  " '2025-01-31T12:00:00.500000Z', 0.25, 0, 0, 0, NULL, NULL, 1000, 42, 0, 0, NULL, 1, 0, 1, 0.001,"
  " 0.25, 0, 0, 0, 0, 0);"
  "INSERT INTO spans VALUES (1, 0, 0, 'task', 0, 100, 100, 0, 0, 500000, 0, 42, 0, 'ok', NULL, 0);"
  "INSERT INTO spans VALUES (2, 0, 0, 'task', 0, 100, 101, 0, 0, 250000, 0, 42, 0, 'ok', NULL, 0);";

static void
write_database (const char *sql)
{
  g_autofree char *path = history_path ();
  g_autofree char *folder = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  execute_sql (sql);
}

static void
test_migrate_v1 (void)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(LabRun) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabCsv) csv = NULL;

  write_database (schema_v1);
  history = open_history ();
  g_assert_cmpint (query_int ("PRAGMA user_version"), ==, LAB_HISTORY_SCHEMA_VERSION);

  entries = lab_history_list (history, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 1);
  entry = g_list_model_get_item (entries, 0);
  g_assert_cmpint (lab_history_entry_get_id (entry), ==, 7);
  g_assert_cmpint (lab_history_entry_get_status (entry), ==, LAB_HISTORY_FINISHED);
  g_assert_cmpfloat (lab_history_entry_get_best_speedup (entry), ==, 2.0);
  g_assert_cmpstr (lab_history_entry_get_best_variant (entry), ==, "threads ×2");
  g_assert_cmpstr (lab_history_entry_get_cpu_model (entry), ==, "Old CPU");

  loaded = lab_history_load_run (history, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (lab_run_get_cells (loaded)), ==, 2);
  g_assert_cmpfloat (lab_cell_get_speedup (lab_run_find_cell (loaded, LAB_MODE_THREADS, 2)), ==, 2.0);
  /* The machine it ran on, not this one */
  csv = lab_export_results_csv (loaded);
  g_assert_nonnull (strstr (lab_csv_get_text (csv), "Old CPU,Linux 6.1.0 x86_64"));
  g_assert_nonnull (strstr (lab_csv_get_text (csv), "11111111-2222-3333-4444-555555555555,"
                                                    "2025-01-31T12:00:00.500Z,io:sleep"));
}

static void
test_new_and_newer (void)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = history_path ();
  g_autofree char *folder = g_path_get_dirname (path);

  /* An empty file is a new database */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  history = open_history ();
  g_assert_cmpint (query_int ("PRAGMA user_version"), ==, LAB_HISTORY_SCHEMA_VERSION);
  g_clear_object (&history);

  /* A newer one is refused, and left where it is */
  execute_sql ("PRAGMA user_version = 99");
  history = lab_history_open (NULL, &error);
  g_assert_null (history);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_HISTORY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "newer version"));
  g_assert_cmpint (query_int ("PRAGMA user_version"), ==, 99);
}

/* The history opened after a recovery: it says where the old file went,
 * and works. */
static void
assert_recovered (LabHistory *history,
                  const char *reason)
{
  g_autofree char *path = history_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRunConfig) config = sleep_config (1, 1, 1);
  g_autoptr(LabRun) run = lab_run_new (config);
  const char *message = lab_history_get_recovery_message (history);
  const char *name;
  char *aside = NULL;

  g_assert_nonnull (message);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, reason));
  dir = g_dir_open (folder, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "history.db.corrupt-") && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      aside = g_build_filename (folder, name, NULL);
  g_assert_nonnull (aside);
  g_assert_nonnull (strstr (message, aside));
  g_free (aside);

  entries = lab_history_list (history, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 0);
  lab_history_track_run (history, run);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpint (lab_history_get_run_id (history, run), >, 0);
}

static void
test_not_a_database (void)
{
  g_autofree char *path = history_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "These are not the runs you are looking for.\n", -1, NULL));
  history = lab_history_open (NULL, &error);
  g_assert_no_error (error);
  assert_recovered (history, "not a database");
}

/* A database whose pages were overwritten */
static void
test_damaged (void)
{
  g_autofree char *path = history_path ();
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  history = open_history ();
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LabRunConfig) config = sleep_config (200, 1, 1);
      g_autoptr(LabRun) run = lab_run_new (config);

      lab_history_track_run (history, run);
      g_assert_true (lab_run_execute (run, NULL, NULL));
    }
  g_clear_object (&history);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8 * 4096);
  for (gsize i = 2 * 4096; i < length - 4096; i += 4096)
    memset (contents + i, 0x5a, 64);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  history = lab_history_open (NULL, &error);
  g_assert_no_error (error);
  assert_recovered (history, "damaged");
}

/* Another connection keeps the database locked: after the busy time-out
 * it is moved aside (the other program keeps its file) and the history
 * starts anew. */
static void
test_locked (void)
{
  g_autofree char *path = history_path ();
  g_autoptr(LabHistory) history = open_history ();
  g_autoptr(GError) error = NULL;
  sqlite3 *other = NULL;
  gint64 t0;

  g_clear_object (&history);
  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;"
                                        "UPDATE runs SET status = status;", NULL, NULL, NULL), ==, SQLITE_OK);
  t0 = g_get_monotonic_time ();
  history = lab_history_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 4 * G_USEC_PER_SEC);
  assert_recovered (history, "locked");
  sqlite3_exec (other, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (other);
}

static void
test_load_async (void)
{
  g_autoptr(LabHistory) history = open_history ();
  g_autoptr(LabRunConfig) config = sumsq_config ();
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(LabRun) loaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  lab_history_track_run (history, run);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  lab_history_load_run_async (history, lab_history_get_run_id (history, run), NULL, lab_async_keep_result, &result);
  lab_async_wait (&result);
  loaded = lab_history_load_run_finish (history, result, &error);
  g_assert_no_error (error);
  assert_same_run (run, loaded);

  g_clear_object (&result);
  lab_history_list_async (history, NULL, lab_async_keep_result, &result);
  lab_async_wait (&result);
  entries = lab_history_list_finish (history, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 1);
  entry = g_list_model_get_item (entries, 0);
  g_assert_cmpint (lab_history_entry_get_id (entry), ==, lab_history_get_run_id (history, run));
  g_assert_cmpuint (lab_history_entry_get_repetitions_done (entry), ==, lab_run_get_repetitions_total (run));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/history/record-and-load", test_record_and_load);
  g_test_add_func ("/history/cancelled", test_cancelled);
  g_test_add_func ("/history/recording-failed", test_recording_failed);
  g_test_add_func ("/history/killed", test_killed);
  g_test_add_func ("/history/owner", test_owner);
  g_test_add_func ("/history/migrate-v1", test_migrate_v1);
  g_test_add_func ("/history/new-and-newer", test_new_and_newer);
  g_test_add_func ("/history/not-a-database", test_not_a_database);
  g_test_add_func ("/history/damaged", test_damaged);
  g_test_add_func ("/history/locked", test_locked);
  g_test_add_func ("/history/load-async", test_load_async);

  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-error.h"
#include "lab-history-private.h"

/*
 * Reading runs back: a run is rebuilt through the engine
 * (lab_run_new_recorded(), lab_run_add_recorded_repetition()), so that its
 * cells, statistics and speed-ups are computed by the same code as when
 * it ran. What the database holds is checked as it is read: a damaged
 * row is an error, never a crash.
 */

static gboolean
damaged (LabHistoryDb  *db,
         GError       **error,
         gint64         id,
         const char    *what)
{
  g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY,
               _("The run history (%s) holds a damaged record of run %lld (%s)"),
               db->path, (long long) id, what);
  return FALSE;
}

/* Steps @stmt: TRUE with *@row on a row, TRUE with !*@row at the end */
static gboolean
step (LabHistoryDb  *db,
      sqlite3_stmt  *stmt,
      gboolean      *row,
      GError       **error)
{
  int rc = sqlite3_step (stmt);

  *row = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  rc = sqlite3_reset (stmt);
  lab_history_db_set_error (db, error, rc, _("read it"));
  return FALSE;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  return (const char *) sqlite3_column_text (stmt, index);
}

static gboolean
task_status_from_string (const char    *name,
                         LabTaskStatus *status)
{
  for (LabTaskStatus s = LAB_TASK_OK; s <= LAB_TASK_CANCELLED; s++)
    if (g_strcmp0 (name, lab_task_status_to_string (s)) == 0)
      {
        *status = s;
        return TRUE;
      }
  return FALSE;
}

static gboolean
gil_state_from_string (const char  *name,
                       LabGilState *state)
{
  for (LabGilState s = LAB_GIL_HOLD; s <= LAB_GIL_WAIT; s++)
    if (g_strcmp0 (name, lab_gil_state_to_string (s)) == 0)
      {
        *state = s;
        return TRUE;
      }
  return FALSE;
}

static gboolean
read_spans (LabHistoryDb   *db,
            gint64          run_id,
            gint64          repetition,
            LabRepetition  *rep,
            GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean row;

  stmt = lab_history_db_statement (db,
                                   "SELECT task, stage, worker, pid, tid, queued_us, start_us, end_us, bytes, "
                                   "checksum, http_status, status, error, cached_bytes "
                                   "FROM spans WHERE repetition = ?1 ORDER BY seq",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, repetition);
  for (;;)
    {
      LabSpan span = { 0 };

      if (!step (db, stmt, &row, error))
        return FALSE;
      if (!row)
        break;

      span.task = sqlite3_column_int64 (stmt, 0);
      span.worker = sqlite3_column_int64 (stmt, 2);
      span.pid = sqlite3_column_int64 (stmt, 3);
      span.tid = sqlite3_column_int64 (stmt, 4);
      span.queued_us = sqlite3_column_int64 (stmt, 5);
      span.start_us = sqlite3_column_int64 (stmt, 6);
      span.end_us = sqlite3_column_int64 (stmt, 7);
      span.bytes = (guint64) sqlite3_column_int64 (stmt, 8);
      span.checksum = (guint64) sqlite3_column_int64 (stmt, 9);
      span.http_status = sqlite3_column_int64 (stmt, 10);
      span.cached_bytes = (guint64) sqlite3_column_int64 (stmt, 13);
      if (!lab_stage_from_string (column_text (stmt, 1), &span.stage) ||
          !task_status_from_string (column_text (stmt, 11), &span.status))
        {
          sqlite3_reset (stmt);
          return damaged (db, error, run_id, "spans");
        }
      span.error = g_strdup (column_text (stmt, 12));
      g_array_append_val (rep->spans, span);
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
read_gil_and_queues (LabHistoryDb   *db,
                     gint64          run_id,
                     gint64          repetition,
                     LabRepetition  *rep,
                     GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean row;

  stmt = lab_history_db_statement (db,
                                   "SELECT worker, tid, state, start_us, end_us FROM gil_intervals "
                                   "WHERE repetition = ?1 ORDER BY seq",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, repetition);
  for (;;)
    {
      LabGilInterval interval = { 0 };

      if (!step (db, stmt, &row, error))
        return FALSE;
      if (!row)
        break;

      interval.worker = sqlite3_column_int64 (stmt, 0);
      interval.tid = sqlite3_column_int64 (stmt, 1);
      interval.start_us = sqlite3_column_int64 (stmt, 3);
      interval.end_us = sqlite3_column_int64 (stmt, 4);
      if (!gil_state_from_string (column_text (stmt, 2), &interval.state))
        {
          sqlite3_reset (stmt);
          return damaged (db, error, run_id, "gil_intervals");
        }
      g_array_append_val (rep->gil_intervals, interval);
    }
  sqlite3_reset (stmt);

  stmt = lab_history_db_statement (db,
                                   "SELECT time_us, queue, length FROM queue_samples "
                                   "WHERE repetition = ?1 ORDER BY seq",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, repetition);
  for (;;)
    {
      LabQueueSample sample = { 0 };
      gint64 queue;

      if (!step (db, stmt, &row, error))
        return FALSE;
      if (!row)
        break;

      queue = sqlite3_column_int64 (stmt, 1);
      if (queue < 0 || queue >= LAB_N_QUEUES)
        {
          sqlite3_reset (stmt);
          return damaged (db, error, run_id, "queue_samples");
        }
      sample.time_us = sqlite3_column_int64 (stmt, 0);
      sample.queue = queue;
      sample.length = sqlite3_column_int64 (stmt, 2);
      g_array_append_val (rep->queue_samples, sample);
    }
  sqlite3_reset (stmt);
  return TRUE;
}

#define REPETITION_COLUMNS \
  "id, runtime, mode, workers, repeat, warmup, finished, started_at, wall_s, user_s, sys_s, cpu_util, " \
  "background_busy_s, background_cpu, peak_rss_kib, checksum, bytes, cached_bytes, files_fs, ok_tasks, " \
  "failed_tasks, tasks, startup_s, task_busy_s, download_busy_s, analyse_busy_s, store_busy_s, " \
  "downloaded_capacity, analysed_capacity"

/* The repetition on the row of @stmt (REPETITION_COLUMNS), without its spans */
static LabRepetition *
read_repetition (LabHistoryDb  *db,
                 gint64         run_id,
                 sqlite3_stmt  *stmt,
                 GError       **error)
{
  g_autoptr(LabRepetition) rep = NULL;
  g_autoptr(GDateTime) started_at = lab_history_parse_time (column_text (stmt, 7));
  LabRuntime runtime;
  LabMode mode;
  gint64 workers = sqlite3_column_int64 (stmt, 3);
  const char *files_fs = column_text (stmt, 18);

  if (!lab_runtime_from_string (column_text (stmt, 1), &runtime) ||
      !lab_mode_from_string (column_text (stmt, 2), &mode) ||
      workers < 1 || workers > LAB_MAX_WORKERS || started_at == NULL)
    {
      damaged (db, error, run_id, "repetitions");
      return NULL;
    }
  rep = lab_repetition_new (runtime, mode, workers, sqlite3_column_int64 (stmt, 4), sqlite3_column_int (stmt, 5));
  g_date_time_unref (rep->started_at);
  rep->started_at = g_steal_pointer (&started_at);
  rep->finished = sqlite3_column_int (stmt, 6);
  /* Only the repetition a run stopped in is stored unfinished. */
  rep->interrupted = !rep->finished;
  rep->wall_s = lab_history_db_column_double (stmt, 8);
  rep->user_s = lab_history_db_column_double (stmt, 9);
  rep->sys_s = lab_history_db_column_double (stmt, 10);
  rep->cpu_util = lab_history_db_column_double (stmt, 11);
  rep->background_busy_s = lab_history_db_column_double (stmt, 12);
  rep->background_cpu = lab_history_db_column_double (stmt, 13);
  rep->peak_rss_kib = (guint64) sqlite3_column_int64 (stmt, 14);
  rep->checksum = (guint64) sqlite3_column_int64 (stmt, 15);
  rep->bytes = (guint64) sqlite3_column_int64 (stmt, 16);
  rep->cached_bytes = (guint64) sqlite3_column_int64 (stmt, 17);
  rep->files_fs = files_fs != NULL ? g_intern_string (files_fs) : NULL;
  rep->ok_tasks = sqlite3_column_int64 (stmt, 19);
  rep->failed_tasks = sqlite3_column_int64 (stmt, 20);
  rep->tasks = sqlite3_column_int64 (stmt, 21);
  rep->startup_s = lab_history_db_column_double (stmt, 22);
  for (guint s = 0; s < LAB_N_STAGES; s++)
    rep->stage_busy_s[s] = lab_history_db_column_double (stmt, 23 + s);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    rep->queue_capacity[q] = sqlite3_column_int64 (stmt, 27 + q);
  return g_steal_pointer (&rep);
}

static gboolean
read_repetitions (LabHistoryDb  *db,
                  gint64         id,
                  LabRun        *run,
                  gboolean       spans,
                  GError       **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) reps = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_repetition_unref);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean row;

  stmt = lab_history_db_statement (db, "SELECT " REPETITION_COLUMNS " FROM repetitions WHERE run = ?1 ORDER BY seq",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  for (;;)
    {
      LabRepetition *rep;
      gint64 rep_id;

      if (!step (db, stmt, &row, error))
        return FALSE;
      if (!row)
        break;

      rep = read_repetition (db, id, stmt, error);
      rep_id = sqlite3_column_int64 (stmt, 0);
      if (rep == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      g_ptr_array_add (reps, rep);
      g_array_append_val (ids, rep_id);
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < reps->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, i);
      gint64 rep_id = g_array_index (ids, gint64, i);

      if (spans && (!read_spans (db, id, rep_id, rep, error) || !read_gil_and_queues (db, id, rep_id, rep, error)))
        return FALSE;
      lab_run_add_recorded_repetition (run, rep);
    }
  return TRUE;
}

LabRun *
lab_history_read_run (LabHistoryDb  *db,
                      gint64         id,
                      gboolean       spans,
                      GError       **error)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GDateTime) started_at = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) config_error = NULL;
  LabRunMachine machine = { 0 };
  sqlite3_stmt *stmt;
  double ui_max_stall_ms, ui_cpu_s;

  stmt = lab_history_db_statement (db,
                                   "SELECT run_uuid, started_at, config, host_cpus, cpu_model, kernel, app_version, "
                                   "ui_max_stall_ms, ui_cpu_s FROM runs WHERE id = ?1",
                                   error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!lab_history_db_step_run (db, stmt, id, error))
    return NULL;

  config = lab_run_config_new_from_record (column_text (stmt, 2), &config_error);
  started_at = lab_history_parse_time (column_text (stmt, 1));
  if (config == NULL || started_at == NULL || column_text (stmt, 0) == NULL)
    {
      sqlite3_reset (stmt);
      damaged (db, error, id, config_error != NULL ? config_error->message : "runs");
      return NULL;
    }
  machine.n_cpus = sqlite3_column_int64 (stmt, 3);
  machine.cpu_model = (char *) column_text (stmt, 4);
  machine.kernel = (char *) column_text (stmt, 5);
  machine.app_version = (char *) column_text (stmt, 6);
  run = lab_run_new_recorded (config, column_text (stmt, 0), started_at, &machine);
  ui_max_stall_ms = lab_history_db_column_double (stmt, 7);
  ui_cpu_s = lab_history_db_column_double (stmt, 8);
  if (isfinite (ui_max_stall_ms) || isfinite (ui_cpu_s))
    lab_run_set_ui_cost (run, ui_max_stall_ms, ui_cpu_s);
  sqlite3_reset (stmt);

  if (!read_repetitions (db, id, run, spans, error))
    return NULL;
  return g_steal_pointer (&run);
}

/**
 * lab_history_read_entry:
 * @row: a statement on a row of LAB_HISTORY_ENTRY_COLUMNS from runs
 *
 * Returns: (transfer full) (nullable): the entry of that row, its best
 *   speed-up computed from its stored repetitions
 */
LabHistoryEntry *
lab_history_read_entry (LabHistoryDb  *db,
                        sqlite3_stmt  *row,
                        GError       **error)
{
  gint64 id = sqlite3_column_int64 (row, 0);
  g_autoptr(GDateTime) started_at = lab_history_parse_time (column_text (row, 2));
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) config_error = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(LabRun) run = NULL;
  LabHistoryStatus status;

  config = lab_run_config_new_from_record (column_text (row, 6), &config_error);
  if (config == NULL || started_at == NULL || column_text (row, 1) == NULL ||
      !lab_history_status_from_string (column_text (row, 3), &status))
    {
      damaged (db, error, id, config_error != NULL ? config_error->message : "runs");
      return NULL;
    }
  entry = lab_history_entry_new (id, column_text (row, 1), status, started_at, config);
  lab_history_entry_set_error (entry, column_text (row, 5));
  lab_history_entry_set_machine (entry, sqlite3_column_int64 (row, 9), column_text (row, 10),
                                 column_text (row, 11));
  /* The figures come from a run rebuilt without its spans. */
  run = lab_history_read_run (db, id, FALSE, error);
  if (run == NULL)
    return NULL;
  lab_history_entry_set_results (entry, lab_history_db_column_double (row, 4), sqlite3_column_int64 (row, 7),
                                 sqlite3_column_int64 (row, 8), run);
  return g_steal_pointer (&entry);
}

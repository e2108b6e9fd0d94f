/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "lab-history-private.h"

/*
 * Records one run into the history, as the run tells it (LabRunRecorder):
 * its row when it starts, each repetition in one transaction as it
 * completes, its end. Everything happens on the run's main context, in
 * the order of the run's events, before the run's signals.
 */

#define LAB_TYPE_HISTORY_RECORDER (lab_history_recorder_get_type ())

G_DECLARE_FINAL_TYPE (LabHistoryRecorder, lab_history_recorder, LAB, HISTORY_RECORDER, GObject)

struct _LabHistoryRecorder
{
  GObject     parent_instance;

  LabHistory *history;
  gint64      id;           /* the run's row, 0 before it starts */
  int         lock_fd;      /* held while the run records; -1 */
  char       *lock_path;
  GHashTable *stored;       /* LabRepetition * already recorded */
  gboolean    broken;       /* a write failed: recording stopped */
};

static void lab_history_recorder_iface_init (LabRunRecorderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabHistoryRecorder, lab_history_recorder, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LAB_TYPE_RUN_RECORDER, lab_history_recorder_iface_init))

static void
release_lock (LabHistoryRecorder *self)
{
  if (self->lock_fd < 0)
    return;
  g_unlink (self->lock_path);
  close (self->lock_fd);
  self->lock_fd = -1;
}

static void
lab_history_recorder_finalize (GObject *object)
{
  LabHistoryRecorder *self = (LabHistoryRecorder *) object;

  release_lock (self);
  g_free (self->lock_path);
  g_clear_pointer (&self->stored, g_hash_table_unref);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (lab_history_recorder_parent_class)->finalize (object);
}

static void
lab_history_recorder_class_init (LabHistoryRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lab_history_recorder_finalize;
}

static void
lab_history_recorder_init (LabHistoryRecorder *self)
{
  self->lock_fd = -1;
  self->stored = g_hash_table_new (g_direct_hash, g_direct_equal);
}

/* Stops recording @run: says why, once, and keeps what was committed. */
static void
fail (LabHistoryRecorder *self,
      LabRun             *run,
      GError             *error)
{
  lab_history_db_rollback (lab_history_get_db (self->history));
  self->broken = TRUE;
  lab_history_emit_recording_failed (self->history, run, error);
  g_error_free (error);
}

static double
seconds_since (GDateTime *start)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_difference (now, start) / (double) G_USEC_PER_SEC;
}

static gboolean
insert_run (LabHistoryRecorder  *self,
            LabRun              *run,
            GError             **error)
{
  LabHistoryDb *db = lab_history_get_db (self->history);
  const LabHistoryOwner *owner = lab_history_get_owner (self->history);
  const LabRunConfig *config = lab_run_get_config (run);
  const LabRunMachine *machine = lab_run_get_machine (run);
  g_autofree char *started_at = lab_history_format_time (lab_run_get_started_at (run));
  g_autofree char *workload = lab_workload_to_spec (config->workload);
  g_autofree char *record = lab_run_config_to_record (config);
  sqlite3_stmt *stmt;

  stmt = lab_history_db_statement (db,
                                   "INSERT INTO runs (run_uuid, started_at, status, workload, config, "
                                   "repetitions_total, host_cpus, cpu_model, kernel, app_version, "
                                   "owner_pid, owner_start, owner_boot, owner_pidns) "
                                   "VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                                   error);
  if (stmt == NULL)
    return FALSE;
  lab_history_db_bind_text (stmt, 1, lab_run_get_id (run));
  lab_history_db_bind_text (stmt, 2, started_at);
  lab_history_db_bind_text (stmt, 3, workload);
  lab_history_db_bind_text (stmt, 4, record);
  sqlite3_bind_int64 (stmt, 5, lab_run_get_repetitions_total (run));
  sqlite3_bind_int64 (stmt, 6, machine->n_cpus);
  lab_history_db_bind_text (stmt, 7, machine->cpu_model);
  lab_history_db_bind_text (stmt, 8, machine->kernel);
  lab_history_db_bind_text (stmt, 9, machine->app_version);
  sqlite3_bind_int64 (stmt, 10, owner->pid);
  sqlite3_bind_int64 (stmt, 11, (gint64) owner->start_ticks);
  lab_history_db_bind_text (stmt, 12, owner->boot_id);
  lab_history_db_bind_text (stmt, 13, owner->pid_ns);
  if (!lab_history_db_run (db, stmt, _("record the run"), error))
    return FALSE;
  self->id = sqlite3_last_insert_rowid (db->handle);
  return TRUE;
}

/* The lock that tells processes in other PID namespaces that this one
 * records the run; taken before the row is visible. Without it (a
 * folder that cannot be written) only this namespace can tell. */
static void
take_lock (LabHistoryRecorder *self)
{
  LabHistoryDb *db = lab_history_get_db (self->history);
  g_autofree char *folder = NULL;

  self->lock_path = lab_history_lock_path (db->path, self->id);
  folder = g_path_get_dirname (self->lock_path);
  g_mkdir_with_parents (folder, 0700);
  self->lock_fd = lab_history_owner_lock (self->lock_path);
}

static void
recorder_started (LabRunRecorder *recorder,
                  LabRun         *run)
{
  LabHistoryRecorder *self = LAB_HISTORY_RECORDER (recorder);
  LabHistoryDb *db = lab_history_get_db (self->history);
  GError *error = NULL;

  if (!lab_history_db_begin (db, &error) || !insert_run (self, run, &error))
    {
      fail (self, run, error);
      return;
    }
  take_lock (self);
  if (!lab_history_db_commit (db, &error))
    {
      self->id = 0;
      release_lock (self);
      fail (self, run, error);
      return;
    }
  lab_history_emit_changed (self->history);
}

static gboolean
insert_spans (LabHistoryDb   *db,
              gint64          repetition,
              LabRepetition  *rep,
              GError        **error)
{
  sqlite3_stmt *stmt;

  stmt = lab_history_db_statement (db,
                                   "INSERT INTO spans (repetition, seq, task, stage, worker, pid, tid, queued_us, "
                                   "start_us, end_us, bytes, checksum, http_status, status, error, cached_bytes) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                                   error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < rep->spans->len; i++)
    {
      const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

      sqlite3_bind_int64 (stmt, 1, repetition);
      sqlite3_bind_int64 (stmt, 2, i);
      sqlite3_bind_int64 (stmt, 3, span->task);
      sqlite3_bind_text (stmt, 4, lab_stage_to_string (span->stage), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, span->worker);
      sqlite3_bind_int64 (stmt, 6, span->pid);
      sqlite3_bind_int64 (stmt, 7, span->tid);
      sqlite3_bind_int64 (stmt, 8, span->queued_us);
      sqlite3_bind_int64 (stmt, 9, span->start_us);
      sqlite3_bind_int64 (stmt, 10, span->end_us);
      sqlite3_bind_int64 (stmt, 11, (gint64) span->bytes);
      sqlite3_bind_int64 (stmt, 12, (gint64) span->checksum);
      sqlite3_bind_int64 (stmt, 13, span->http_status);
      sqlite3_bind_text (stmt, 14, lab_task_status_to_string (span->status), -1, SQLITE_STATIC);
      lab_history_db_bind_text (stmt, 15, span->error);
      sqlite3_bind_int64 (stmt, 16, (gint64) span->cached_bytes);
      if (!lab_history_db_run (db, stmt, _("record the spans"), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_gil_and_queues (LabHistoryDb   *db,
                       gint64          repetition,
                       LabRepetition  *rep,
                       GError        **error)
{
  sqlite3_stmt *stmt;

  if (rep->gil_intervals->len > 0)
    {
      stmt = lab_history_db_statement (db,
                                       "INSERT INTO gil_intervals (repetition, seq, worker, tid, state, start_us, "
                                       "end_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                       error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < rep->gil_intervals->len; i++)
        {
          const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, i);

          sqlite3_bind_int64 (stmt, 1, repetition);
          sqlite3_bind_int64 (stmt, 2, i);
          sqlite3_bind_int64 (stmt, 3, interval->worker);
          sqlite3_bind_int64 (stmt, 4, interval->tid);
          sqlite3_bind_text (stmt, 5, lab_gil_state_to_string (interval->state), -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 6, interval->start_us);
          sqlite3_bind_int64 (stmt, 7, interval->end_us);
          if (!lab_history_db_run (db, stmt, _("record the GIL's intervals"), error))
            return FALSE;
        }
    }
  if (rep->queue_samples->len > 0)
    {
      stmt = lab_history_db_statement (db,
                                       "INSERT INTO queue_samples (repetition, seq, time_us, queue, length) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5)",
                                       error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < rep->queue_samples->len; i++)
        {
          const LabQueueSample *sample = &g_array_index (rep->queue_samples, LabQueueSample, i);

          sqlite3_bind_int64 (stmt, 1, repetition);
          sqlite3_bind_int64 (stmt, 2, i);
          sqlite3_bind_int64 (stmt, 3, sample->time_us);
          sqlite3_bind_int64 (stmt, 4, sample->queue);
          sqlite3_bind_int64 (stmt, 5, sample->length);
          if (!lab_history_db_run (db, stmt, _("record the queues"), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
insert_repetition (LabHistoryRecorder  *self,
                   LabRun              *run,
                   LabRepetition       *rep,
                   GError             **error)
{
  LabHistoryDb *db = lab_history_get_db (self->history);
  GPtrArray *reps = lab_run_get_repetitions (run);
  g_autofree char *started_at = lab_history_format_time (rep->started_at);
  sqlite3_stmt *stmt;
  guint seq = reps->len;
  gint64 id;

  /* Its place in the run, which a rebuilt run lists it at */
  while (seq > 0 && g_ptr_array_index (reps, seq - 1) != rep)
    seq--;
  g_assert (seq > 0);
  seq--;

  stmt = lab_history_db_statement (db,
                                   "INSERT INTO repetitions (run, seq, runtime, mode, workers, repeat, warmup, "
                                   "finished, started_at, wall_s, user_s, sys_s, cpu_util, background_busy_s, "
                                   "background_cpu, peak_rss_kib, checksum, bytes, cached_bytes, files_fs, "
                                   "ok_tasks, failed_tasks, tasks, startup_s, task_busy_s, download_busy_s, "
                                   "analyse_busy_s, store_busy_s, downloaded_capacity, analysed_capacity) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                                   "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->id);
  sqlite3_bind_int64 (stmt, 2, seq);
  sqlite3_bind_text (stmt, 3, lab_runtime_to_string (rep->runtime), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, lab_mode_to_string (rep->mode), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, rep->workers);
  sqlite3_bind_int64 (stmt, 6, rep->repeat);
  sqlite3_bind_int (stmt, 7, rep->warmup != FALSE);
  sqlite3_bind_int (stmt, 8, rep->finished != FALSE);
  lab_history_db_bind_text (stmt, 9, started_at);
  lab_history_db_bind_double (stmt, 10, rep->wall_s);
  lab_history_db_bind_double (stmt, 11, rep->user_s);
  lab_history_db_bind_double (stmt, 12, rep->sys_s);
  lab_history_db_bind_double (stmt, 13, rep->cpu_util);
  lab_history_db_bind_double (stmt, 14, rep->background_busy_s);
  lab_history_db_bind_double (stmt, 15, rep->background_cpu);
  sqlite3_bind_int64 (stmt, 16, (gint64) rep->peak_rss_kib);
  sqlite3_bind_int64 (stmt, 17, (gint64) rep->checksum);
  sqlite3_bind_int64 (stmt, 18, (gint64) rep->bytes);
  sqlite3_bind_int64 (stmt, 19, (gint64) rep->cached_bytes);
  lab_history_db_bind_text (stmt, 20, rep->files_fs);
  sqlite3_bind_int64 (stmt, 21, rep->ok_tasks);
  sqlite3_bind_int64 (stmt, 22, rep->failed_tasks);
  sqlite3_bind_int64 (stmt, 23, rep->tasks);
  lab_history_db_bind_double (stmt, 24, rep->startup_s);
  for (guint s = 0; s < LAB_N_STAGES; s++)
    lab_history_db_bind_double (stmt, 25 + s, rep->stage_busy_s[s]);
  for (guint q = 0; q < LAB_N_QUEUES; q++)
    sqlite3_bind_int64 (stmt, 29 + q, rep->queue_capacity[q]);
  if (!lab_history_db_run (db, stmt, _("record the repetition"), error))
    return FALSE;
  id = sqlite3_last_insert_rowid (db->handle);

  if (!insert_spans (db, id, rep, error) || !insert_gil_and_queues (db, id, rep, error))
    return FALSE;
  g_hash_table_add (self->stored, rep);
  return TRUE;
}

static gboolean
update_progress (LabHistoryRecorder  *self,
                 LabRun              *run,
                 GError             **error)
{
  LabHistoryDb *db = lab_history_get_db (self->history);
  sqlite3_stmt *stmt;

  stmt = lab_history_db_statement (db, "UPDATE runs SET repetitions_done = ?1, runtime_s = ?2 WHERE id = ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, lab_run_get_repetitions_done (run));
  lab_history_db_bind_double (stmt, 2, seconds_since (lab_run_get_started_at (run)));
  sqlite3_bind_int64 (stmt, 3, self->id);
  return lab_history_db_run (db, stmt, _("record the run's progress"), error);
}

static void
recorder_repetition_finished (LabRunRecorder *recorder,
                              LabRun         *run,
                              LabRepetition  *rep)
{
  LabHistoryRecorder *self = LAB_HISTORY_RECORDER (recorder);
  LabHistoryDb *db = lab_history_get_db (self->history);
  GError *error = NULL;

  if (self->broken || self->id == 0)
    return;
  if (!lab_history_db_begin (db, &error) ||
      !insert_repetition (self, run, rep, &error) ||
      !update_progress (self, run, &error) ||
      !lab_history_db_commit (db, &error))
    {
      g_hash_table_remove (self->stored, rep);
      fail (self, run, error);
      return;
    }
  lab_history_emit_changed (self->history);
}

static gboolean
update_end (LabHistoryRecorder  *self,
            LabRun              *run,
            const GError        *run_error,
            GError             **error)
{
  LabHistoryDb *db = lab_history_get_db (self->history);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ended_at = lab_history_format_time (now);
  LabHistoryStatus status;
  sqlite3_stmt *stmt;

  if (run_error == NULL)
    status = LAB_HISTORY_FINISHED;
  else if (g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = LAB_HISTORY_CANCELLED;
  else
    status = LAB_HISTORY_FAILED;

  stmt = lab_history_db_statement (db,
                                   "UPDATE runs SET status = ?1, ended_at = ?2, runtime_s = ?3, error = ?4, "
                                   "repetitions_done = ?5 WHERE id = ?6",
                                   error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, lab_history_status_to_string (status), -1, SQLITE_STATIC);
  lab_history_db_bind_text (stmt, 2, ended_at);
  lab_history_db_bind_double (stmt, 3, g_date_time_difference (now, lab_run_get_started_at (run)) /
                                       (double) G_USEC_PER_SEC);
  lab_history_db_bind_text (stmt, 4, status == LAB_HISTORY_FAILED ? run_error->message : NULL);
  sqlite3_bind_int64 (stmt, 5, lab_run_get_repetitions_done (run));
  sqlite3_bind_int64 (stmt, 6, self->id);
  return lab_history_db_run (db, stmt, _("record the end of the run"), error);
}

/* The repetition a cancel or an error cut short is kept as the run has
 * it: unfinished, with the spans it reported. */
static gboolean
insert_unfinished (LabHistoryRecorder  *self,
                   LabRun              *run,
                   GError             **error)
{
  GPtrArray *reps = lab_run_get_repetitions (run);

  for (guint i = 0; i < reps->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, i);

      if (!rep->finished && !g_hash_table_contains (self->stored, rep) &&
          !insert_repetition (self, run, rep, error))
        return FALSE;
    }
  return TRUE;
}

static void
recorder_finished (LabRunRecorder *recorder,
                   LabRun         *run,
                   const GError   *run_error)
{
  LabHistoryRecorder *self = LAB_HISTORY_RECORDER (recorder);
  LabHistoryDb *db = lab_history_get_db (self->history);
  GError *error = NULL;

  if (self->id == 0)
    return;
  if (self->broken)
    {
      /* Its end at least, so that it does not stay "running"; the failure
       * was reported already. */
      if (update_end (self, run, run_error, NULL))
        lab_history_emit_changed (self->history);
      release_lock (self);
      return;
    }
  if (!lab_history_db_begin (db, &error) ||
      !insert_unfinished (self, run, &error) ||
      !update_end (self, run, run_error, &error) ||
      !lab_history_db_commit (db, &error))
    fail (self, run, error);
  else
    lab_history_emit_changed (self->history);
  release_lock (self);
}

static void
recorder_ui_cost_set (LabRunRecorder *recorder,
                      LabRun         *run)
{
  LabHistoryRecorder *self = LAB_HISTORY_RECORDER (recorder);
  LabHistoryDb *db = lab_history_get_db (self->history);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  double max_stall_ms, cpu_s;

  if (self->broken || self->id == 0)
    return;
  lab_run_get_ui_cost (run, &max_stall_ms, &cpu_s);
  stmt = lab_history_db_statement (db, "UPDATE runs SET ui_max_stall_ms = ?1, ui_cpu_s = ?2 WHERE id = ?3", &error);
  if (stmt != NULL)
    {
      lab_history_db_bind_double (stmt, 1, max_stall_ms);
      lab_history_db_bind_double (stmt, 2, cpu_s);
      sqlite3_bind_int64 (stmt, 3, self->id);
      lab_history_db_run (db, stmt, _("record what the window cost"), &error);
    }
  if (error != NULL)
    fail (self, run, g_steal_pointer (&error));
}

static void
lab_history_recorder_iface_init (LabRunRecorderInterface *iface)
{
  iface->started = recorder_started;
  iface->repetition_finished = recorder_repetition_finished;
  iface->finished = recorder_finished;
  iface->ui_cost_set = recorder_ui_cost_set;
}

LabRunRecorder *
lab_history_recorder_new (LabHistory *history)
{
  LabHistoryRecorder *self = g_object_new (LAB_TYPE_HISTORY_RECORDER, NULL);

  self->history = g_object_ref (history);
  return LAB_RUN_RECORDER (self);
}

/* The run's row, 0 before it starts or when @recorder is not @history's */
gint64
lab_history_recorder_get_id (LabRunRecorder *recorder,
                             LabHistory     *history)
{
  if (!LAB_IS_HISTORY_RECORDER (recorder) || LAB_HISTORY_RECORDER (recorder)->history != history)
    return 0;
  return LAB_HISTORY_RECORDER (recorder)->id;
}

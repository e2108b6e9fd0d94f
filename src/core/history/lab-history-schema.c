/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-history-private.h"

/*
 * The schema, as the list of migrations that build it: migration i takes
 * a database of version i to version i + 1 (PRAGMA user_version; a new
 * file is version 0). A change to the schema is one more function at the
 * end of the list and LAB_HISTORY_SCHEMA_VERSION one higher; a database
 * of any earlier version is brought up to date on opening, in one
 * transaction, and never touched by an older build (it refuses a newer
 * version).
 *
 * Times are ISO 8601 UTC with microseconds; figures that could not be
 * measured are NULL; names (modes, runtimes, stages, statuses) are the
 * CSV's words, which stay stable.
 */

typedef gboolean (*Migration) (LabHistoryDb  *db,
                               GError       **error);

/* Version 1: runs, their repetitions, and each repetition's spans, GIL
 * intervals and queue samples. */
static gboolean
migrate_to_1 (LabHistoryDb  *db,
              GError       **error)
{
  return lab_history_db_exec (db,
    "CREATE TABLE runs ("
    "  id                INTEGER PRIMARY KEY,"
    "  run_uuid          TEXT NOT NULL,"          /* the CSV's run_id */
    "  started_at        TEXT NOT NULL,"
    "  ended_at          TEXT,"
    "  runtime_s         REAL,"                   /* to its end, or to its last repetition */
    "  status            TEXT NOT NULL CHECK (status IN"
    "                      ('running', 'finished', 'cancelled', 'failed', 'interrupted')),"
    "  error             TEXT,"
    "  workload          TEXT NOT NULL,"          /* the spec, for queries by hand */
    "  config            TEXT NOT NULL,"          /* the LabRunConfig in full, as JSON */
    "  repetitions_done  INTEGER NOT NULL DEFAULT 0,"
    "  repetitions_total INTEGER NOT NULL,"
    "  host_cpus         INTEGER NOT NULL,"
    "  cpu_model         TEXT NOT NULL,"
    "  kernel            TEXT NOT NULL,"
    "  app_version       TEXT NOT NULL,"
    "  ui_max_stall_ms   REAL,"
    "  ui_cpu_s          REAL,"
    "  owner_pid         INTEGER NOT NULL,"       /* the process that records it */
    "  owner_start       INTEGER NOT NULL,"       /* its start, /proc/PID/stat field 22 */
    "  owner_boot        TEXT NOT NULL,"
    "  owner_pidns       TEXT NOT NULL"
    ");"
    "CREATE INDEX runs_status ON runs (status);"
    "CREATE TABLE repetitions ("
    "  id                INTEGER PRIMARY KEY,"
    "  run               INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  seq               INTEGER NOT NULL,"       /* its place in the run, from 0 */
    "  runtime           TEXT NOT NULL,"
    "  mode              TEXT NOT NULL,"
    "  workers           INTEGER NOT NULL,"
    "  repeat            INTEGER NOT NULL,"
    "  warmup            INTEGER NOT NULL,"
    "  finished          INTEGER NOT NULL,"       /* 0: cut short, with the spans it had */
    "  started_at        TEXT NOT NULL,"
    "  wall_s            REAL,"
    "  user_s            REAL,"
    "  sys_s             REAL,"
    "  cpu_util          REAL,"
    "  background_busy_s REAL,"
    "  background_cpu    REAL,"
    "  peak_rss_kib      INTEGER,"
    "  checksum          INTEGER,"                /* 64 bits, as a signed integer */
    "  bytes             INTEGER,"
    "  cached_bytes      INTEGER,"
    "  files_fs          TEXT,"
    "  ok_tasks          INTEGER,"
    "  failed_tasks      INTEGER,"
    "  tasks             INTEGER,"
    "  startup_s         REAL,"
    "  task_busy_s       REAL,"
    "  download_busy_s   REAL,"
    "  analyse_busy_s    REAL,"
    "  store_busy_s      REAL,"
    "  downloaded_capacity INTEGER,"
    "  analysed_capacity INTEGER,"
    "  UNIQUE (run, seq)"
    ");"
    "CREATE TABLE spans ("
    "  repetition        INTEGER NOT NULL REFERENCES repetitions (id) ON DELETE CASCADE,"
    "  seq               INTEGER NOT NULL,"       /* the order tasks finished in */
    "  task              INTEGER NOT NULL,"
    "  stage             TEXT NOT NULL,"
    "  worker            INTEGER NOT NULL,"
    "  pid               INTEGER NOT NULL,"
    "  tid               INTEGER NOT NULL,"
    "  queued_us         INTEGER NOT NULL,"
    "  start_us          INTEGER NOT NULL,"
    "  end_us            INTEGER NOT NULL,"
    "  bytes             INTEGER NOT NULL,"
    "  checksum          INTEGER NOT NULL,"
    "  http_status       INTEGER NOT NULL,"
    "  status            TEXT NOT NULL,"
    "  error             TEXT,"
    "  cached_bytes      INTEGER NOT NULL,"
    "  PRIMARY KEY (repetition, seq)"
    ") WITHOUT ROWID;"
    "CREATE TABLE gil_intervals ("
    "  repetition        INTEGER NOT NULL REFERENCES repetitions (id) ON DELETE CASCADE,"
    "  seq               INTEGER NOT NULL,"
    "  worker            INTEGER NOT NULL,"
    "  tid               INTEGER NOT NULL,"
    "  state             TEXT NOT NULL,"
    "  start_us          INTEGER NOT NULL,"
    "  end_us            INTEGER NOT NULL,"
    "  PRIMARY KEY (repetition, seq)"
    ") WITHOUT ROWID;"
    "CREATE TABLE queue_samples ("
    "  repetition        INTEGER NOT NULL REFERENCES repetitions (id) ON DELETE CASCADE,"
    "  seq               INTEGER NOT NULL,"
    "  time_us           INTEGER NOT NULL,"
    "  queue             INTEGER NOT NULL,"       /* 0 downloaded, 1 analysed */
    "  length            INTEGER NOT NULL,"
    "  PRIMARY KEY (repetition, seq)"
    ") WITHOUT ROWID;",
    error);
}

static const Migration migrations[] = {
  migrate_to_1,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == LAB_HISTORY_SCHEMA_VERSION);

static gboolean
read_version (LabHistoryDb  *db,
              gint64        *version,
              GError       **error)
{
  sqlite3_stmt *stmt = lab_history_db_statement (db, "PRAGMA user_version", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      rc = sqlite3_reset (stmt);
      lab_history_db_set_error (db, error, rc, _("read its version"));
      return FALSE;
    }
  *version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
lab_history_schema_migrate (LabHistoryDb  *db,
                            GError       **error)
{
  gint64 version;
  g_autofree char *set_version = NULL;

  if (!read_version (db, &version, error))
    return FALSE;
  if (version == LAB_HISTORY_SCHEMA_VERSION)
    return TRUE;
  if (version > LAB_HISTORY_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY,
                   _("The run history (%s) was written by a newer version of Concurrency Lab (its "
                     "version %" G_GINT64_FORMAT ", this one reads up to %d): start the newer version, "
                     "or move the file away to start a new history"),
                   db->path, version, LAB_HISTORY_SCHEMA_VERSION);
      return FALSE;
    }

  if (!lab_history_db_begin (db, error))
    return FALSE;
  /* Another process may have migrated it while this one waited. */
  if (!read_version (db, &version, error))
    {
      lab_history_db_rollback (db);
      return FALSE;
    }
  for (gint64 v = version; v < LAB_HISTORY_SCHEMA_VERSION; v++)
    if (!migrations[v] (db, error))
      {
        lab_history_db_rollback (db);
        g_prefix_error (error, _("Updating the run history to version %d: "), (int) v + 1);
        return FALSE;
      }
  set_version = g_strdup_printf ("PRAGMA user_version = %d", LAB_HISTORY_SCHEMA_VERSION);
  if (!lab_history_db_exec (db, set_version, error))
    {
      lab_history_db_rollback (db);
      return FALSE;
    }
  return lab_history_db_commit (db, error);
}

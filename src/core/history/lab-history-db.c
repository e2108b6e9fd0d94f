/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-error.h"
#include "lab-history-private.h"

void
lab_history_db_set_error (LabHistoryDb  *db,
                          GError       **error,
                          int            rc,
                          const char    *what)
{
  const char *detail = db->handle != NULL && sqlite3_errcode (db->handle) == rc ? sqlite3_errmsg (db->handle)
                                                                                : sqlite3_errstr (rc);

  /* Translators: the first %s is a file, the second what failed ("record the
   * repetition"), the third SQLite's reason ("database or disk is full") */
  g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY, _("The run history (%s) could not %s: %s"),
               db->path, what, detail);
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/**
 * lab_history_db_open:
 *
 * Opens (creating it) the database at @path with the settings every
 * connection needs: a busy time-out, foreign keys (deleting a run deletes
 * its repetitions and spans), WAL, and synchronous=NORMAL.
 *
 * In WAL mode synchronous=NORMAL syncs the log at checkpoints, not at
 * each commit: a commit survives the process being killed (the log is in
 * the page cache, which the kernel writes out) but may be lost if the
 * machine loses power in the next moments. What the history guards
 * against is a killed or crashed program, so the sync per repetition
 * that FULL would add is not worth its milliseconds.
 *
 * Returns: (nullable): the connection, or %NULL with @error set and the
 *   SQLite result code in @rc
 */
static LabHistoryDb *
open_connection (const char  *path,
                 int         *rc_out,
                 GError     **error)
{
  g_autofree LabHistoryDb *db = g_new0 (LabHistoryDb, 1);
  int rc;

  db->path = g_strdup (path);
  rc = sqlite3_open_v2 (path, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_busy_timeout (db->handle, LAB_HISTORY_BUSY_TIMEOUT_MS);
  /* auto_vacuum counts only before the first table: it is for a new file,
   * which then gives back the pages of deleted runs. */
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db->handle,
                       "PRAGMA foreign_keys = ON;"
                       "PRAGMA auto_vacuum = INCREMENTAL;"
                       "PRAGMA journal_mode = WAL;"
                       "PRAGMA synchronous = NORMAL;",
                       NULL, NULL, NULL);
  *rc_out = rc;
  if (rc != SQLITE_OK)
    {
      lab_history_db_set_error (db, error, rc, _("open it"));
      sqlite3_close_v2 (db->handle);
      g_free (db->path);
      return NULL;
    }
  db->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);
  return g_steal_pointer (&db);
}

LabHistoryDb *
lab_history_db_open (const char  *path,
                     GError     **error)
{
  int rc;

  return open_connection (path, &rc, error);
}

/* As lab_history_db_open(), with SQLite's result code of a failure */
LabHistoryDb *
lab_history_db_open_full (const char  *path,
                          int         *rc,
                          GError     **error)
{
  return open_connection (path, rc, error);
}

void
lab_history_db_close (LabHistoryDb *db)
{
  if (db == NULL)
    return;
  g_clear_pointer (&db->statements, g_hash_table_unref);
  sqlite3_close_v2 (db->handle);
  g_free (db->path);
  g_free (db);
}

sqlite3_stmt *
lab_history_db_statement (LabHistoryDb  *db,
                          const char    *sql,
                          GError       **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (db->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  rc = sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      lab_history_db_set_error (db, error, rc, _("read or write it"));
      return NULL;
    }
  g_hash_table_insert (db->statements, (gpointer) sql, stmt);
  return stmt;
}

gboolean
lab_history_db_exec (LabHistoryDb  *db,
                     const char    *sql,
                     GError       **error)
{
  int rc = sqlite3_exec (db->handle, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      lab_history_db_set_error (db, error, rc, _("read or write it"));
      return FALSE;
    }
  return TRUE;
}

gboolean
lab_history_db_run (LabHistoryDb  *db,
                    sqlite3_stmt  *stmt,
                    const char    *what,
                    GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      rc = sqlite3_reset (stmt);
      lab_history_db_set_error (db, error, rc, what);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
lab_history_db_step_run (LabHistoryDb  *db,
                         sqlite3_stmt  *stmt,
                         gint64         id,
                         GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      g_set_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("The run history has no run %lld"), (long long) id);
      return FALSE;
    }
  rc = sqlite3_reset (stmt);
  lab_history_db_set_error (db, error, rc, _("read it"));
  return FALSE;
}

/* IMMEDIATE: the write lock is taken (or waited for) at the start, so a
 * transaction never fails half-way because another one wrote meanwhile. */
gboolean
lab_history_db_begin (LabHistoryDb  *db,
                      GError       **error)
{
  return lab_history_db_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
lab_history_db_commit (LabHistoryDb  *db,
                       GError       **error)
{
  if (lab_history_db_exec (db, "COMMIT", error))
    return TRUE;
  lab_history_db_rollback (db);
  return FALSE;
}

void
lab_history_db_rollback (LabHistoryDb *db)
{
  if (!sqlite3_get_autocommit (db->handle))
    sqlite3_exec (db->handle, "ROLLBACK", NULL, NULL, NULL);
}

void
lab_history_db_bind_double (sqlite3_stmt *stmt,
                            int           index,
                            double        value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_double (stmt, index, value);
}

double
lab_history_db_column_double (sqlite3_stmt *stmt,
                              int           index)
{
  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, index);
}

void
lab_history_db_bind_text (sqlite3_stmt *stmt,
                          int           index,
                          const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

/* "2025-01-31T12:00:00.123456Z": every microsecond, so that a run read
 * back exports the times it was measured with. */
char *
lab_history_format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

GDateTime *
lab_history_parse_time (const char *text)
{
  if (text == NULL)
    return NULL;
  return g_date_time_new_from_iso8601 (text, NULL);
}

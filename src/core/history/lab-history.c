/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-export.h"
#include "lab-history-private.h"

struct _LabHistory
{
  GObject          parent_instance;

  LabHistoryDb    *db;
  char            *recovery_message;
  LabHistoryOwner *owner;
};

G_DEFINE_FINAL_TYPE (LabHistory, lab_history, G_TYPE_OBJECT)

enum {
  CHANGED,
  RECORDING_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
lab_history_finalize (GObject *object)
{
  LabHistory *self = (LabHistory *) object;

  g_clear_pointer (&self->db, lab_history_db_close);
  g_clear_pointer (&self->owner, lab_history_owner_free);
  g_free (self->recovery_message);

  G_OBJECT_CLASS (lab_history_parent_class)->finalize (object);
}

static void
lab_history_class_init (LabHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lab_history_finalize;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RECORDING_FAILED] =
    g_signal_new ("recording-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, LAB_TYPE_RUN, G_TYPE_ERROR);
}

static void
lab_history_init (LabHistory *self)
{
  self->owner = lab_history_owner_self ();
}

/**
 * lab_history_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/concurrency-lab/history.db`
 *   (in the Flatpak, the application's own data folder)
 */
char *
lab_history_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "concurrency-lab", "history.db", NULL);
}

/* What can be wrong with the file found on opening */
typedef enum
{
  TROUBLE_NONE,
  TROUBLE_OTHER,      /* not the file's fault: no room, no permission, a newer version */
  TROUBLE_NOT_DATABASE,
  TROUBLE_DAMAGED,
  TROUBLE_LOCKED,
} Trouble;

static Trouble
trouble_of (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      return TROUBLE_NOT_DATABASE;
    case SQLITE_CORRUPT:
      return TROUBLE_DAMAGED;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return TROUBLE_LOCKED;
    default:
      return TROUBLE_OTHER;
    }
}

/* PRAGMA quick_check: the structure of every page, in one pass. Its
 * first finding is in @detail. */
static Trouble
check_integrity (LabHistoryDb  *db,
                 char         **detail,
                 GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db->handle, "PRAGMA quick_check", -1, &stmt, NULL);
  g_autofree char *result = NULL;

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_ROW)
    {
      lab_history_db_set_error (db, error, rc, _("check it"));
      *detail = g_strdup (sqlite3_errmsg (db->handle));
      sqlite3_finalize (stmt);
      return trouble_of (rc);
    }
  sqlite3_finalize (stmt);
  if (g_strcmp0 (result, "ok") != 0)
    {
      g_auto(GStrv) lines = g_strsplit (result != NULL ? result : "?", "\n", 3);

      /* "*** in database main ***\nPage 9: btreeInitPage() returns error code 11\n…" */
      *detail = g_strdup (lines[0] != NULL && lines[1] != NULL && g_str_has_prefix (lines[0], "***") ? lines[1]
                                                                                                   : lines[0]);
      g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY, _("The run history (%s) is damaged: %s"), db->path, *detail);
      return TROUBLE_DAMAGED;
    }
  return TROUBLE_NONE;
}

/* Marks the runs whose process is gone interrupted. */
static gboolean
mark_interrupted (LabHistoryDb  *db,
                  GError       **error)
{
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = lab_history_db_statement (db,
                                   "SELECT id, owner_pid, owner_start, owner_boot, owner_pidns FROM runs "
                                   "WHERE status = 'running'",
                                   error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_autofree char *lock_path = lab_history_lock_path (db->path, id);
      LabHistoryOwner owner = {
        .pid = sqlite3_column_int64 (stmt, 1),
        .start_ticks = (guint64) sqlite3_column_int64 (stmt, 2),
        .boot_id = (char *) sqlite3_column_text (stmt, 3),
        .pid_ns = (char *) sqlite3_column_text (stmt, 4),
      };

      if (owner.boot_id == NULL || owner.pid_ns == NULL || !lab_history_owner_alive (&owner, lock_path))
        g_array_append_val (gone, id);
    }
  if (rc != SQLITE_DONE)
    {
      rc = sqlite3_reset (stmt);
      lab_history_db_set_error (db, error, rc, _("read it"));
      return FALSE;
    }
  sqlite3_reset (stmt);
  if (gone->len == 0)
    return TRUE;

  if (!lab_history_db_begin (db, error))
    return FALSE;
  for (guint i = 0; i < gone->len; i++)
    {
      /* Unless its owner finished it meanwhile */
      stmt = lab_history_db_statement (db, "UPDATE runs SET status = 'interrupted' WHERE id = ?1 AND status = 'running'",
                                       error);
      if (stmt == NULL)
        {
          lab_history_db_rollback (db);
          return FALSE;
        }
      sqlite3_bind_int64 (stmt, 1, g_array_index (gone, gint64, i));
      if (!lab_history_db_run (db, stmt, _("mark an interrupted run"), error))
        {
          lab_history_db_rollback (db);
          return FALSE;
        }
    }
  if (!lab_history_db_commit (db, error))
    return FALSE;
  for (guint i = 0; i < gone->len; i++)
    {
      g_autofree char *lock_path = lab_history_lock_path (db->path, g_array_index (gone, gint64, i));

      g_unlink (lock_path);
    }
  return TRUE;
}

/* Opens @path and makes sure it can be used: a database, whole, of a
 * version this build can read, brought up to date. What SQLite said of a
 * failure is in @detail. */
static LabHistoryDb *
open_checked (const char  *path,
              Trouble     *trouble,
              char       **detail,
              GError     **error)
{
  LabHistoryDb *db;
  int rc;

  db = lab_history_db_open_full (path, &rc, error);
  if (db == NULL)
    {
      *trouble = trouble_of (rc);
      *detail = g_strdup (sqlite3_errstr (rc));
      return NULL;
    }
  *trouble = check_integrity (db, detail, error);
  if (*trouble == TROUBLE_NONE &&
      (!lab_history_schema_migrate (db, error) || !mark_interrupted (db, error)))
    {
      *trouble = trouble_of (sqlite3_errcode (db->handle));
      *detail = g_strdup (sqlite3_errmsg (db->handle));
    }
  if (*trouble != TROUBLE_NONE)
    {
      lab_history_db_close (db);
      return NULL;
    }
  return db;
}

/* history.db → history.db.corrupt-20250131T120000Z, with its -wal and
 * -shm, which SQLite finds again by those names. */
static char *
move_aside (const char  *path,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *aside = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  const char *suffixes[] = { "-wal", "-shm" };

  for (guint n = 1; g_file_test (aside, G_FILE_TEST_EXISTS); n++)
    {
      g_free (aside);
      aside = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (aside, suffixes[i], NULL);

      g_rename (from, to);
    }
  if (g_rename (path, aside) != 0)
    {
      int saved = errno;

      g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY,
                   _("The run history (%s) cannot be used and cannot be moved aside: %s"), path,
                   g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&aside);
}

static const char *
describe_trouble (Trouble trouble)
{
  switch (trouble)
    {
    case TROUBLE_NOT_DATABASE:
      /* Translators: why the run history could not be used */
      return _("the file is not a database");
    case TROUBLE_DAMAGED:
      /* Translators: why the run history could not be used */
      return _("the database is damaged");
    case TROUBLE_LOCKED:
      /* Translators: why the run history could not be used */
      return _("another program kept it locked for more than 5 seconds");
    case TROUBLE_NONE:
    case TROUBLE_OTHER:
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * lab_history_open:
 * @path: (nullable): the database; %NULL: lab_history_default_path()
 *
 * Opens the history, creating the database and its folder when needed.
 * A file that is not a database, a damaged database, or one another
 * program keeps locked for longer than LAB_HISTORY_BUSY_TIMEOUT_MS is
 * moved aside to `PATH.corrupt-TIMESTAMP` (its -wal and -shm with it)
 * and a new history is started: lab_history_get_recovery_message() says
 * so. Runs left 'running' by a process that is gone are marked
 * interrupted.
 *
 * Returns: (transfer full) (nullable): the history, or %NULL with @error
 *   set (LAB_ERROR_HISTORY) when there is none to be had: a folder that
 *   cannot be made or written, a database of a newer version
 */
LabHistory *
lab_history_open (const char  *path,
                  GError     **error)
{
  g_autoptr(LabHistory) self = g_object_new (LAB_TYPE_HISTORY, NULL);
  g_autofree char *default_path = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *aside = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *ignored = NULL;
  Trouble trouble;

  if (path == NULL)
    path = default_path = lab_history_default_path ();
  folder = g_path_get_dirname (path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY,
                   _("The run history cannot be kept in “%s”: %s"), folder, g_strerror (saved));
      return NULL;
    }

  self->db = open_checked (path, &trouble, &detail, &first_error);
  if (self->db != NULL)
    return g_steal_pointer (&self);
  if (trouble == TROUBLE_OTHER)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return NULL;
    }

  aside = move_aside (path, error);
  if (aside == NULL)
    return NULL;
  /* Translators: the first %s is a file, the second why it could not be used ("the
   * database is damaged"), the third what SQLite said ("database disk image is
   * malformed"), the fourth where the file is now */
  self->recovery_message = g_strdup_printf (_("The run history “%s” could not be used: %s (%s). It was moved to "
                                              "“%s” and a new, empty history was started."),
                                            path, describe_trouble (trouble), detail, aside);
  self->db = open_checked (path, &trouble, &ignored, error);
  if (self->db == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
lab_history_get_path (LabHistory *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  return self->db->path;
}

/**
 * lab_history_get_recovery_message:
 *
 * Returns: (nullable): what was wrong with the database found on opening,
 *   where it was moved, and that a new history was started; %NULL when
 *   nothing was
 */
const char *
lab_history_get_recovery_message (LabHistory *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  return self->recovery_message;
}

/**
 * lab_history_track_run:
 * @run: a run that has not started
 *
 * Records @run from its start: its row when it starts, each repetition as
 * it completes (before the run's "repetition-finished"), its end. A write
 * that fails is reported by #LabHistory::recording-failed; the run goes
 * on. The run must execute on the history's thread (its main context
 * there), where the commits happen.
 */
void
lab_history_track_run (LabHistory *self,
                       LabRun     *run)
{
  g_autoptr(LabRunRecorder) recorder = NULL;

  g_return_if_fail (LAB_IS_HISTORY (self));
  g_return_if_fail (LAB_IS_RUN (run));
  g_return_if_fail (lab_run_get_started_at (run) == NULL);

  recorder = lab_history_recorder_new (self);
  lab_run_set_recorder (run, recorder);
}

gint64
lab_history_get_run_id (LabHistory *self,
                        LabRun     *run)
{
  LabRunRecorder *recorder;

  g_return_val_if_fail (LAB_IS_HISTORY (self), 0);
  g_return_val_if_fail (LAB_IS_RUN (run), 0);

  recorder = lab_run_get_recorder (run);
  return recorder != NULL ? lab_history_recorder_get_id (recorder, self) : 0;
}

static GListModel *
list_entries (LabHistoryDb  *db,
              GError       **error)
{
  g_autoptr(GListStore) store = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!mark_interrupted (db, error))
    return NULL;
  stmt = lab_history_db_statement (db,
                                   "SELECT " LAB_HISTORY_ENTRY_COLUMNS " FROM runs ORDER BY started_at DESC, id DESC",
                                   error);
  if (stmt == NULL)
    return NULL;
  store = g_list_store_new (LAB_TYPE_HISTORY_ENTRY);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GError) entry_error = NULL;
      g_autoptr(LabHistoryEntry) entry = lab_history_read_entry (db, stmt, &entry_error);
      int last = sqlite3_errcode (db->handle);

      if (entry != NULL)
        g_list_store_append (store, entry);
      /* A failure of the database itself ends the listing */
      else if (last != SQLITE_OK && last != SQLITE_ROW && last != SQLITE_DONE)
        {
          sqlite3_reset (stmt);
          g_propagate_error (error, g_steal_pointer (&entry_error));
          return NULL;
        }
      else
        /* One damaged record does not hide the others; `history show`
         * says what is wrong with it. */
        g_message ("%s", entry_error->message);
    }
  if (rc != SQLITE_DONE)
    {
      rc = sqlite3_reset (stmt);
      lab_history_db_set_error (db, error, rc, _("list the runs"));
      return NULL;
    }
  sqlite3_reset (stmt);
  return G_LIST_MODEL (g_steal_pointer (&store));
}

/**
 * lab_history_list:
 *
 * Returns: (transfer full): a #GListModel of #LabHistoryEntry, newest
 *   first, or %NULL with @error set
 */
GListModel *
lab_history_list (LabHistory  *self,
                  GError     **error)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  return list_entries (self->db, error);
}

/*
 * A read on a thread of its own, with a connection of its own (SQLite's
 * connections are not shared between threads): @read, given the run id
 * @id where it needs one, returns a new GObject or NULL with an error.
 */
typedef gpointer (*ReadFunc) (LabHistoryDb  *db,
                              gint64         id,
                              GError       **error);

typedef struct
{
  char     *path;
  ReadFunc  read;
  gint64    id;
} ReadData;

static void
read_data_free (gpointer data)
{
  ReadData *read = data;

  g_free (read->path);
  g_free (read);
}

static void
read_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ReadData *data = task_data;
  LabHistoryDb *db;
  gpointer object;
  GError *error = NULL;

  db = lab_history_db_open (data->path, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  object = data->read (db, data->id, &error);
  lab_history_db_close (db);
  if (object == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, object, g_object_unref);
}

static void
read_async (LabHistory          *self,
            ReadFunc             read,
            gint64               id,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  data->path = g_strdup (self->db->path);
  data->read = read;
  data->id = id;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, read_data_free);
  g_task_run_in_thread (task, read_in_thread);
}

static gpointer
read_entries (LabHistoryDb  *db,
              gint64         id,
              GError       **error)
{
  return list_entries (db, error);
}

/**
 * lab_history_list_async:
 *
 * lab_history_list() on a thread of its own, with a connection of its
 * own: a long history (a thousand runs take a few hundred milliseconds to
 * list) does not hold up the caller's main loop.
 */
void
lab_history_list_async (LabHistory          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (LAB_IS_HISTORY (self));

  read_async (self, read_entries, 0, lab_history_list_async, cancellable, callback, user_data);
}

/* Returns: (transfer full): a #GListModel of #LabHistoryEntry, or %NULL */
GListModel *
lab_history_list_finish (LabHistory    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * lab_history_get_entry:
 *
 * Returns: (transfer full) (nullable): the entry of run @id, or %NULL
 *   with @error set (LAB_ERROR_NOT_FOUND when there is no such run)
 */
LabHistoryEntry *
lab_history_get_entry (LabHistory  *self,
                       gint64       id,
                       GError     **error)
{
  LabHistoryEntry *entry;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  if (!mark_interrupted (self->db, error))
    return NULL;
  stmt = lab_history_db_statement (self->db, "SELECT " LAB_HISTORY_ENTRY_COLUMNS " FROM runs WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!lab_history_db_step_run (self->db, stmt, id, error))
    return NULL;
  entry = lab_history_read_entry (self->db, stmt, error);
  sqlite3_reset (stmt);
  return entry;
}

/**
 * lab_history_load_run:
 *
 * Returns: (transfer full) (nullable): run @id rebuilt, or %NULL with
 *   @error set (LAB_ERROR_NOT_FOUND, LAB_ERROR_HISTORY)
 */
LabRun *
lab_history_load_run (LabHistory  *self,
                      gint64       id,
                      GError     **error)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  return lab_history_read_run (self->db, id, TRUE, error);
}

static gpointer
read_run (LabHistoryDb  *db,
          gint64         id,
          GError       **error)
{
  return lab_history_read_run (db, id, TRUE, error);
}

void
lab_history_load_run_async (LabHistory          *self,
                            gint64               id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LAB_IS_HISTORY (self));

  read_async (self, read_run, id, lab_history_load_run_async, cancellable, callback, user_data);
}

LabRun *
lab_history_load_run_finish (LabHistory    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
lab_history_export_csv (LabHistory  *self,
                        gint64       id,
                        const char  *results_path,
                        const char  *spans_path,
                        GError     **error)
{
  g_autoptr(LabRun) run = NULL;

  g_return_val_if_fail (LAB_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (results_path != NULL, FALSE);

  run = lab_history_load_run (self, id, error);
  if (run == NULL)
    return FALSE;
  if (!lab_export_results (run, results_path, error))
    return FALSE;
  return spans_path == NULL || lab_export_spans (run, spans_path, error);
}

gboolean
lab_history_delete_run (LabHistory  *self,
                        gint64       id,
                        GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (LAB_IS_HISTORY (self), FALSE);

  if (!mark_interrupted (self->db, error))
    return FALSE;
  stmt = lab_history_db_statement (self->db, "SELECT status, owner_pid FROM runs WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!lab_history_db_step_run (self->db, stmt, id, error))
    return FALSE;
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "running") == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_HISTORY,
                   _("Run %lld is being recorded by a program that still runs (process %lld): stop its run "
                     "first"),
                   (long long) id, (long long) sqlite3_column_int64 (stmt, 1));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  /* Its repetitions and their spans go with it (ON DELETE CASCADE). */
  stmt = lab_history_db_statement (self->db, "DELETE FROM runs WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!lab_history_db_run (self->db, stmt, _("delete the run"), error))
    return FALSE;
  /* Give the freed pages back to the file system */
  lab_history_db_exec (self->db, "PRAGMA incremental_vacuum", NULL);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

/* ---- for the recorder ---- */

LabHistoryDb *
lab_history_get_db (LabHistory *self)
{
  return self->db;
}

const LabHistoryOwner *
lab_history_get_owner (LabHistory *self)
{
  return self->owner;
}

void
lab_history_emit_changed (LabHistory *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
lab_history_emit_recording_failed (LabHistory   *self,
                                   LabRun       *run,
                                   const GError *error)
{
  g_signal_emit (self, signals[RECORDING_FAILED], 0, run, error);
}

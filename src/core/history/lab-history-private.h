/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "lab-history.h"
#include "lab-run-recorder.h"

G_BEGIN_DECLS

/* How long a statement waits for another connection's lock before it
 * gives up (SQLITE_BUSY). Commits take milliseconds; a lock held this
 * long is a stuck process. */
#define LAB_HISTORY_BUSY_TIMEOUT_MS 5000

/*
 * One connection and its prepared statements (lab-history-db.c). The
 * history has one on its thread; lab_history_list_async() and
 * lab_history_load_run_async() open one on a thread of their own.
 */
typedef struct
{
  sqlite3    *handle;
  char       *path;
  GHashTable *statements;   /* const char *sql (static) → sqlite3_stmt */
} LabHistoryDb;

LabHistoryDb  *lab_history_db_open       (const char    *path,
                                          GError       **error);
/* The same, with SQLite's result code of a failure in @rc */
LabHistoryDb  *lab_history_db_open_full  (const char    *path,
                                          int           *rc,
                                          GError       **error);
void           lab_history_db_close      (LabHistoryDb  *db);
/* A GError (LAB_ERROR_HISTORY) for SQLite's result @rc while doing @what */
void           lab_history_db_set_error  (LabHistoryDb  *db,
                                          GError       **error,
                                          int            rc,
                                          const char    *what);
/* A statement for @sql (a string that lives as long as the program),
 * prepared once, reset and unbound. (transfer none) */
sqlite3_stmt  *lab_history_db_statement  (LabHistoryDb  *db,
                                          const char    *sql,
                                          GError       **error);
gboolean       lab_history_db_exec       (LabHistoryDb  *db,
                                          const char    *sql,
                                          GError       **error);
/* Steps @stmt to its end (no rows expected) and resets it. */
gboolean       lab_history_db_run        (LabHistoryDb  *db,
                                          sqlite3_stmt  *stmt,
                                          const char    *what,
                                          GError       **error);
/* Steps @stmt, which selects the row of run @id: TRUE on that row; else
 * FALSE with @error (LAB_ERROR_NOT_FOUND when there is no such run) and
 * @stmt reset. */
gboolean       lab_history_db_step_run   (LabHistoryDb  *db,
                                          sqlite3_stmt  *stmt,
                                          gint64         id,
                                          GError       **error);
gboolean       lab_history_db_begin      (LabHistoryDb  *db,
                                          GError       **error);
gboolean       lab_history_db_commit     (LabHistoryDb  *db,
                                          GError       **error);
void           lab_history_db_rollback   (LabHistoryDb  *db);
/* NAN is NULL; NULL is NAN */
void           lab_history_db_bind_double (sqlite3_stmt *stmt,
                                           int           index,
                                           double        value);
double         lab_history_db_column_double (sqlite3_stmt *stmt,
                                             int           index);
void           lab_history_db_bind_text  (sqlite3_stmt  *stmt,
                                          int            index,
                                          const char    *text);
/* A UTC time with its microseconds, as ISO 8601, and back */
char          *lab_history_format_time   (GDateTime     *time);
GDateTime     *lab_history_parse_time    (const char    *text);

/* The schema (lab-history-schema.c): brings @db to
 * LAB_HISTORY_SCHEMA_VERSION, one migration after the other. */
gboolean       lab_history_schema_migrate (LabHistoryDb *db,
                                           GError      **error);

/*
 * The process that records a run (lab-history-owner.c): when its row is
 * still 'running', the run is interrupted unless that process lives.
 */
typedef struct
{
  gint64  pid;
  guint64 start_ticks;   /* /proc/PID/stat field 22: since boot */
  char   *boot_id;
  char   *pid_ns;        /* "pid:[4026531836]" */
} LabHistoryOwner;

LabHistoryOwner *lab_history_owner_self  (void);
void             lab_history_owner_free  (LabHistoryOwner *owner);
/* Whether @owner still runs; @lock_path is the lock it holds while it
 * records, asked when its PID means nothing here (another PID
 * namespace: another Flatpak sandbox). */
gboolean         lab_history_owner_alive (const LabHistoryOwner *owner,
                                          const char            *lock_path);
/* Takes the lock @path (created) and returns its descriptor, or -1 */
int              lab_history_owner_lock  (const char            *path);
char            *lab_history_lock_path   (const char            *db_path,
                                          gint64                 id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabHistoryOwner, lab_history_owner_free)

/* Reading (lab-history-read.c) */
LabRun          *lab_history_read_run    (LabHistoryDb  *db,
                                          gint64         id,
                                          gboolean       spans,
                                          GError       **error);
LabHistoryEntry *lab_history_read_entry  (LabHistoryDb  *db,
                                          sqlite3_stmt  *row,
                                          GError       **error);
/* The columns lab_history_read_entry() reads, in its order */
#define LAB_HISTORY_ENTRY_COLUMNS \
  "id, run_uuid, started_at, status, runtime_s, error, config, repetitions_done, repetitions_total, " \
  "host_cpus, cpu_model, app_version"

/* The entry (lab-history-entry.c) */
LabHistoryEntry *lab_history_entry_new   (gint64            id,
                                          const char       *run_id,
                                          LabHistoryStatus  status,
                                          GDateTime        *started_at,
                                          const LabRunConfig *config);
void             lab_history_entry_set_results (LabHistoryEntry *self,
                                                double           runtime_s,
                                                guint            repetitions_done,
                                                guint            repetitions_total,
                                                LabRun          *run);
void             lab_history_entry_set_machine (LabHistoryEntry *self,
                                                guint            host_cpus,
                                                const char      *cpu_model,
                                                const char      *app_version);
void             lab_history_entry_set_error   (LabHistoryEntry *self,
                                                const char      *error);
gboolean         lab_history_status_from_string (const char       *name,
                                                 LabHistoryStatus *status);

/* The recorder (lab-history-recorder.c): records one run into @history */
LabRunRecorder  *lab_history_recorder_new (LabHistory *history);
gint64           lab_history_recorder_get_id (LabRunRecorder *recorder,
                                              LabHistory     *history);

/* What the recorder needs of the history (lab-history.c) */
LabHistoryDb    *lab_history_get_db      (LabHistory   *self);
const LabHistoryOwner *lab_history_get_owner (LabHistory *self);
void             lab_history_emit_changed (LabHistory  *self);
void             lab_history_emit_recording_failed (LabHistory   *self,
                                                    LabRun       *run,
                                                    const GError *error);

G_END_DECLS

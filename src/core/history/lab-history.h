/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-run.h"

G_BEGIN_DECLS

/* The schema this build reads and writes (PRAGMA user_version). An older
 * database is migrated on opening; a newer one is refused. */
#define LAB_HISTORY_SCHEMA_VERSION 1

/**
 * LabHistoryStatus:
 * @LAB_HISTORY_RUNNING: its process is recording it now
 * @LAB_HISTORY_FINISHED: it ran to the end (some tasks may have failed)
 * @LAB_HISTORY_CANCELLED: it was stopped; its completed repetitions are kept
 * @LAB_HISTORY_FAILED: it stopped on an error (the entry's error says which)
 * @LAB_HISTORY_INTERRUPTED: its process ended without finishing it (killed,
 *   crashed, the machine went down); its completed repetitions are kept
 */
typedef enum
{
  LAB_HISTORY_RUNNING,
  LAB_HISTORY_FINISHED,
  LAB_HISTORY_CANCELLED,
  LAB_HISTORY_FAILED,
  LAB_HISTORY_INTERRUPTED,
} LabHistoryStatus;

/* "running", "finished", "cancelled", "failed", "interrupted": the
 * database's and the CLI's word */
const char *lab_history_status_to_string (LabHistoryStatus status);
/* "Running", "Finished", …, translated */
const char *lab_history_status_title     (LabHistoryStatus status);


#define LAB_TYPE_HISTORY_ENTRY (lab_history_entry_get_type ())

G_DECLARE_FINAL_TYPE (LabHistoryEntry, lab_history_entry, LAB, HISTORY_ENTRY, GObject)

/**
 * LabHistoryEntry:
 *
 * One recorded run as lab_history_list() lists it: what a row of the
 * History page or of `concurrency-lab-cli history list` shows. A snapshot:
 * it does not change when the run goes on; list again after
 * #LabHistory::changed.
 *
 * Properties (read-only): "id" (gint64), "status" (LabHistoryStatus as
 * guint), "started-at" (GDateTime), "title" (string), "settings" (string),
 * "modes" (string), "workers" (string), "repetitions-done" (guint),
 * "repetitions-total" (guint), "best-speedup" (double, NAN: none),
 * "best-variant" (string, nullable).
 */
/* The history's own key of the run: what `history show ID` takes */
gint64              lab_history_entry_get_id                (LabHistoryEntry *self);
/* The run's id in the CSV files (run_id column), a UUID */
const char         *lab_history_entry_get_run_id            (LabHistoryEntry *self);
LabHistoryStatus    lab_history_entry_get_status            (LabHistoryEntry *self);
/* UTC */
GDateTime          *lab_history_entry_get_started_at        (LabHistoryEntry *self);
/* How long it ran, to its end or (interrupted, running) to its last
 * completed repetition; NAN when no repetition completed */
double              lab_history_entry_get_runtime_s         (LabHistoryEntry *self);
/* The run's parameters in full */
const LabRunConfig *lab_history_entry_get_config            (LabHistoryEntry *self);
/* The workload's spec: "cpu:primes", "io:download", … */
const char         *lab_history_entry_get_workload          (LabHistoryEntry *self);
/* lab_run_config_describe_settings(): "Prime count · size 2,000,000 · 16 tasks" */
const char         *lab_history_entry_get_settings          (LabHistoryEntry *self);
/* The variants in the run, as the CLI names them: "sequential, threads, cpython/processes" */
const char         *lab_history_entry_get_modes             (LabHistoryEntry *self);
/* The worker counts: "1, 2, 4" */
const char         *lab_history_entry_get_workers           (LabHistoryEntry *self);
/* A one-line title for a list: "cpu:primes · sequential, threads · 1, 2 workers" */
const char         *lab_history_entry_get_title             (LabHistoryEntry *self);
/* Completed repetitions (warm-ups included), of the run's total */
guint               lab_history_entry_get_repetitions_done  (LabHistoryEntry *self);
guint               lab_history_entry_get_repetitions_total (LabHistoryEntry *self);
/* Failed tasks in the completed measured repetitions */
guint               lab_history_entry_get_failed_tasks      (LabHistoryEntry *self);
/* The highest speed-up of a cell over its runtime's sequential cell,
 * computed from the stored repetitions; NAN when there is none (no
 * sequential cell, failed tasks, nothing completed) */
double              lab_history_entry_get_best_speedup      (LabHistoryEntry *self);
/* The cell it belongs to: "processes ×2"; NULL when there is none */
const char         *lab_history_entry_get_best_variant      (LabHistoryEntry *self);
/* LAB_HISTORY_FAILED: what stopped it; else NULL */
const char         *lab_history_entry_get_error             (LabHistoryEntry *self);
/* The machine it ran on */
guint               lab_history_entry_get_host_cpus         (LabHistoryEntry *self);
const char         *lab_history_entry_get_cpu_model         (LabHistoryEntry *self);
const char         *lab_history_entry_get_app_version       (LabHistoryEntry *self);


#define LAB_TYPE_HISTORY (lab_history_get_type ())

G_DECLARE_FINAL_TYPE (LabHistory, lab_history, LAB, HISTORY, GObject)

/**
 * LabHistory:
 *
 * Every run's parameters, machine facts and results, in an SQLite
 * database (WAL mode): by default
 * `$XDG_DATA_HOME/concurrency-lab/history.db`. A run given to
 * lab_history_track_run() is recorded as it goes: its row when it starts,
 * each repetition (figures, spans, GIL intervals, queue samples) in one
 * transaction as soon as it completes and before the run tells anyone
 * else, and its end. A run whose process died while recording it is
 * listed as interrupted, with every repetition that had completed.
 *
 * All methods run on the thread that opened the history, and are quick
 * (a repetition commits in milliseconds); lab_history_load_run_async()
 * reads a large run on a thread of its own.
 *
 * Signals:
 * - "changed" (): a run was added, recorded further, finished or deleted
 *   through this history
 * - "recording-failed" (LabRun *run, GError *error): a run could not be
 *   recorded (any more); it goes on, and what was committed before stays
 */
/* The default database: $XDG_DATA_HOME/concurrency-lab/history.db */
char            *lab_history_default_path   (void);

/* Opens (creating it and its folder when needed) the database at @path,
 * or the default one when %NULL. A database that is not one, is damaged
 * or stays locked is moved aside and a new one made: see
 * lab_history_get_recovery_message(). Fails (LAB_ERROR) only when no
 * database can be had at all, or when it was written by a newer
 * version. Returns: (transfer full) (nullable) */
LabHistory      *lab_history_open           (const char   *path,
                                             GError      **error);
const char      *lab_history_get_path       (LabHistory   *self);
/* What was wrong with the database found on opening, where it was moved
 * and that a new one was started, translated; %NULL when nothing was. */
const char      *lab_history_get_recovery_message (LabHistory *self);

/* Records @run, which has not started yet, from its start on. */
void             lab_history_track_run      (LabHistory   *self,
                                             LabRun       *run);
/* The id under which @run is recorded, once it has started; 0 before,
 * or when it is not recorded. */
gint64           lab_history_get_run_id     (LabHistory   *self,
                                             LabRun       *run);

/* Every recorded run, newest first. Runs left 'running' by a process that
 * is gone are marked interrupted first.
 * Returns: (transfer full): a #GListModel of #LabHistoryEntry */
GListModel      *lab_history_list           (LabHistory   *self,
                                             GError      **error);
/* The same on a thread of its own (a connection of its own): a thousand
 * runs take a few hundred milliseconds to list. */
void             lab_history_list_async     (LabHistory          *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GListModel      *lab_history_list_finish    (LabHistory   *self,
                                             GAsyncResult *result,
                                             GError      **error);
/* Returns: (transfer full) (nullable): the entry of run @id */
LabHistoryEntry *lab_history_get_entry      (LabHistory   *self,
                                             gint64        id,
                                             GError      **error);

/* The recorded run @id as a finished #LabRun: its config, cells,
 * repetitions (warm-ups and a repetition cut short included, as the run
 * had them) and spans, for the results table, the charts and the CSV
 * export. It is never executed. An unknown @id is LAB_ERROR_NOT_FOUND;
 * a database error LAB_ERROR_HISTORY.
 * Returns: (transfer full) (nullable) */
LabRun          *lab_history_load_run       (LabHistory   *self,
                                             gint64        id,
                                             GError      **error);
/* The same on a thread of its own (a connection of its own). */
void             lab_history_load_run_async (LabHistory          *self,
                                             gint64               id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LabRun          *lab_history_load_run_finish (LabHistory   *self,
                                              GAsyncResult *result,
                                              GError      **error);

/* Writes run @id's results (one row per measured repetition) to
 * @results_path and, unless %NULL, its spans (one row per task) to
 * @spans_path: the files `concurrency-lab-cli run --csv --spans-csv` writes. */
gboolean         lab_history_export_csv     (LabHistory   *self,
                                             gint64        id,
                                             const char   *results_path,
                                             const char   *spans_path,
                                             GError      **error);

/* Deletes run @id and everything recorded with it. A run still being
 * recorded by a live process cannot be deleted (LAB_ERROR_HISTORY). */
gboolean         lab_history_delete_run     (LabHistory   *self,
                                             gint64        id,
                                             GError      **error);

G_END_DECLS

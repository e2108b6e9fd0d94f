/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-result.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/*
 * io:files. The tasks of a cell write and read their files in one
 * temporary directory under g_get_user_cache_dir()/concurrency-lab/,
 * named files-PID-XXXXXX after the process that made it, which holds a
 * lock on it while it lives. The directory goes with the cell, whatever
 * happened to it; one left by a process that was killed (its PID gone and
 * its lock free, lab-stale.h) is removed by the next one made.
 */

typedef struct _LabFilesDir LabFilesDir;

/* Removes stale directories, then makes a new one, checking that its file
 * system has @bytes_at_once free (what the tasks running at once write). */
LabFilesDir *lab_files_dir_new            (guint64       bytes_at_once,
                                           GError      **error);
/* Removes the directory and whatever is left in it. */
void         lab_files_dir_free           (LabFilesDir  *self);
const char  *lab_files_dir_get_path       (LabFilesDir  *self);
/* The type of its file system ("ext4", "tmpfs"; interned), NULL when unknown. */
const char  *lab_files_dir_get_filesystem (LabFilesDir  *self);

/* g_get_user_cache_dir()/concurrency-lab (transfer full) */
char        *lab_files_parent_dir         (void);
/* Removes the directories of @parent whose process is gone; returns how many. */
guint        lab_files_remove_stale       (const char   *parent);

/* Task @task of @workload, in @dir: writes its file, syncs and drops it
 * from the page cache as the workload asks, measures how much of it is
 * cached, reads it back and removes it. Fills span->bytes (bytes read),
 * cached_bytes and checksum (of what was read). */
gboolean     lab_files_run_task           (const LabWorkload *workload,
                                           const char        *dir,
                                           guint              task,
                                           GCancellable      *cancellable,
                                           LabSpan           *span,
                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabFilesDir, lab_files_dir_free)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/*
 * What a killed process leaves behind. Files and folders the engine makes
 * for a while (io:files' folders, exports being written) are named
 * "…<marker><PID>-XXXXXX" after the process that makes them, which holds
 * a lock (flock) on them while it uses them. One whose process is gone
 * and whose lock is free was left by a process that was killed: anyone
 * may remove it.
 */

/* The PID in @name, which ends in "<marker><PID>-XXXXXX" (its last
 * @marker), or 0 when it does not. */
pid_t    lab_stale_owner_pid (const char *name,
                              const char *marker);
/* Opens @path and locks it for as long as the descriptor (returned, or -1)
 * stays open, so that no process takes it for stale meanwhile. */
int      lab_stale_hold      (const char *path);
/* Whether @path, named after @pid, was left behind: no process has that
 * PID here, and nobody holds it (a live owner in another PID namespace,
 * such as another Flatpak sandbox, does). */
gboolean lab_stale_is_left   (const char *path,
                              pid_t       pid);

/* Removes one leftover; TRUE once @path is gone. */
typedef gboolean (*LabStaleRemoveFunc) (const char *path);

/* Removes, with @remove, what killed processes left in @folder: the
 * entries of @type (S_IFREG or S_IFDIR; a link is never followed) named
 * "…<marker><PID>-XXXXXX" that lab_stale_is_left(). Returns how many went. */
guint    lab_stale_remove_all (const char         *folder,
                               const char         *marker,
                               mode_t              type,
                               LabStaleRemoveFunc  remove);

G_END_DECLS

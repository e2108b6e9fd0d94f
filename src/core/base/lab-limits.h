/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The limit of open files (RLIMIT_NOFILE) of this process: sockets, pipes
 * and files all count against it. A desktop session often starts programs
 * with a soft limit of 1024 and a much higher hard limit; every executable
 * raises the soft limit to the hard one at start-up, which is safe because
 * nothing here uses select().
 */

/* Descriptors kept for what is not a run's own: standard streams, the main
 * contexts' wake-ups, the window's display connection, the history. */
#define LAB_FD_RESERVE 64

/* What the limit reads when there is none. */
#define LAB_FD_UNLIMITED G_MAXUINT64

guint64  lab_fd_limit_get    (void);
guint64  lab_fd_limit_raise  (void);
gboolean lab_fd_limit_ensure (guint64 needed);

G_END_DECLS

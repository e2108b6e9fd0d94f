/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-run.h"

G_BEGIN_DECLS

/*
 * The engine's own costs, measured on this machine. Every function runs
 * real threads and processes and blocks until done: call it from a thread
 * that may block (the CLI's, or a GTask's).
 */

/* Median cost of starting and joining one thread, in µs. */
double   lab_bench_thread_start_us (guint          n,
                                    guint          repeat);
/* Median cost of starting one worker process (no pipes, no protocol) and
 * reaping it, in µs. */
double   lab_bench_raw_spawn_us    (const char    *worker_path,
                                    guint          n,
                                    guint          repeat,
                                    GError       **error);
/* Runs @config (with its own main loop) and returns the run, or NULL. */
LabRun  *lab_bench_run             (LabRunConfig  *config,
                                    GCancellable  *cancellable,
                                    GError       **error);
/* The median wall time per task of @tasks no-op tasks in @mode with
 * @workers workers, in µs. */
double   lab_bench_dispatch_us     (const char    *worker_path,
                                    LabMode        mode,
                                    guint          workers,
                                    guint          tasks,
                                    guint          repeat,
                                    GCancellable  *cancellable,
                                    GError       **error);
/* Peak resident set of an idle worker process after one task, in KiB. */
guint64  lab_bench_worker_rss_kib  (const char    *worker_path,
                                    GError       **error);

G_END_DECLS

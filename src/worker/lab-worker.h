/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lab-protocol.h"

G_BEGIN_DECLS

/**
 * LabWorkerHooks:
 * @task_starting: called before task @task runs; FALSE when the task must
 *   not run and nothing is to be answered for it
 * @reply_ready: may change the reply to a task before it is sent
 *
 * Where the tests' fault worker (lab-worker-faults.c) misbehaves on
 * purpose. The installed worker has no hooks.
 */
typedef struct
{
  gboolean (*task_starting) (guint       task);
  void     (*reply_ready)   (LabMessage *reply);
} LabWorkerHooks;

/* Speaks the worker protocol on stdin/stdout until stdin closes; returns
 * the exit status. @hooks may be NULL. */
int  lab_worker_run       (int                   argc,
                           char                **argv,
                           const LabWorkerHooks *hooks);
/* --echo, after the greeting: answers each frame on stdin with the same
 * bytes until stdin closes (lab-protocol.h); @shm_fd, if not -1, is the
 * shared memory segment the payloads travel in. Returns the exit status. */
int  lab_worker_echo      (int                   shm_fd);
/* Writes all of @data to the parent; exits when the parent is gone. */
void lab_worker_write_all (const char           *data,
                           gsize                 len);
/* Ends the worker as soon as its parent process is gone, even during a
 * task (lab-worker-parent.c); at once if it is gone already. */
void lab_worker_watch_parent (void);

G_END_DECLS

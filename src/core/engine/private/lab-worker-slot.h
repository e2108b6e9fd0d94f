/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-protocol.h"

G_BEGIN_DECLS

/* One request sent to a worker and not answered yet. */
typedef struct
{
  guint64  id;
  guint    task;
  gint64   sent_us;
  gsize    bytes;
  GBytes  *document;   /* an analysis request's document, kept to send again */
} LabInFlight;

void lab_in_flight_free (LabInFlight *req);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabInFlight, lab_in_flight_free)

/**
 * LabWorkerSlot:
 *
 * One place in a LabWorkerPool and the worker process that holds it, if
 * any (@process is NULL when the slot is empty): the pipes to it, the
 * requests it has in flight, oldest first, and what it has told us. The
 * slot starts, reads, checks and stops its worker; the pool decides what
 * to send it and when. The fields are the pool's to read and, for the
 * scheduling ones, to update.
 */
typedef struct
{
  guint          slot;           /* index in the pool */
  GSubprocess   *process;
  int            in_fd;          /* the worker's stdin, our write end */
  int            out_fd;         /* the worker's stdout, our read end */
  gint           pid;
  gboolean       said_hello;
  gboolean       unordered;      /* runs several tasks at once: replies in any order */
  guint64        generation;     /* workload generation the worker has */
  GQueue         in_flight;      /* LabInFlight */
  gsize          pending_bytes;
  gint64         head_since_us;  /* when the head request could start */
  guint          tasks_done;
  gboolean       retiring;       /* asked for usage before it goes */
  gboolean       usage_pending;
  LabLineReader  reader;
  guint64        user_us;        /* last reported totals */
  guint64        sys_us;
  guint64        voluntary_switches;
  guint64        involuntary_switches;
} LabWorkerSlot;

/* Descriptors a running worker holds in this process: its two pipes and
 * the pidfd GLib watches it with. */
#define LAB_WORKER_SLOT_FDS 3

void     lab_worker_slot_init          (LabWorkerSlot  *self,
                                        guint           slot);
/* Starts @worker_argv, with "--nice N" appended when @nice > 0. */
gboolean lab_worker_slot_spawn         (LabWorkerSlot       *self,
                                        const char * const  *worker_argv,
                                        int                  nice,
                                        GError             **error);
/* The same, with "--cpu @cpu" when @cpu >= 0 (the worker pins itself to
 * it before its greeting), and when @shm_fd >= 0 that descriptor given to
 * the worker as LAB_WORKER_SHM_FD with "--shm-fd" (an --echo worker's
 * shared memory). */
gboolean lab_worker_slot_spawn_full    (LabWorkerSlot       *self,
                                        const char * const  *worker_argv,
                                        int                  nice,
                                        int                  cpu,
                                        int                  shm_fd,
                                        GError             **error);
/* Reads what the worker wrote before its first request, once its output
 * is readable: FALSE with @error set when it ended or said something else
 * than its greeting. */
gboolean lab_worker_slot_read_hello    (LabWorkerSlot       *self,
                                        GError             **error);
/* Reads until the worker has greeted us, for at most @timeout_ms; FALSE
 * with @error set when it did not, ended, or said something else. */
gboolean lab_worker_slot_wait_hello    (LabWorkerSlot       *self,
                                        guint                timeout_ms,
                                        GError             **error);
/* The request in @self->in_flight that the result @msg answers, or NULL. */
GList   *lab_worker_slot_find_request  (LabWorkerSlot       *self,
                                        const LabMessage    *msg);
gboolean lab_worker_slot_write         (LabWorkerSlot  *self,
                                        const char     *data,
                                        gsize           len,
                                        GError        **error);
/* One read() of what the worker wrote; FALSE when it closed its end. */
gboolean lab_worker_slot_read          (LabWorkerSlot  *self);
/* TRUE with @msg (a result or a usage report, for the caller to clear)
 * when a whole message has been read and is one the worker may send
 * now; FALSE with @error set when the worker broke the protocol; FALSE
 * without error when more input is needed. The greeting is checked and
 * consumed here. */
gboolean lab_worker_slot_next_message  (LabWorkerSlot  *self,
                                        LabMessage     *msg,
                                        GError        **error);
/* Ends the worker (at once if @kill, else by closing its stdin) and reaps
 * it; the slot keeps the process until lab_worker_slot_reset(). */
void     lab_worker_slot_stop          (LabWorkerSlot  *self,
                                        gboolean        kill);
/* Why the stopped worker ended, in words. */
char    *lab_worker_slot_describe_exit (LabWorkerSlot  *self);
/* Forgets the process and its requests: the slot is empty again. */
void     lab_worker_slot_reset         (LabWorkerSlot  *self);
/* lab_worker_slot_stop() and lab_worker_slot_reset(). */
void     lab_worker_slot_close         (LabWorkerSlot  *self,
                                        gboolean        kill);

G_END_DECLS

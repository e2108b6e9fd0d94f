/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The channels the communication experiment sends messages through, each
 * with a partner that answers every message with the same bytes: another
 * thread of this process, or a concurrency-lab-worker --echo process.
 * A round trip is the same work in every channel: the message copied into
 * the channel, read whole by the partner into its own memory, an answer of
 * the same size copied back and read whole by the sender.
 */
typedef enum
{
  LAB_CHANNEL_THREADS_MUTEX,  /* a shared buffer handed over with a GMutex and a GCond */
  LAB_CHANNEL_THREADS_QUEUE,  /* a buffer handed over through two GAsyncQueues */
  LAB_CHANNEL_PIPE,           /* the worker's stdin and stdout pipes */
  LAB_CHANNEL_SHM,            /* a memfd segment, a header on the pipes per hand-over */
  LAB_N_CHANNELS
} LabChannelKind;

typedef struct _LabChannel LabChannel;

/* "threads-mutex", "threads-queue", "pipe", "shm" */
const char *lab_channel_kind_to_string (LabChannelKind  kind);

/* Starts the partner: a thread, or the worker @worker_path (started as
 * the pool starts its workers) which has greeted us. Messages may be up to
 * @max_bytes long. */
LabChannel *lab_channel_new        (LabChannelKind  kind,
                                    const char     *worker_path,
                                    gsize           max_bytes,
                                    GError        **error);
/* Sends @size bytes of @message and waits for the answer, which lands in
 * @reply (@size bytes). FALSE when the partner is gone or answered
 * something of another size. */
gboolean    lab_channel_round_trip (LabChannel     *self,
                                    const guint8   *message,
                                    guint8         *reply,
                                    gsize           size,
                                    GError        **error);
/* Stops the partner (joins the thread, ends and reaps the worker). */
void        lab_channel_free       (LabChannel     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabChannel, lab_channel_free)

G_END_DECLS

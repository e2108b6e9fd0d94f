/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* memfd_create() */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lab-error.h"
#include "lab-overhead-channel.h"
#include "lab-protocol.h"
#include "lab-worker-slot.h"

#define HELLO_TIMEOUT_MS  10000

typedef enum
{
  HAND_IDLE,
  HAND_REQUEST,  /* the partner's turn */
  HAND_REPLY,    /* the sender's turn */
  HAND_STOP,
} HandState;

struct _LabChannel
{
  LabChannelKind  kind;
  gsize           max_bytes;

  /* Threads: the shared buffers and the partner thread's own memory. */
  GThread        *thread;
  guint8         *request;
  guint8         *answer;
  guint8         *own;
  gsize           size;       /* of the message in flight */
  GMutex          lock;       /* THREADS_MUTEX */
  GCond           cond;
  HandState       state;
  GAsyncQueue    *requests;   /* THREADS_QUEUE: buffers, or the channel itself to stop */
  GAsyncQueue    *answers;

  /* Processes */
  LabWorkerSlot   worker;
  int             memfd;      /* SHM */
  guint8         *shm;        /* requests in the first half, answers in the second */
};

const char *
lab_channel_kind_to_string (LabChannelKind kind)
{
  static const char *names[LAB_N_CHANNELS] = {
    [LAB_CHANNEL_THREADS_MUTEX] = "threads-mutex",
    [LAB_CHANNEL_THREADS_QUEUE] = "threads-queue",
    [LAB_CHANNEL_PIPE] = "pipe",
    [LAB_CHANNEL_SHM] = "shm",
  };

  g_return_val_if_fail (kind < LAB_N_CHANNELS, NULL);
  return names[kind];
}

/* The partner thread, mutex and condition: waits for its turn, reads the
 * request into its own memory, writes the answer from there, hands back. */
static gpointer
mutex_partner (gpointer data)
{
  LabChannel *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (self->state != HAND_REQUEST && self->state != HAND_STOP)
        g_cond_wait (&self->cond, &self->lock);
      if (self->state == HAND_STOP)
        break;
      g_mutex_unlock (&self->lock);

      /* The buffers are this thread's until it hands them back. */
      memcpy (self->own, self->request, self->size);
      memcpy (self->answer, self->own, self->size);

      g_mutex_lock (&self->lock);
      self->state = HAND_REPLY;
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* The partner thread, async queues: the same, each hand-over a push. */
static gpointer
queue_partner (gpointer data)
{
  LabChannel *self = data;

  for (;;)
    {
      gpointer request = g_async_queue_pop (self->requests);

      if (request == self)
        break;
      memcpy (self->own, request, self->size);
      memcpy (self->answer, self->own, self->size);
      g_async_queue_push (self->answers, self->answer);
    }
  return NULL;
}

static gboolean
start_worker (LabChannel  *self,
              const char  *worker_path,
              GError     **error)
{
  const char *argv[] = { worker_path, "--echo", NULL };

  if (self->kind == LAB_CHANNEL_SHM)
    {
      gsize segment = 2 * self->max_bytes;
      void *shm;

      self->memfd = memfd_create ("concurrency-lab-shm", MFD_CLOEXEC);
      if (self->memfd < 0 || ftruncate (self->memfd, segment) != 0 ||
          (shm = mmap (NULL, segment, PROT_READ | PROT_WRITE, MAP_SHARED, self->memfd, 0)) == MAP_FAILED)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not make a shared memory segment: %s"), g_strerror (saved));
          return FALSE;
        }
      self->shm = shm;
    }

  return lab_worker_slot_spawn_full (&self->worker, argv, 0, -1, self->memfd, error) &&
         lab_worker_slot_wait_hello (&self->worker, HELLO_TIMEOUT_MS, error);
}

LabChannel *
lab_channel_new (LabChannelKind   kind,
                 const char      *worker_path,
                 gsize            max_bytes,
                 GError         **error)
{
  g_autoptr(LabChannel) self = g_new0 (LabChannel, 1);

  g_return_val_if_fail (kind < LAB_N_CHANNELS, NULL);
  g_return_val_if_fail (max_bytes > 0 && max_bytes <= LAB_ECHO_MAX_BYTES, NULL);

  self->kind = kind;
  self->max_bytes = max_bytes;
  self->memfd = -1;
  lab_worker_slot_init (&self->worker, 0);

  switch (kind)
    {
    case LAB_CHANNEL_THREADS_MUTEX:
    case LAB_CHANNEL_THREADS_QUEUE:
      self->request = g_malloc (max_bytes);
      self->answer = g_malloc (max_bytes);
      self->own = g_malloc (max_bytes);
      g_mutex_init (&self->lock);
      g_cond_init (&self->cond);
      self->requests = g_async_queue_new ();
      self->answers = g_async_queue_new ();
      self->thread = g_thread_new ("lab-echo", kind == LAB_CHANNEL_THREADS_MUTEX ? mutex_partner : queue_partner,
                                   self);
      break;

    case LAB_CHANNEL_PIPE:
    case LAB_CHANNEL_SHM:
    default:
      if (!start_worker (self, worker_path, error))
        return NULL;
      break;
    }
  return g_steal_pointer (&self);
}

/* Reads or writes all the bytes of @iov on @fd. */
static gboolean
transfer_all (int            fd,
              gboolean       writing,
              struct iovec  *iov,
              int            n,
              GError       **error)
{
  for (;;)
    {
      ssize_t done;

      while (n > 0 && iov->iov_len == 0)
        iov++, n--;
      if (n == 0)
        return TRUE;

      done = writing ? writev (fd, iov, n) : readv (fd, iov, n);
      if (done < 0 && errno == EINTR)
        continue;
      if (done <= 0)
        {
          int saved = errno;

          if (done == 0)
            g_set_error_literal (error, LAB_ERROR, LAB_ERROR_WORKER, _("The worker closed its pipe"));
          else
            g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                         _("Could not talk to the worker: %s"), g_strerror (saved));
          return FALSE;
        }
      for (; n > 0 && (gsize) done >= iov->iov_len; iov++, n--)
        done -= iov->iov_len;
      if (n > 0)
        {
          iov->iov_base = (guint8 *) iov->iov_base + done;
          iov->iov_len -= done;
        }
    }
}

/* One frame out, one back (lab-protocol.h, --echo): the payloads on the
 * pipe itself, or only the headers when they travel in the segment. */
static gboolean
worker_round_trip (LabChannel    *self,
                   const guint8  *message,
                   guint8        *reply,
                   gsize          size,
                   GError       **error)
{
  gboolean on_pipe = self->kind == LAB_CHANNEL_PIPE;
  guint64 header = GUINT64_TO_LE ((guint64) size);
  guint64 back = 0;
  struct iovec out[2] = { { &header, LAB_ECHO_HEADER }, { (guint8 *) message, on_pipe ? size : 0 } };
  struct iovec in[2] = { { &back, LAB_ECHO_HEADER }, { reply, on_pipe ? size : 0 } };

  if (!on_pipe)
    memcpy (self->shm, message, size);
  if (!transfer_all (self->worker.in_fd, TRUE, out, 2, error) ||
      !transfer_all (self->worker.out_fd, FALSE, in, 1, error))
    return FALSE;
  if (back != header)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, _("The worker answered with another size"));
      return FALSE;
    }
  if (on_pipe)
    return transfer_all (self->worker.out_fd, FALSE, in + 1, 1, error);
  memcpy (reply, self->shm + self->max_bytes, size);
  return TRUE;
}

gboolean
lab_channel_round_trip (LabChannel    *self,
                        const guint8  *message,
                        guint8        *reply,
                        gsize          size,
                        GError       **error)
{
  g_return_val_if_fail (size <= self->max_bytes, FALSE);

  switch (self->kind)
    {
    case LAB_CHANNEL_THREADS_MUTEX:
      memcpy (self->request, message, size);
      g_mutex_lock (&self->lock);
      self->size = size;
      self->state = HAND_REQUEST;
      g_cond_signal (&self->cond);
      while (self->state != HAND_REPLY)
        g_cond_wait (&self->cond, &self->lock);
      self->state = HAND_IDLE;
      g_mutex_unlock (&self->lock);
      memcpy (reply, self->answer, size);
      return TRUE;

    case LAB_CHANNEL_THREADS_QUEUE:
      memcpy (self->request, message, size);
      self->size = size;  /* published by the push */
      g_async_queue_push (self->requests, self->request);
      memcpy (reply, g_async_queue_pop (self->answers), size);
      return TRUE;

    case LAB_CHANNEL_PIPE:
    case LAB_CHANNEL_SHM:
    default:
      return worker_round_trip (self, message, reply, size, error);
    }
}

void
lab_channel_free (LabChannel *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      if (self->kind == LAB_CHANNEL_THREADS_MUTEX)
        {
          g_mutex_lock (&self->lock);
          self->state = HAND_STOP;
          g_cond_signal (&self->cond);
          g_mutex_unlock (&self->lock);
        }
      else
        g_async_queue_push (self->requests, self);
      g_thread_join (self->thread);
    }
  if (self->requests != NULL)
    {
      g_async_queue_unref (self->requests);
      g_async_queue_unref (self->answers);
      g_mutex_clear (&self->lock);
      g_cond_clear (&self->cond);
    }

  /* Closing its stdin ends the worker; it is reaped before we go on. */
  lab_worker_slot_close (&self->worker, FALSE);
  if (self->shm != NULL)
    munmap (self->shm, 2 * self->max_bytes);
  if (self->memfd >= 0)
    close (self->memfd);

  g_free (self->request);
  g_free (self->answer);
  g_free (self->own);
  g_free (self);
}

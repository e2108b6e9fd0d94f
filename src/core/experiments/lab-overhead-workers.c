/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <poll.h>

#include "lab-error.h"
#include "lab-interpreter.h"
#include "lab-limits.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"
#include "lab-worker-slot.h"

/* How long a worker may take to greet, as the worker pool allows. */
#define HELLO_TIMEOUT_US  (10 * G_USEC_PER_SEC)

/* A margin of descriptors for everything but the workers. */
#define FDS_MARGIN      256

struct _LabOverheadWorkers
{
  LabWorkerSlot *slots;
  guint          n_slots;   /* started so far */
};

/**
 * lab_overhead_workers_free:
 *
 * Kills every worker, then reaps them: all die at once, which is quicker
 * than one graceful stop after the other.
 */
void
lab_overhead_workers_free (LabOverheadWorkers *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n_slots; i++)
    g_subprocess_force_exit (self->slots[i].process);
  for (guint i = 0; i < self->n_slots; i++)
    lab_worker_slot_close (&self->slots[i], TRUE);
  g_free (self->slots);
  g_free (self);
}

/* Polls the workers that have not greeted yet, and the cancellable. */
static gboolean
wait_for_hellos (LabOverheadWorkers  *self,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autofree struct pollfd *pfds = g_new0 (struct pollfd, self->n_slots + 1);
  g_autofree LabWorkerSlot **polled = g_new0 (LabWorkerSlot *, self->n_slots);
  gint64 deadline = g_get_monotonic_time () + HELLO_TIMEOUT_US;
  GPollFD cancel_fd = { .fd = -1 };
  gboolean have_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);
  gboolean ok = TRUE;

  while (ok)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      guint n = 0;

      for (guint i = 0; i < self->n_slots; i++)
        if (!self->slots[i].said_hello)
          {
            pfds[n] = (struct pollfd) { .fd = self->slots[i].out_fd, .events = POLLIN };
            polled[n++] = &self->slots[i];
          }
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else if (left <= 0)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                       _("A worker started but did not answer within %d s"),
                       (int) (HELLO_TIMEOUT_US / G_USEC_PER_SEC));
          ok = FALSE;
        }
      else
        {
          if (have_cancel_fd)
            pfds[n] = (struct pollfd) { .fd = cancel_fd.fd, .events = POLLIN };
          if (poll (pfds, n + (have_cancel_fd ? 1 : 0), MAX (left / 1000, 1)) < 0 && errno != EINTR)
            {
              int saved = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "poll: %s", g_strerror (saved));
              ok = FALSE;
            }
          for (guint i = 0; ok && i < n; i++)
            if (pfds[i].revents != 0)
              ok = lab_worker_slot_read_hello (polled[i], error);
        }
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  return ok;
}

/**
 * lab_overhead_workers_start:
 * @argv: the command line of a worker that speaks the worker protocol
 * @n: how many to start
 *
 * Starts @n workers one after the other, as the worker pool starts its
 * persistent workers (lab_worker_slot_spawn()), then waits until every
 * one has greeted: the moment a worker is ready for its first task. Unlike
 * lab_worker_pool_new(), it stops soon after @cancellable is cancelled.
 *
 * Returns: (transfer full) (nullable): the ready workers
 */
LabOverheadWorkers *
lab_overhead_workers_start (const char * const  *argv,
                            guint                n,
                            GCancellable        *cancellable,
                            GError             **error)
{
  g_autoptr(LabOverheadWorkers) self = NULL;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (n > 0, NULL);

  if (!lab_fd_limit_ensure (FDS_MARGIN + LAB_WORKER_SLOT_FDS * n))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNAVAILABLE,
                   g_dngettext (GETTEXT_PACKAGE, "Too few file descriptors for %u worker process",
                                "Too few file descriptors for %u worker processes", n),
                   n);
      return NULL;
    }

  self = g_new0 (LabOverheadWorkers, 1);
  self->slots = g_new0 (LabWorkerSlot, n);
  for (guint i = 0; i < n; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      lab_worker_slot_init (&self->slots[i], i);
      if (!lab_worker_slot_spawn (&self->slots[i], argv, 0, error))
        return NULL;
      self->n_slots++;
    }
  if (!wait_for_hellos (self, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

int
lab_overhead_workers_get_pid (LabOverheadWorkers *self,
                              guint               i)
{
  g_return_val_if_fail (i < self->n_slots, 0);
  return self->slots[i].pid;
}

/**
 * lab_overhead_workers_python_argv:
 *
 * Returns: (transfer full) (nullable): the command line of a CPython
 *   worker (the interpreter on the kernels script), or %NULL when this
 *   machine has no CPython runtime
 */
GStrv
lab_overhead_workers_python_argv (void)
{
  g_autoptr(GError) error = NULL;
  const LabInterpreter *interpreter = lab_interpreter_find (LAB_RUNTIME_CPYTHON, &error);

  if (interpreter == NULL)
    {
      g_debug ("no CPython worker: %s", error->message);
      return NULL;
    }
  return lab_interpreter_dup_argv (interpreter, NULL);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab-task.h"

struct _LabTaskRunner
{
  LabWorkload *workload;
  guint        concurrency;
};

gint64
lab_thread_id (void)
{
  return (gint64) syscall (SYS_gettid);
}

/**
 * lab_task_runner_new:
 * @workload: what the tasks are
 * @concurrency: how many threads will call lab_task_runner_run() at once
 *
 * Returns: (transfer full): a runner
 */
LabTaskRunner *
lab_task_runner_new (const LabWorkload *workload,
                     guint              concurrency)
{
  LabTaskRunner *self;

  g_return_val_if_fail (workload != NULL, NULL);

  self = g_new0 (LabTaskRunner, 1);
  self->workload = lab_workload_copy (workload);
  self->concurrency = MAX (1, concurrency);
  return self;
}

void
lab_task_runner_free (LabTaskRunner *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->workload, lab_workload_free);
  g_free (self);
}

const LabWorkload *
lab_task_runner_get_workload (LabTaskRunner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->workload;
}

/* Waits @ms milliseconds, or less when @cancellable fires. */
static gboolean
wait_cancellable (guint64       ms,
                  GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  GPollFD pollfd;

  if (cancellable == NULL || !g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_usleep (ms * 1000);
      return TRUE;
    }

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      struct pollfd pfd = { .fd = pollfd.fd, .events = POLLIN };
      int timeout_ms;

      if (g_cancellable_is_cancelled (cancellable) || now >= deadline)
        break;
      /* Round up so that we never wake a little early and spin. */
      timeout_ms = (int) MIN ((deadline - now + 999) / 1000, G_MAXINT);
      poll (&pfd, 1, timeout_ms);
    }
  g_cancellable_release_fd (cancellable);
  return !g_cancellable_is_cancelled (cancellable);
}

void
lab_task_runner_run (LabTaskRunner *self,
                     guint          task,
                     const char    *argument,
                     GCancellable  *cancellable,
                     LabSpan       *span)
{
  const LabWorkload *workload;

  g_return_if_fail (self != NULL);
  g_return_if_fail (span != NULL);

  workload = self->workload;
  span->task = task;
  span->pid = getpid ();
  span->tid = lab_thread_id ();
  span->status = LAB_TASK_OK;
  span->start_us = g_get_monotonic_time ();

  switch (workload->kind)
    {
    case LAB_WORKLOAD_CPU:
      span->checksum = lab_kernel_run_task (workload->kernel, workload->size,
                                            task, workload->tasks, cancellable);
      break;

    case LAB_WORKLOAD_SLEEP:
      wait_cancellable (workload->size, cancellable);
      span->checksum = task;
      break;

    case LAB_WORKLOAD_DOWNLOAD:
      span->status = LAB_TASK_FAILED;
      span->error = g_strdup (_("Downloads are not available in this build"));
      break;

    default:
      g_assert_not_reached ();
    }

  span->end_us = g_get_monotonic_time ();
  if (span->status == LAB_TASK_OK && g_cancellable_is_cancelled (cancellable))
    {
      span->status = LAB_TASK_CANCELLED;
      span->error = g_strdup (_("Cancelled"));
    }
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab-machine.h"
#include "lab-save.h"
#include "lab-worker-slot.h"

#define STOP_TIMEOUT_MS    2000

static void
ignore_sigpipe_once (void)
{
  static gsize done = 0;

  /* A worker that dies makes our next write to its pipe raise SIGPIPE,
   * which would kill the whole application: report EPIPE instead. */
  if (g_once_init_enter (&done))
    {
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&done, 1);
    }
}

void
lab_in_flight_free (LabInFlight *req)
{
  if (req == NULL)
    return;
  g_clear_pointer (&req->document, g_bytes_unref);
  g_free (req);
}

void
lab_worker_slot_init (LabWorkerSlot *self,
                      guint          slot)
{
  ignore_sigpipe_once ();

  memset (self, 0, sizeof *self);
  self->slot = slot;
  self->in_fd = -1;
  self->out_fd = -1;
}

gboolean
lab_worker_slot_write (LabWorkerSlot  *self,
                       const char     *data,
                       gsize           len,
                       GError        **error)
{
  if (!lab_save_write_all (self->in_fd, data, len))
    {
      int saved = errno;

      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                   _("Could not write to the worker: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
lab_worker_slot_reset (LabWorkerSlot *self)
{
  g_queue_clear_full (&self->in_flight, (GDestroyNotify) lab_in_flight_free);
  g_clear_object (&self->process);
  lab_line_reader_clear (&self->reader);
  self->in_fd = -1;
  self->out_fd = -1;
  self->pid = 0;
  self->said_hello = FALSE;
  self->generation = 0;
  self->pending_bytes = 0;
  self->tasks_done = 0;
  self->retiring = FALSE;
  self->usage_pending = FALSE;
  self->user_us = 0;
  self->sys_us = 0;
  self->voluntary_switches = 0;
  self->involuntary_switches = 0;
}

gboolean
lab_worker_slot_spawn (LabWorkerSlot       *self,
                       const char * const  *worker_argv,
                       int                  nice,
                       GError             **error)
{
  return lab_worker_slot_spawn_full (self, worker_argv, nice, -1, -1, error);
}

gboolean
lab_worker_slot_spawn_full (LabWorkerSlot       *self,
                            const char * const  *worker_argv,
                            int                  nice,
                            int                  cpu,
                            int                  shm_fd,
                            GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *nice_text = g_strdup_printf ("%d", nice);
  g_autofree char *cpu_text = g_strdup_printf ("%d", cpu);
  g_autofree char *shm_text = g_strdup_printf ("%d", LAB_WORKER_SHM_FD);
  g_autofree char *parent_text = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  const char *pid;

  g_assert (self->process == NULL);

  /* INHERIT_FDS lets GLib use posix_spawn() (a vfork: no copy of this
   * process's page tables). Without it GLib forks, and every page of a
   * big process such as the window turns copy-on-write: its main thread
   * then stalls on page faults right when the workers start. The
   * descriptors are made close-on-exec first, so the worker still gets
   * its two pipes and stderr only. */
  lab_machine_cloexec_fds ();
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_INHERIT_FDS);
  /* The worker ends when this process does (lab-protocol.h), and needs to
   * know it to see a parent that died before the worker could ask to be
   * told. */
  g_subprocess_launcher_setenv (launcher, LAB_WORKER_PARENT_ENV, parent_text, TRUE);
  g_strv_builder_addv (builder, (const char **) worker_argv);
  if (nice > 0)
    g_strv_builder_add_many (builder, "--nice", nice_text, NULL);
  /* The worker pins itself: GLib could not use posix_spawn() with a
   * child_setup function that did it. */
  if (cpu >= 0)
    g_strv_builder_add_many (builder, "--cpu", cpu_text, NULL);
  if (shm_fd >= 0)
    {
      int copy = dup (shm_fd);

      if (copy < 0)
        {
          int saved = errno;

          g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                       _("Could not start the worker “%s”: %s"), worker_argv[0], g_strerror (saved));
          return FALSE;
        }
      g_subprocess_launcher_take_fd (launcher, copy, LAB_WORKER_SHM_FD);
      g_strv_builder_add_many (builder, "--shm-fd", shm_text, NULL);
    }
  argv = g_strv_builder_end (builder);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &local_error);
  if (self->process == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                   _("Could not start the worker “%s”: %s"), worker_argv[0], local_error->message);
      return FALSE;
    }

  self->in_fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (self->process)));
  self->out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (self->process)));
  pid = g_subprocess_get_identifier (self->process);
  self->pid = pid != NULL ? atoi (pid) : 0;
  lab_line_reader_init (&self->reader, LAB_PROTOCOL_MAX_LINE);
  return TRUE;
}

char *
lab_worker_slot_describe_exit (LabWorkerSlot *self)
{
  GSubprocess *process = self->process;

  if (g_subprocess_get_if_signaled (process))
    {
      int sig = g_subprocess_get_term_sig (process);

      return g_strdup_printf (_("worker crashed: killed by signal %d (%s)"), sig, g_strsignal (sig));
    }
  if (g_subprocess_get_if_exited (process))
    return g_strdup_printf (_("worker exited unexpectedly with status %d"),
                            g_subprocess_get_exit_status (process));
  return g_strdup (_("worker ended unexpectedly"));
}

gboolean
lab_worker_slot_read_hello (LabWorkerSlot  *self,
                            GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  LabMessage msg;

  if (!lab_worker_slot_read (self))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_WORKER, _("The worker ended before it answered"));
      return FALSE;
    }
  /* Nothing but the greeting may come before the first request. */
  if (lab_worker_slot_next_message (self, &msg, &local_error))
    {
      lab_message_clear (&msg);
      g_set_error_literal (&local_error, LAB_ERROR, LAB_ERROR_PROTOCOL, "unexpected message before any request");
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
lab_worker_slot_wait_hello (LabWorkerSlot  *self,
                            guint           timeout_ms,
                            GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!self->said_hello)
    {
      struct pollfd pfd = { .fd = self->out_fd, .events = POLLIN };
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0 || poll (&pfd, 1, (left + 999) / 1000) <= 0)
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_WORKER, _("The worker did not answer"));
          return FALSE;
        }
      if (!lab_worker_slot_read_hello (self, error))
        return FALSE;
    }
  return TRUE;
}

/* Waiting until the worker is reaped leaves no zombie, and its pipes close
 * when the GSubprocess goes. */
void
lab_worker_slot_stop (LabWorkerSlot *self,
                      gboolean       kill)
{
  if (self->process == NULL)
    return;

  if (kill)
    g_subprocess_force_exit (self->process);
  else
    {
      struct pollfd pfd = { .fd = self->out_fd, .events = POLLIN };
      gint64 deadline = g_get_monotonic_time () + STOP_TIMEOUT_MS * 1000;
      char buf[4096];

      /* Closing its stdin tells the worker to exit; drain its stdout until
       * it does, and kill it if it does not within the time limit. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (self->process), NULL, NULL);
      for (;;)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          if (left <= 0 || poll (&pfd, 1, left / 1000) <= 0)
            {
              g_subprocess_force_exit (self->process);
              break;
            }
          if (read (self->out_fd, buf, sizeof buf) <= 0)
            break;
        }
    }
  g_subprocess_wait (self->process, NULL, NULL);
}

void
lab_worker_slot_close (LabWorkerSlot *self,
                       gboolean       kill)
{
  lab_worker_slot_stop (self, kill);
  lab_worker_slot_reset (self);
}

gboolean
lab_worker_slot_read (LabWorkerSlot *self)
{
  guint8 buf[65536];
  ssize_t n;

  do
    n = read (self->out_fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);

  if (n <= 0)
    return FALSE;
  lab_line_reader_feed (&self->reader, buf, n);
  return TRUE;
}

/* The greeting, consumed whatever it says. */
static gboolean
check_hello (LabWorkerSlot  *self,
             LabMessage     *msg,
             GError        **error)
{
  if (msg->type != LAB_MESSAGE_HELLO)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "expected a greeting first");
  else if (msg->version != LAB_PROTOCOL_VERSION)
    g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                 "worker speaks protocol %u, expected %u", msg->version, LAB_PROTOCOL_VERSION);
  else
    self->said_hello = TRUE;

  lab_message_clear (msg);
  return self->said_hello;
}

/* The request @msg answers: the oldest one, or for a worker that runs
 * several tasks at once any of them. */
GList *
lab_worker_slot_find_request (LabWorkerSlot    *self,
                              const LabMessage *msg)
{
  for (GList *l = self->in_flight.head; l != NULL; l = l->next)
    {
      LabInFlight *req = l->data;

      if (req->id == msg->id && req->task == msg->task)
        return l;
      if (!self->unordered)
        break;
    }
  return NULL;
}

/* Only what was asked for: the result of a request in flight (in order
 * unless the worker runs several at once), a usage report after a usage
 * request. */
static gboolean
check_reply (LabWorkerSlot  *self,
             LabMessage     *msg,
             GError        **error)
{
  switch (msg->type)
    {
    case LAB_MESSAGE_RESULT:
      if (lab_worker_slot_find_request (self, msg) != NULL)
        return TRUE;
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   "unexpected result for request %" G_GUINT64_FORMAT, msg->id);
      break;

    case LAB_MESSAGE_USAGE:
      if (self->usage_pending)
        return TRUE;
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "usage report nobody asked for");
      break;

    case LAB_MESSAGE_ERROR:
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "worker error: %s", msg->text);
      break;

    case LAB_MESSAGE_HELLO:
    case LAB_MESSAGE_WORKLOAD:
    case LAB_MESSAGE_TASK:
    default:
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "unexpected message type “%c”", msg->type);
      break;
    }

  lab_message_clear (msg);
  return FALSE;
}

gboolean
lab_worker_slot_next_message (LabWorkerSlot  *self,
                              LabMessage     *msg,
                              GError        **error)
{
  char *line;
  gsize len;

  while (lab_line_reader_next (&self->reader, &line, &len, error))
    {
      if (!lab_message_parse (line, len, msg, error))
        return FALSE;
      if (self->said_hello)
        return check_reply (self, msg, error);
      if (!check_hello (self, msg, error))
        return FALSE;
    }
  return FALSE;
}

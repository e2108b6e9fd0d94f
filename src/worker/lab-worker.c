/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lab-machine.h"
#include "lab-parse.h"
#include "lab-task.h"
#include "lab-worker.h"

/*
 * The worker: runs tasks for a parent process. It reads requests on stdin
 * and answers on stdout, one line each (lab-protocol.h), and exits when
 * stdin closes. It is started by LabWorkerPool, not by people.
 *
 * Everything but main() lives here, so that the tests' fault worker is
 * this very code with hooks added, and the installed worker has none.
 */

typedef struct
{
  const LabWorkerHooks *hooks;
  LabTaskRunner        *runner;  /* NULL until the first workload */
  GString              *out;
} Worker;

void
lab_worker_write_all (const char *data,
                      gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (STDOUT_FILENO, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (3);  /* the parent is gone */
      data += n;
      len -= n;
    }
}

static void
send_message (Worker           *self,
              const LabMessage *msg)
{
  g_string_truncate (self->out, 0);
  lab_message_format (msg, self->out);
  lab_worker_write_all (self->out->str, self->out->len);
}

static void
run_task (Worker           *self,
          const LabMessage *request)
{
  LabMessage reply = { .type = LAB_MESSAGE_RESULT };
  LabSpan span = { 0 };

  if (self->hooks->task_starting != NULL && !self->hooks->task_starting (request->task))
    return;

  lab_task_runner_run (self->runner, request->task, request->text, NULL, &span);
  reply.id = request->id;
  reply.task = request->task;
  reply.ok = span.status == LAB_TASK_OK;
  reply.checksum = span.checksum;
  reply.start_us = span.start_us;
  reply.end_us = span.end_us;
  reply.bytes = span.bytes;
  reply.tid = span.tid;
  reply.http_status = span.http_status;
  reply.text = span.error;
  if (self->hooks->reply_ready != NULL)
    self->hooks->reply_ready (&reply);
  send_message (self, &reply);
  lab_span_clear (&span);
}

static void
fatal (Worker     *self,
       const char *message)
{
  LabMessage msg = { .type = LAB_MESSAGE_ERROR, .text = (char *) message };

  send_message (self, &msg);
  exit (2);
}

static void
handle_line (Worker     *self,
             const char *line,
             gsize       len)
{
  g_autoptr(GError) error = NULL;
  LabMessage msg;

  if (!lab_message_parse (line, len, &msg, &error))
    fatal (self, error->message);

  switch (msg.type)
    {
    case LAB_MESSAGE_WORKLOAD:
      g_clear_pointer (&self->runner, lab_task_runner_free);
      self->runner = lab_task_runner_new (msg.workload, 1);
      break;

    case LAB_MESSAGE_TASK:
      if (self->runner == NULL)
        fatal (self, "task before workload");
      if (msg.task >= lab_task_runner_get_workload (self->runner)->tasks)
        fatal (self, "task index out of range");
      run_task (self, &msg);
      break;

    case LAB_MESSAGE_USAGE:
      {
        LabMessage reply = { .type = LAB_MESSAGE_USAGE };
        LabUsage usage;

        lab_usage_self (&usage);
        reply.user_us = usage.user_us;
        reply.sys_us = usage.sys_us;
        reply.maxrss_kib = lab_machine_peak_rss_kib ();
        send_message (self, &reply);
      }
      break;

    case LAB_MESSAGE_HELLO:
    case LAB_MESSAGE_RESULT:
    case LAB_MESSAGE_ERROR:
    default:
      fatal (self, "unexpected message type");
    }

  lab_message_clear (&msg);
}

/* FALSE (after the usage text) when the command line is not one the pool
 * would pass. */
static gboolean
parse_arguments (int    argc,
                 char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--nice"))
    {
      guint64 nice;

      if (lab_parse_uint64 ("--nice", argv[2], 0, 19, &nice, NULL))
        setpriority (PRIO_PROCESS, 0, (int) nice);
    }
  else if (argc != 1)
    {
      g_printerr ("%s is started by Concurrency Lab and speaks its worker protocol on stdin/stdout.\n"
                  "Usage: %s [--nice 0..19]\n", argv[0], argv[0]);
      return FALSE;
    }
  return TRUE;
}

int
lab_worker_run (int                   argc,
                char                **argv,
                const LabWorkerHooks *hooks)
{
  static const LabWorkerHooks no_hooks = { NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  Worker self = { .hooks = hooks != NULL ? hooks : &no_hooks, .out = out };
  LabLineReader reader;
  LabMessage hello = { .type = LAB_MESSAGE_HELLO, .version = LAB_PROTOCOL_VERSION };
  guint8 buf[16384];

  if (!parse_arguments (argc, argv))
    return 2;

  lab_line_reader_init (&reader, LAB_PROTOCOL_MAX_LINE);

  hello.pid = getpid ();
  send_message (&self, &hello);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char *line;
      gsize len;
      ssize_t n = read (STDIN_FILENO, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      lab_line_reader_feed (&reader, buf, n);
      while (lab_line_reader_next (&reader, &line, &len, &error))
        handle_line (&self, line, len);
      if (error != NULL)
        fatal (&self, error->message);
    }

  g_clear_pointer (&self.runner, lab_task_runner_free);
  lab_line_reader_clear (&reader);
  return 0;
}

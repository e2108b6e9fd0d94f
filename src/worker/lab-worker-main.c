/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lab-machine.h"
#include "lab-parse.h"
#include "lab-protocol.h"
#include "lab-task.h"

/*
 * concurrency-lab-worker: runs tasks for a parent process. It reads
 * requests on stdin and answers on stdout, one line each (lab-protocol.h),
 * and exits when stdin closes. It is started by LabWorkerPool, not by
 * people.
 *
 * For tests only, CONCURRENCY_LAB_WORKER_FAULT=KIND@TASK makes the worker
 * misbehave when it is given task number TASK: crash (SIGSEGV), abort,
 * exit, hang, garbage (a malformed reply), oversize (an endless line),
 * wrongid (a reply for another request). Unset, it has no effect.
 */

typedef enum
{
  FAULT_NONE,
  FAULT_CRASH,
  FAULT_ABORT,
  FAULT_EXIT,
  FAULT_HANG,
  FAULT_GARBAGE,
  FAULT_OVERSIZE,
  FAULT_WRONG_ID,
} Fault;

static Fault fault = FAULT_NONE;
static guint fault_task = 0;

static void
parse_fault (void)
{
  static const char *names[] = {
    [FAULT_CRASH] = "crash", [FAULT_ABORT] = "abort", [FAULT_EXIT] = "exit",
    [FAULT_HANG] = "hang", [FAULT_GARBAGE] = "garbage", [FAULT_OVERSIZE] = "oversize",
    [FAULT_WRONG_ID] = "wrongid",
  };
  const char *spec = g_getenv ("CONCURRENCY_LAB_WORKER_FAULT");
  const char *at;
  guint64 task;

  if (spec == NULL || (at = strchr (spec, '@')) == NULL)
    return;
  if (!lab_parse_uint64 ("task", at + 1, 0, G_MAXUINT, &task, NULL))
    return;
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    if (strncmp (spec, names[i], at - spec) == 0 && strlen (names[i]) == (gsize) (at - spec))
      {
        fault = i;
        fault_task = task;
      }
}

static void
write_all (const char *data,
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
send_message (GString          *out,
              const LabMessage *msg)
{
  g_string_truncate (out, 0);
  lab_message_format (msg, out);
  write_all (out->str, out->len);
}

/* Returns TRUE when the task should run normally. */
static gboolean
apply_fault (guint task)
{
  if (fault == FAULT_NONE || task != fault_task)
    return TRUE;

  switch (fault)
    {
    case FAULT_CRASH:
      raise (SIGSEGV);
      break;
    case FAULT_ABORT:
      abort ();
    case FAULT_EXIT:
      _exit (7);
    case FAULT_HANG:
      for (;;)
        pause ();
    case FAULT_GARBAGE:
      write_all ("R this is not a result\n", 23);
      return FALSE;
    case FAULT_OVERSIZE:
      {
        char block[4096];

        memset (block, 'x', sizeof block);
        for (guint i = 0; i < 1024; i++)
          write_all (block, sizeof block);
        return FALSE;
      }
    case FAULT_WRONG_ID:
    case FAULT_NONE:
    default:
      break;
    }
  return TRUE;
}

static void
run_task (LabTaskRunner    *runner,
          const LabMessage *request,
          GString          *out)
{
  LabMessage reply = { .type = LAB_MESSAGE_RESULT };
  LabSpan span = { 0 };

  if (!apply_fault (request->task))
    return;

  lab_task_runner_run (runner, request->task, request->text, NULL, &span);
  reply.id = request->id;
  if (fault == FAULT_WRONG_ID && request->task == fault_task)
    reply.id += 1000;
  reply.task = request->task;
  reply.ok = span.status == LAB_TASK_OK;
  reply.checksum = span.checksum;
  reply.start_us = span.start_us;
  reply.end_us = span.end_us;
  reply.bytes = span.bytes;
  reply.tid = span.tid;
  reply.http_status = span.http_status;
  reply.text = span.error;
  send_message (out, &reply);
  lab_span_clear (&span);
}

static void
fatal (GString    *out,
       const char *message)
{
  LabMessage msg = { .type = LAB_MESSAGE_ERROR, .text = (char *) message };

  send_message (out, &msg);
  exit (2);
}

static void
handle_line (LabTaskRunner **runner,
             const char     *line,
             gsize           len,
             GString        *out)
{
  g_autoptr(GError) error = NULL;
  LabMessage msg;

  if (!lab_message_parse (line, len, &msg, &error))
    fatal (out, error->message);

  switch (msg.type)
    {
    case LAB_MESSAGE_WORKLOAD:
      g_clear_pointer (runner, lab_task_runner_free);
      *runner = lab_task_runner_new (msg.workload, 1);
      break;

    case LAB_MESSAGE_TASK:
      if (*runner == NULL)
        fatal (out, "task before workload");
      if (msg.task >= lab_task_runner_get_workload (*runner)->tasks)
        fatal (out, "task index out of range");
      run_task (*runner, &msg, out);
      break;

    case LAB_MESSAGE_USAGE:
      {
        LabMessage reply = { .type = LAB_MESSAGE_USAGE };
        LabUsage usage;

        lab_usage_self (&usage);
        reply.user_us = usage.user_us;
        reply.sys_us = usage.sys_us;
        reply.maxrss_kib = lab_machine_peak_rss_kib ();
        send_message (out, &reply);
      }
      break;

    case LAB_MESSAGE_HELLO:
    case LAB_MESSAGE_RESULT:
    case LAB_MESSAGE_ERROR:
    default:
      fatal (out, "unexpected message type");
    }

  lab_message_clear (&msg);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GString) out = g_string_new (NULL);
  LabTaskRunner *runner = NULL;
  LabLineReader reader;
  LabMessage hello = { .type = LAB_MESSAGE_HELLO, .version = LAB_PROTOCOL_VERSION };
  guint8 buf[16384];

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
      return 2;
    }

  parse_fault ();
  lab_line_reader_init (&reader, LAB_PROTOCOL_MAX_LINE);

  hello.pid = getpid ();
  send_message (out, &hello);

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
        handle_line (&runner, line, len, out);
      if (error != NULL)
        fatal (out, error->message);
    }

  g_clear_pointer (&runner, lab_task_runner_free);
  lab_line_reader_clear (&reader);
  return 0;
}

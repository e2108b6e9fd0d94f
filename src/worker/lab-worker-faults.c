/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab-parse.h"
#include "lab-worker.h"

/*
 * concurrency-lab-worker-faults: the worker for the tests, never
 * installed. CONCURRENCY_LAB_WORKER_FAULT=KIND@TASK makes it misbehave
 * when it is given task number TASK: crash (SIGSEGV), abort, exit, hang,
 * garbage (a malformed reply), oversize (an endless line), wrongid (a
 * reply for another request). Unset, it is the ordinary worker.
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

/* Returns TRUE when the task should run normally. */
static gboolean
fault_task_starting (guint task)
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
      lab_worker_write_all ("R this is not a result\n", 23);
      return FALSE;
    case FAULT_OVERSIZE:
      {
        char block[4096];

        memset (block, 'x', sizeof block);
        for (guint i = 0; i < 1024; i++)
          lab_worker_write_all (block, sizeof block);
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
fault_reply_ready (LabMessage *reply)
{
  if (fault == FAULT_WRONG_ID && reply->task == fault_task)
    reply->id += 1000;
}

int
main (int    argc,
      char **argv)
{
  static const LabWorkerHooks hooks = {
    .task_starting = fault_task_starting,
    .reply_ready = fault_reply_ready,
  };

  parse_fault ();
  return lab_worker_run (argc, argv, &hooks);
}

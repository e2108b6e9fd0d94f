/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* sched_setaffinity() */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lab-machine.h"
#include "lab-sanitizer.h"
#include "lab-save.h"
#include "lab-task.h"
#include "lab-worker.h"

/*
 * The worker: runs tasks for a parent process. It reads requests on stdin
 * and answers on stdout, one line each (lab-protocol.h), and exits when
 * stdin closes. It is started by LabWorkerPool and the experiments, not by
 * people; its options (lab-protocol.h) are theirs.
 *
 * Everything but main() lives here, so that the tests' fault worker is
 * this very code with hooks added, and the installed worker has none.
 */

/* A worker that crashes dies of its signal, which is how the parent
 * reports it (the crash isolation experiment, the fault tests): without
 * this, a sanitizer catches the SIGSEGV, prints a report and exits with
 * status 1 (or 66). What the sanitizer looks for is still caught where it
 * happens, by the instrumentation; $ASAN_OPTIONS or $TSAN_OPTIONS can
 * still say otherwise. */
#ifdef LAB_WITH_ASAN
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "handle_segv=0";
}
#endif
#ifdef LAB_WITH_TSAN
const char *__tsan_default_options (void);

const char *
__tsan_default_options (void)
{
  return "handle_segv=0";
}
#endif

typedef struct
{
  gint     nice;
  gint     cpu;            /* -1: not pinned */
  gint     crash_on_task;  /* -1: never */
  gint     map_threads;    /* 0: one task at a time, answered at once */
  gboolean echo;
  gint     shm_fd;         /* -1: none */
} Options;

typedef struct
{
  const LabWorkerHooks *hooks;
  Options               options;
  LabWorkload          *workload; /* the last one sent, NULL until the first */
  GError               *refused;  /* why @workload is not run, or NULL */
  LabTaskRunner        *runner;   /* NULL unless @workload is run */
  GMutex                lock;    /* the output, and the map's state */
  GString              *out;
  /* --map-threads */
  GThreadPool          *map_pool;
  GPtrArray            *held;    /* LabMessage *: results not sent yet */
  guint                 map_running;
} Worker;

/* An A's document is read into a buffer that grows by this much at first. */
#define DOCUMENT_CHUNK (64 * 1024)

void
lab_worker_write_all (const char *data,
                      gsize       len)
{
  if (!lab_save_write_all (STDOUT_FILENO, data, len))
    _exit (3);  /* the parent is gone */
}

/* Call with the lock held. */
static void
send_message_locked (Worker           *self,
                     const LabMessage *msg)
{
  g_string_truncate (self->out, 0);
  lab_message_format (msg, self->out);
  lab_worker_write_all (self->out->str, self->out->len);
}

static void
send_message (Worker           *self,
              const LabMessage *msg)
{
  g_mutex_lock (&self->lock);
  send_message_locked (self, msg);
  g_mutex_unlock (&self->lock);
}

/* What --crash-on-task asks for: a real invalid memory access, a store to
 * a page mapped without access. Not through a NULL pointer: the compiler
 * may turn a visible NULL dereference into a trap instruction (SIGILL),
 * and it is undefined behaviour, which UndefinedBehaviorSanitizer stops
 * at before the store. */
static void
crash (void)
{
  int *volatile nowhere = mmap (NULL, (size_t) sysconf (_SC_PAGESIZE), PROT_NONE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (nowhere != MAP_FAILED)
    *nowhere = 1;
  raise (SIGSEGV);  /* not reached unless the mapping failed */
  abort ();
}

/* The pipeline's R: the download (a T's, else NULL) and the analysis as
 * one task, with the analysis at its end. */
static void
fill_document_reply (const LabSpan        *download,
                     const LabSpan        *analyse,
                     const LabDocumentRow *row,
                     gboolean              ok,
                     LabMessage           *reply)
{
  const LabSpan *last = download != NULL && download->status != LAB_TASK_OK ? download : analyse;
  const LabSpan *first = download != NULL ? download : analyse;

  reply->ok = ok;
  reply->start_us = first->start_us;
  reply->end_us = last->end_us;
  reply->tid = last->tid;
  reply->bytes = download != NULL ? download->bytes : row->bytes;
  reply->http_status = download != NULL ? download->http_status : 0;
  if (!ok)
    {
      reply->text = g_strdup (last->error != NULL ? last->error : "failed");
      return;
    }
  reply->checksum = lab_document_row_checksum (row);
  reply->analysed = TRUE;
  reply->analysis_start_us = analyse->start_us;
  reply->words = row->words;
  reply->word_length_sum = row->word_length_sum;
  memcpy (reply->digest, row->digest, sizeof reply->digest);
}

/* A pipeline document: downloaded and analysed (T), or analysed from
 * @data (A). */
static void
run_document (Worker           *self,
              const LabMessage *request,
              GBytes           *data,
              LabMessage       *reply)
{
  LabSpan download = { 0 }, analyse = { 0 };
  LabDocumentRow row = { 0 };
  gboolean ok;

  if (data != NULL)
    ok = lab_task_runner_analyse_document (self->runner, request->task, g_bytes_get_data (data, NULL),
                                           g_bytes_get_size (data), NULL, &analyse, &row);
  else
    ok = lab_task_runner_run_document (self->runner, request->task, request->text, NULL,
                                       &download, &analyse, &row);
  *reply = (LabMessage) { .type = LAB_MESSAGE_RESULT, .id = request->id, .task = request->task };
  fill_document_reply (data == NULL ? &download : NULL, &analyse, &row, ok, reply);
  lab_span_clear (&download);
  lab_span_clear (&analyse);
}

/* Runs the task @request asks for (with the document @data of an A) and
 * fills @reply (for the caller to clear); FALSE when a hook says nothing
 * is to be answered. */
static gboolean
run_task (Worker           *self,
          const LabMessage *request,
          GBytes           *data,
          LabMessage       *reply)
{
  LabSpan span = { 0 };

  if (self->options.crash_on_task >= 0 && request->task == (guint) self->options.crash_on_task)
    crash ();
  if (self->hooks->task_starting != NULL && !self->hooks->task_starting (request->task))
    return FALSE;

  if (lab_task_runner_get_workload (self->runner)->kind == LAB_WORKLOAD_PIPELINE)
    {
      run_document (self, request, data, reply);
      if (self->hooks->reply_ready != NULL)
        self->hooks->reply_ready (reply);
      return TRUE;
    }

  lab_task_runner_run (self->runner, request->task, request->text, NULL, &span);
  *reply = (LabMessage) {
    .type = LAB_MESSAGE_RESULT,
    .id = request->id,
    .task = request->task,
    .ok = span.status == LAB_TASK_OK,
    .checksum = span.checksum,
    .start_us = span.start_us,
    .end_us = span.end_us,
    .bytes = span.bytes,
    .tid = span.tid,
    .http_status = span.http_status,
    .cached_bytes = span.cached_bytes,
    .text = g_steal_pointer (&span.error),
  };
  lab_span_clear (&span);
  if (self->hooks->reply_ready != NULL)
    self->hooks->reply_ready (reply);
  return TRUE;
}

static int
compare_by_task (gconstpointer a,
                 gconstpointer b)
{
  const LabMessage *x = *(LabMessage * const *) a, *y = *(LabMessage * const *) b;

  return (x->task > y->task) - (x->task < y->task);
}

static void
message_free (LabMessage *msg)
{
  lab_message_clear (msg);
  g_free (msg);
}

/* A task of --map-threads, on one of the map's threads: its result is
 * held back, like pool.map's, until the whole workload is done. */
static void
map_task (gpointer data,
          gpointer user_data)
{
  LabMessage *request = data;
  Worker *self = user_data;
  LabMessage *reply = g_new0 (LabMessage, 1);
  gboolean answered = run_task (self, request, NULL, reply);
  LabMessage progress = { .type = LAB_MESSAGE_PROGRESS, .id = request->id, .task = request->task };

  g_mutex_lock (&self->lock);
  self->map_running--;
  if (answered)
    {
      g_ptr_array_add (self->held, reply);
      send_message_locked (self, &progress);
    }
  else
    g_free (reply);
  if (self->held->len >= lab_task_runner_get_workload (self->runner)->tasks)
    {
      g_ptr_array_sort (self->held, compare_by_task);
      for (guint i = 0; i < self->held->len; i++)
        send_message_locked (self, self->held->pdata[i]);
      g_ptr_array_set_size (self->held, 0);
    }
  g_mutex_unlock (&self->lock);
  message_free (request);
}

static void
fatal (Worker     *self,
       const char *message)
{
  LabMessage msg = { .type = LAB_MESSAGE_ERROR, .text = (char *) message };

  send_message (self, &msg);
  exit (2);
}

/* A task of a workload out of the limits: an error for that task, at once
 * (--map-threads too), and the worker goes on. */
static void
answer_refused (Worker           *self,
                const LabMessage *request)
{
  gint64 now = g_get_monotonic_time ();
  LabMessage reply = {
    .type = LAB_MESSAGE_RESULT,
    .id = request->id,
    .task = request->task,
    .start_us = now,
    .end_us = now,
    .tid = lab_thread_id (),
    .text = g_strdup_printf ("workload refused: %s", self->refused->message),
  };

  send_message (self, &reply);
  lab_message_clear (&reply);
}

static void
handle_task (Worker     *self,
             LabMessage *msg,
             GBytes     *data)
{
  LabMessage reply;

  if (self->workload == NULL)
    fatal (self, "task before workload");
  if (self->refused != NULL)
    {
      answer_refused (self, msg);
      return;
    }
  if (msg->task >= self->workload->tasks)
    fatal (self, "task index out of range");

  if (self->map_pool != NULL)
    {
      LabMessage *request = g_new (LabMessage, 1);

      *request = *msg;
      msg->text = NULL;  /* now the request's */
      g_mutex_lock (&self->lock);
      self->map_running++;
      g_mutex_unlock (&self->lock);
      g_thread_pool_push (self->map_pool, request, NULL);
      return;
    }

  if (run_task (self, msg, data, &reply))
    {
      send_message (self, &reply);
      lab_message_clear (&reply);
    }
}

static void
handle_workload (Worker     *self,
                 LabMessage *msg)
{
  gboolean busy;

  g_mutex_lock (&self->lock);
  busy = self->map_running > 0 || (self->held != NULL && self->held->len > 0);
  g_mutex_unlock (&self->lock);
  if (busy)
    fatal (self, "workload changed before its tasks were done");

  g_clear_pointer (&self->runner, lab_task_runner_free);
  g_clear_pointer (&self->workload, lab_workload_free);
  g_clear_error (&self->refused);
  self->workload = g_steal_pointer (&msg->workload);
  /* The line is well-formed; its values must be ones the engine would
   * send (the run builder's limits), or a kernel could be asked for more
   * memory than there is. */
  if (!lab_workload_check (self->workload, &self->refused))
    return;
  self->runner = lab_task_runner_new (self->workload, MAX (self->options.map_threads, 1));
}

static void
send_usage (Worker *self)
{
  LabMessage reply = { .type = LAB_MESSAGE_USAGE };
  LabUsage usage;

  lab_usage_self (&usage);
  reply.user_us = usage.user_us;
  reply.sys_us = usage.sys_us;
  reply.maxrss_kib = lab_machine_peak_rss_kib ();
  reply.voluntary_switches = usage.voluntary_switches;
  reply.involuntary_switches = usage.involuntary_switches;
  send_message (self, &reply);
}

/* The @len bytes that follow an A line: those @reader already has, then
 * the rest straight from stdin. The buffer grows as they come: @len is
 * only what the line claims. */
static GBytes *
read_document (Worker        *self,
               LabLineReader *reader,
               gsize          len)
{
  gsize capacity = MIN (len, DOCUMENT_CHUNK);
  guint8 *data = g_malloc (MAX (capacity, 1));
  gsize have = 0;

  while (have < len)
    {
      gsize n;

      if (have == capacity)
        {
          capacity = MIN (len, 2 * capacity);
          data = g_realloc (data, capacity);
        }
      n = lab_line_reader_take (reader, data + have, capacity - have);
      if (n == 0)
        {
          ssize_t got = read (STDIN_FILENO, data + have, capacity - have);

          if (got < 0 && errno == EINTR)
            continue;
          if (got <= 0)
            {
              g_free (data);
              fatal (self, "document cut short");
            }
          n = got;
        }
      have += n;
    }
  return g_bytes_new_take (data, len);
}

/* An A: the document must follow a pipeline workload, one at a time. */
static void
handle_analyse (Worker        *self,
                LabLineReader *reader,
                LabMessage    *msg)
{
  const LabWorkload *workload = self->workload;
  g_autoptr(GBytes) data = NULL;

  if (workload == NULL || workload->kind != LAB_WORKLOAD_PIPELINE || self->map_pool != NULL)
    fatal (self, "analysis without a pipeline workload");
  if (msg->bytes > workload->max_bytes)
    fatal (self, "document larger than the workload's cap");
  data = read_document (self, reader, msg->bytes);
  handle_task (self, msg, data);
}

static void
handle_line (Worker        *self,
             LabLineReader *reader,
             const char    *line,
             gsize          len)
{
  g_autoptr(GError) error = NULL;
  LabMessage msg;

  if (!lab_message_parse (line, len, &msg, &error))
    fatal (self, error->message);

  switch (msg.type)
    {
    case LAB_MESSAGE_WORKLOAD:
      handle_workload (self, &msg);
      break;

    case LAB_MESSAGE_TASK:
      handle_task (self, &msg, NULL);
      break;

    case LAB_MESSAGE_ANALYSE:
      handle_analyse (self, reader, &msg);
      break;

    case LAB_MESSAGE_USAGE:
      send_usage (self);
      break;

    case LAB_MESSAGE_HELLO:
    case LAB_MESSAGE_RESULT:
    case LAB_MESSAGE_PROGRESS:
    case LAB_MESSAGE_ERROR:
    default:
      fatal (self, "unexpected message type");
    }

  lab_message_clear (&msg);
}

/* FALSE (after saying why) when the command line is not one the engine
 * would pass. */
static gboolean
parse_arguments (int      argc,
                 char   **argv,
                 Options *options)
{
  const GOptionEntry entries[] = {
    { "nice", 0, 0, G_OPTION_ARG_INT, &options->nice, "Lower the priority by N (0–19)", "N" },
    { "cpu", 0, 0, G_OPTION_ARG_INT, &options->cpu, "Run on CPU N only", "N" },
    { "crash-on-task", 0, 0, G_OPTION_ARG_INT, &options->crash_on_task,
      "Die of a SIGSEGV when asked to run task N", "N" },
    { "map-threads", 0, 0, G_OPTION_ARG_INT, &options->map_threads,
      "Run the tasks on W threads and answer once all are done", "W" },
    { "echo", 0, 0, G_OPTION_ARG_NONE, &options->echo, "Answer each frame with the same bytes", NULL },
    { "shm-fd", 0, 0, G_OPTION_ARG_INT, &options->shm_fd,
      "With --echo: the frames' bytes are in the shared memory FD", "FD" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *wrong = NULL;

  *options = (Options) { .cpu = -1, .crash_on_task = -1, .shm_fd = -1 };
  g_option_context_set_summary (context, "Started by Concurrency Lab: speaks its worker protocol on stdin/stdout.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    wrong = error->message;
  else if (argc > 1)
    wrong = "unexpected argument";
  else if (options->nice < 0 || options->nice > 19)
    wrong = "--nice must be 0–19";
  else if (options->cpu < -1 || options->cpu >= CPU_SETSIZE)
    wrong = "no such CPU";
  else if (options->crash_on_task < -1 || options->map_threads < 0 || options->map_threads > LAB_MAX_WORKERS)
    wrong = "out of range";
  else if ((options->shm_fd != -1 && (!options->echo || options->shm_fd < 3)) ||
           (options->echo && (options->map_threads > 0 || options->crash_on_task >= 0)))
    wrong = "these options do not go together";

  if (wrong != NULL)
    {
      g_printerr ("%s: %s\n", argv[0], wrong);
      return FALSE;
    }
  return TRUE;
}

/* --cpu: before the greeting, so that a parent that has it knows the
 * worker already runs where it should. */
static gboolean
pin_to_cpu (int      cpu,
            GError **error)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot run on CPU %d: %s", cpu, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Applies the options that change the process itself. */
static void
apply_options (Worker *self)
{
  g_autoptr(GError) error = NULL;

  if (self->options.nice > 0)
    setpriority (PRIO_PROCESS, 0, self->options.nice);
  if (self->options.cpu >= 0 && !pin_to_cpu (self->options.cpu, &error))
    {
      g_printerr ("concurrency-lab-worker: %s\n", error->message);
      fatal (self, error->message);
    }
  /* A crash on purpose leaves no core file in the user's folder. */
  if (self->options.crash_on_task >= 0)
    prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (self->options.map_threads > 0)
    {
      self->map_pool = g_thread_pool_new (map_task, self, self->options.map_threads, TRUE, NULL);
      self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
    }
}

/* Reads lines until stdin closes. */
static void
serve_lines (Worker *self)
{
  LabLineReader reader;
  guint8 buf[16384];

  lab_line_reader_init (&reader, LAB_PROTOCOL_MAX_LINE);
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
        handle_line (self, &reader, line, len);
      if (error != NULL)
        fatal (self, error->message);
    }
  lab_line_reader_clear (&reader);
}

int
lab_worker_run (int                   argc,
                char                **argv,
                const LabWorkerHooks *hooks)
{
  static const LabWorkerHooks no_hooks = { NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  Worker self = { .hooks = hooks != NULL ? hooks : &no_hooks, .out = out };
  LabMessage hello = { .type = LAB_MESSAGE_HELLO, .version = LAB_PROTOCOL_VERSION };
  int status = 0;

  if (!parse_arguments (argc, argv, &self.options))
    return 2;
  lab_worker_watch_parent ();
  g_mutex_init (&self.lock);
  apply_options (&self);

  hello.pid = getpid ();
  send_message (&self, &hello);

  if (self.options.echo)
    status = lab_worker_echo (self.options.shm_fd);
  else
    serve_lines (&self);

  /* Tasks still running finish (and are answered) before the worker goes. */
  if (self.map_pool != NULL)
    g_thread_pool_free (self.map_pool, FALSE, TRUE);
  g_clear_pointer (&self.held, g_ptr_array_unref);
  g_clear_pointer (&self.runner, lab_task_runner_free);
  g_clear_pointer (&self.workload, lab_workload_free);
  g_clear_error (&self.refused);
  g_mutex_clear (&self.lock);
  return status;
}

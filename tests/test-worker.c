/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "lab-protocol.h"
#include "lab-run-config.h"
#include "lab-worker-slot.h"

/*
 * The real concurrency-lab-worker (CONCURRENCY_LAB_WORKER), driven on its
 * pipes as the engine drives it: how long it lives, and what it does with
 * lines it must not trust.
 */

#define ANSWER_TIMEOUT_MS 10000

static void
spawn_worker (LabWorkerSlot *w)
{
  g_autofree char *worker = lab_worker_path_default ();
  const char *argv[] = { worker, NULL };
  g_autoptr(GError) error = NULL;

  lab_worker_slot_init (w, 0);
  g_assert_true (lab_worker_slot_spawn (w, argv, 0, &error));
  g_assert_no_error (error);
  g_assert_true (lab_worker_slot_wait_hello (w, ANSWER_TIMEOUT_MS, &error));
  g_assert_no_error (error);
}

static void
send_lines (LabWorkerSlot *w,
            const char    *lines)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_worker_slot_write (w, lines, strlen (lines), &error));
  g_assert_no_error (error);
}

/* The next message of the worker, FALSE when it ended or said nothing for
 * @timeout_ms. */
static gboolean
read_message (LabWorkerSlot *w,
              guint          timeout_ms,
              LabMessage    *msg)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      struct pollfd pfd = { .fd = w->out_fd, .events = POLLIN };
      gint64 left = deadline - g_get_monotonic_time ();
      char *line;
      gsize len;

      if (lab_line_reader_next (&w->reader, &line, &len, &error))
        {
          g_assert_true (lab_message_parse (line, len, msg, &error));
          g_assert_no_error (error);
          return TRUE;
        }
      g_assert_no_error (error);
      if (left <= 0 || poll (&pfd, 1, (left + 999) / 1000) <= 0 || !lab_worker_slot_read (w))
        return FALSE;
    }
}

static void
assert_result (LabWorkerSlot *w,
               guint64        id,
               gboolean       ok)
{
  LabMessage msg;

  g_assert_true (read_message (w, ANSWER_TIMEOUT_MS, &msg));
  g_assert_cmpint (msg.type, ==, LAB_MESSAGE_RESULT);
  g_assert_cmpuint (msg.id, ==, id);
  g_assert_cmpint (msg.ok, ==, ok);
  lab_message_clear (&msg);
}

/* Waits up to @timeout_ms for @process to end. */
static gboolean
wait_exit (GSubprocess *process,
           guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  const char *id = g_subprocess_get_identifier (process);
  char path[64];

  /* GLib reaps it (on its worker thread): until then /proc still has it. */
  if (id == NULL)
    return TRUE;
  g_snprintf (path, sizeof path, "/proc/%s", id);
  while (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

/* Parent ------------------------------------------------------------------ */

static gpointer
spawn_and_start_task (gpointer data)
{
  LabWorkerSlot *w = data;

  spawn_worker (w);
  send_lines (w, "W io:sleep 300 4 30 1\nT 1 0\n");
  return NULL;  /* the thread that started the worker ends, mid-task */
}

/* The kernel's parent-death signal comes when the thread that started the
 * worker ends: a worker of a living process carries on. */
static void
test_survives_spawning_thread (void)
{
  LabWorkerSlot w;

  g_thread_join (g_thread_new ("spawner", spawn_and_start_task, &w));
  assert_result (&w, 1, TRUE);
  g_usleep (200 * 1000);
  send_lines (&w, "T 2 1\n");
  assert_result (&w, 2, TRUE);

  lab_worker_slot_stop (&w, FALSE);
  g_assert_true (g_subprocess_get_if_exited (w.process));
  g_assert_cmpint (g_subprocess_get_exit_status (w.process), ==, 0);
  lab_worker_slot_reset (&w);
}

/* A worker told of a parent it does not have (its real one died before it
 * could ask to be told) ends before it greets. */
static void
test_parent_gone_before_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *worker = lab_worker_path_default ();
  g_autofree char *other = g_strdup_printf ("%d", (int) getppid ());
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, LAB_WORKER_PARENT_ENV, other, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, worker, NULL);
  g_assert_no_error (error);
  /* stdin stays open: only the check can end it. */
  out = g_input_stream_read_bytes (g_subprocess_get_stdout_pipe (process), 4096, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 3);
}

/* Nobody reads its answers any more: the worker ends in the middle of an
 * hour-long task. */
static void
test_ends_when_nobody_reads (void)
{
  LabWorkerSlot w;
  GSubprocess *process;

  spawn_worker (&w);
  process = w.process;
  send_lines (&w, "W io:sleep 3600000 1 30 1\nT 1 0\n");
  g_usleep (100 * 1000);
  g_input_stream_close (g_subprocess_get_stdout_pipe (process), NULL, NULL);
  w.out_fd = -1;
  g_assert_true (wait_exit (process, 5000));
  g_subprocess_wait (process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 3);
  lab_worker_slot_reset (&w);
}

/* A living parent that closes stdin after its requests still gets their
 * answers, as in a `worker < requests`. */
static void
test_answers_after_stdin_closed (void)
{
  LabWorkerSlot w;

  spawn_worker (&w);
  send_lines (&w, "W io:sleep 300 2 30 1\nT 1 0\nT 2 1\n");
  g_output_stream_close (g_subprocess_get_stdin_pipe (w.process), NULL, NULL);
  assert_result (&w, 1, TRUE);
  assert_result (&w, 2, TRUE);
  g_assert_true (g_subprocess_wait (w.process, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (w.process));
  g_assert_cmpint (g_subprocess_get_exit_status (w.process), ==, 0);
  lab_worker_slot_reset (&w);
}

/* Untrusted workload lines ------------------------------------------------ */

/* The answer to the request @id is a failure that says @needle. */
static void
assert_refused (LabWorkerSlot *w,
                guint64        id,
                const char    *needle)
{
  LabMessage msg;

  if (!read_message (w, ANSWER_TIMEOUT_MS, &msg))
    {
      g_autofree char *why = NULL;

      if (wait_exit (w->process, 1000))
        {
          g_subprocess_wait (w->process, NULL, NULL);
          why = lab_worker_slot_describe_exit (w);
        }
      g_error ("no answer to request %" G_GUINT64_FORMAT " in %d ms: %s", id, ANSWER_TIMEOUT_MS,
               why != NULL ? why : "the worker is still busy");
    }
  g_assert_cmpint (msg.type, ==, LAB_MESSAGE_RESULT);
  g_assert_cmpuint (msg.id, ==, id);
  g_assert_false (msg.ok);
  g_assert_nonnull (strstr (msg.text, needle));
  lab_message_clear (&msg);
}

static guint64
worker_peak_rss_kib (LabWorkerSlot *w)
{
  LabMessage msg;
  guint64 kib;

  send_lines (w, "U\n");
  g_assert_true (read_message (w, ANSWER_TIMEOUT_MS, &msg));
  g_assert_cmpint (msg.type, ==, LAB_MESSAGE_USAGE);
  kib = msg.maxrss_kib;
  lab_message_clear (&msg);
  return kib;
}

/* Out of the limits the run builder sets, every task of a workload is
 * answered with an error, and the worker goes on to the next workload. */
static void
test_refuses_workloads_out_of_limits (void)
{
  const struct {
    const char *lines;
    const char *needle;
  } cases[] = {
    { "W cpu:matmul 65536 1 30 0\nT 1 0\nT 2 0\n", "from 1 to 4096" },           /* 16 GiB of matrix */
    { "W cpu:matmul 4294967296 2 30 0\nT 1 1\nT 2 0\n", "from 1 to 4096" },      /* n·n wraps */
    { "W cpu:sumsq 1000000000001 1 30 0\nT 1 0\nT 2 0\n", "cpu:sumsq size" },
    { "W io:sleep 3600001 1 30 0\nT 1 0\nT 2 0\n", "io:sleep size" },            /* over an hour */
    { "W io:sleep 0 1 30 0\nT 1 0\nT 2 0\n", "io:sleep size" },
    { "W cpu:sumsq 100 0 30 0\nT 1 0\nT 2 0\n", "tasks" },
    { "W io:download 0 1 0 1000\nT 1 0 http://127.0.0.1:9/\nT 2 0 http://127.0.0.1:9/\n", "timeout" },
    { "W io:download 0 1 86401 1000\nT 1 0 http://127.0.0.1:9/\nT 2 0 http://127.0.0.1:9/\n", "timeout" },
    { "W io:download 0 1 30 0\nT 1 0 http://127.0.0.1:9/\nT 2 0 http://127.0.0.1:9/\n", "max bytes" },
    { "W io:files 1073741825 1 30 1 0 warm\nT 1 0 /nonexistent\nT 2 0 /nonexistent\n", "io:files size" },
    { "W pipeline 4294967297 1 30 1000\nT 1 0 http://127.0.0.1:9/\nA 2 0 4\nword", "pipeline size" },
    { "W pipeline 20 1 30 0\nA 1 0 0\nT 2 0 http://127.0.0.1:9/\n", "max bytes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LabWorkerSlot w;

      g_test_message ("%s", cases[i].lines);
      spawn_worker (&w);
      send_lines (&w, cases[i].lines);
      assert_refused (&w, 1, cases[i].needle);
      assert_refused (&w, 2, cases[i].needle);
      /* Still serving, small, and the next workload is one it runs. */
      send_lines (&w, "W cpu:sumsq 1000 1 30 0\nT 3 0\n");
      assert_result (&w, 3, TRUE);
      g_assert_cmpuint (worker_peak_rss_kib (&w), <, 64 * 1024);
      lab_worker_slot_stop (&w, FALSE);
      g_assert_true (g_subprocess_get_if_exited (w.process));
      g_assert_cmpint (g_subprocess_get_exit_status (w.process), ==, 0);
      lab_worker_slot_reset (&w);
    }
}

/* A document announced larger than any memory is read as it comes, not
 * allocated up front: cut short, the worker says so instead of aborting. */
static void
test_document_read_as_it_comes (void)
{
  LabWorkerSlot w;
  LabMessage msg;

  spawn_worker (&w);
  send_lines (&w, "W pipeline 7 1 30 9223372036854775807\nA 1 0 9223372036854775807\nsome words\n");
  g_output_stream_close (g_subprocess_get_stdin_pipe (w.process), NULL, NULL);
  g_assert_true (read_message (&w, ANSWER_TIMEOUT_MS, &msg));
  g_assert_cmpint (msg.type, ==, LAB_MESSAGE_ERROR);
  g_assert_cmpstr (msg.text, ==, "document cut short");
  lab_message_clear (&msg);
  g_subprocess_wait (w.process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (w.process));
  g_assert_cmpint (g_subprocess_get_exit_status (w.process), ==, 2);
  lab_worker_slot_reset (&w);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/worker/parent/survives-spawning-thread", test_survives_spawning_thread);
  g_test_add_func ("/worker/parent/gone-before-start", test_parent_gone_before_start);
  g_test_add_func ("/worker/parent/nobody-reads", test_ends_when_nobody_reads);
  g_test_add_func ("/worker/parent/answers-after-stdin-closed", test_answers_after_stdin_closed);
  g_test_add_func ("/worker/workload/refused", test_refuses_workloads_out_of_limits);
  g_test_add_func ("/worker/workload/document-read-as-it-comes", test_document_read_as_it_comes);
  return g_test_run ();
}

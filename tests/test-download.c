/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lab-http-server.h"
#include "lab-run.h"
#include "lab-test-run.h"

/* Downloads from the real embedded server on 127.0.0.1, in real threads
 * and real concurrency-lab-worker processes (CONCURRENCY_LAB_WORKER). */

static LabHttpServer *server;

static char *
server_url (const char *path)
{
  return g_strconcat (lab_http_server_get_base_url (server), path, NULL);
}

/* @urls: NULL-terminated, may repeat; one task each. */
static LabRunBuilder *
make_builder (const char * const *urls,
              const char         *modes,
              guint               workers)
{
  LabRunBuilder *builder = lab_test_builder ("io:download", modes, &workers, 1);

  for (guint i = 0; urls[i] != NULL; i++)
    lab_run_builder_add_url (builder, urls[i]);
  return builder;
}

static LabRunConfig *
make_config (const char * const *urls,
             const char         *modes,
             guint               workers)
{
  return lab_test_build (make_builder (urls, modes, workers));
}

static GStrv
repeat_url (const char *path,
            guint       n)
{
  GStrv urls = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    urls[i] = server_url (path);
  return urls;
}

static const LabSpan *
find_span (LabRepetition *rep,
           guint          task)
{
  for (guint i = 0; i < rep->spans->len; i++)
    {
      const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

      if (span->task == task)
        return span;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_modes_agree (void)
{
  g_auto(GStrv) urls = repeat_url ("/bytes/100000", 12);
  g_autoptr(LabRunConfig) config = make_config ((const char * const *) urls,
                                                "sequential,threads,processes,spawn,async", 4);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GError) error = NULL;
  GPtrArray *reps;
  guint64 checksum = 0;

  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);

  reps = lab_run_get_repetitions (run);
  g_assert_cmpuint (reps->len, ==, 5);
  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);

      g_assert_true (rep->finished);
      g_assert_cmpuint (rep->spans->len, ==, 12);
      g_assert_cmpuint (rep->ok_tasks, ==, 12);
      g_assert_cmpuint (rep->bytes, ==, 12 * 100000);
      if (r == 0)
        checksum = rep->checksum;
      g_assert_cmpuint (rep->checksum, ==, checksum);
      for (guint i = 0; i < rep->spans->len; i++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

          g_assert_cmpuint (span->status, ==, LAB_TASK_OK);
          g_assert_cmpuint (span->http_status, ==, 200);
          g_assert_cmpuint (span->bytes, ==, 100000);
          g_assert_cmpuint (span->checksum, ==, g_array_index (rep->spans, LabSpan, 0).checksum);
        }
    }
  g_assert_cmpuint (checksum, !=, 0);
}

static void
test_overlap (gconstpointer data)
{
  g_auto(GStrv) urls = repeat_url ("/delay/200", 16);
  g_autoptr(LabRunConfig) config = make_config ((const char * const *) urls, data, 8);
  g_autoptr(LabRun) run = lab_run_new (config);
  g_autoptr(GError) error = NULL;
  LabRepetition *rep;

  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);

  rep = g_ptr_array_index (lab_run_get_repetitions (run), 0);
  /* ceil (16 / 8) × 200 ms = 0.4 s; sequential would be 3.2 s. */
  g_assert_cmpfloat (rep->wall_s, >=, 0.4);
  g_assert_cmpfloat (rep->wall_s, <, 1.6);
}

typedef struct
{
  const char *url;         /* a path on the server when it starts with / */
  const char *message;     /* a substring of the error */
  guint       http_status;
} BadInput;

static const BadInput bad_inputs[] = {
  { "ftp://x/", "unsupported scheme “ftp”", 0 },
  { "file:///etc/passwd", "unsupported scheme “file”", 0 },
  { "data:,x", "unsupported scheme “data”", 0 },
  { "not a url", "malformed URL", 0 },
  { "http://nonexistent.invalid/", "request failed", 0 },
  { "http://127.0.0.1:1/", "request failed", 0 },
  { "/status/404", "HTTP 404 Not Found", 404 },
  { "/status/500", "HTTP 500 Internal Server Error", 500 },
  { "/bytes/5000", "body larger than the cap of 4096 bytes", 200 },
  { "/redirect/30", "Too many redirects", 0 },  /* more redirects than libsoup follows */
  { "/delay/4000", "timed out", 0 },          /* longer than the 1 s time-out */
};

static void
test_bad_inputs (gconstpointer data)
{
  const char *modes = data;
  guint n = G_N_ELEMENTS (bad_inputs);
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  LabRunBuilder *builder;
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  LabRepetition *rep;

  /* A good URL between each bad one: the run must go on. */
  for (guint i = 0; i < n; i++)
    {
      const char *url = bad_inputs[i].url;

      g_ptr_array_add (urls, url[0] == '/' ? server_url (url) : g_strdup (url));
      g_ptr_array_add (urls, server_url ("/bytes/1000"));
    }
  g_ptr_array_add (urls, NULL);

  builder = make_builder ((const char * const *) urls->pdata, modes, 2);
  lab_run_builder_set_number (builder, LAB_PARAM_MAX_BYTES, 4096);
  lab_run_builder_set_number (builder, LAB_PARAM_TIMEOUT_S, 1);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, n);

  rep = g_ptr_array_index (lab_run_get_repetitions (run), 0);
  g_assert_cmpuint (rep->spans->len, ==, 2 * n);
  for (guint i = 0; i < n; i++)
    {
      const LabSpan *bad = find_span (rep, 2 * i);
      const LabSpan *good = find_span (rep, 2 * i + 1);

      g_test_message ("%s → %s", bad_inputs[i].url, bad->error);
      g_assert_cmpuint (bad->status, ==, LAB_TASK_FAILED);
      g_assert_nonnull (bad->error);
      g_assert_nonnull (strstr (bad->error, bad_inputs[i].message));
      g_assert_cmpuint (bad->http_status, ==, bad_inputs[i].http_status);
      if (bad_inputs[i].http_status >= 400)
        g_assert_cmpuint (bad->bytes, >, 0);

      g_assert_cmpuint (good->status, ==, LAB_TASK_OK);
      g_assert_cmpuint (good->http_status, ==, 200);
      g_assert_cmpuint (good->bytes, ==, 1000);
    }
}

/* A few redirects are followed; the body is the final one's. */
static void
test_redirect_followed (void)
{
  g_auto(GStrv) urls = repeat_url ("/redirect/3", 2);
  g_autoptr(LabRunConfig) config = make_config ((const char * const *) urls, "threads,async", 2);
  g_autoptr(LabRun) run = lab_run_new (config);
  LabRepetition *rep;

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
  rep = g_ptr_array_index (lab_run_get_repetitions (run), 0);
  g_assert_cmpuint (g_array_index (rep->spans, LabSpan, 0).http_status, ==, 200);
  g_assert_cmpuint (g_array_index (rep->spans, LabSpan, 0).bytes, ==, strlen ("redirected\n"));
}

static void
test_cancel (gconstpointer data)
{
  g_auto(GStrv) urls = repeat_url ("/delay/5000", 8);
  g_autoptr(LabRunConfig) config = make_config ((const char * const *) urls, data, 8);

  lab_test_assert_cancels (config, 3 * G_USEC_PER_SEC);
}

/* The event loop waits on timers too (asyncio.sleep): overlapping, and
 * cancelled promptly. */
static void
test_async_sleep (void)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRunConfig) long_config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const guint workers = 4;
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "async", &workers, 1);
  LabRepetition *rep;

  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 8);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 5000);
  long_config = lab_run_builder_build (builder, NULL);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 100);
  config = lab_test_build (builder);

  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  rep = g_ptr_array_index (lab_run_get_repetitions (run), 0);
  /* ceil (8 / 4) × 100 ms = 0.2 s; one after another would be 0.8 s. */
  g_assert_cmpfloat (rep->wall_s, >=, 0.2);
  g_assert_cmpfloat (rep->wall_s, <, 0.6);
  for (guint i = 0; i < rep->spans->len; i++)
    g_assert_cmpint (g_array_index (rep->spans, LabSpan, i).tid, ==, g_array_index (rep->spans, LabSpan, 0).tid);

  lab_test_assert_cancels (long_config, 2 * G_USEC_PER_SEC);
}

/* In the thread that cancels, "cancelled" handlers that run after the
 * executor's own: the event loop ends its tasks and lets go of the
 * cancellable while the signal is still being emitted. */
static void
slow_cancelled_handler (GCancellable *cancellable,
                        gpointer      user_data)
{
  g_usleep (200 * 1000);
}

static void
connect_slow_handler (LabRun        *run,
                      LabRepetition *rep,
                      gpointer       user_data)
{
  g_signal_connect_after (user_data, "cancelled", G_CALLBACK (slow_cancelled_handler), NULL);
}

/* The event loop stops while the cancel is still under way in the main
 * thread. GLib 2.74 leaks a GCancellableSource disposed during that
 * emission (which LeakSanitizer reports at the end of this program in the
 * sanitizer stage); the executor must not rely on one. */
static void
test_async_cancel_during_emission (void)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  LabTestCancel cancel = { cancellable, lab_test_time_limit (5 * G_USEC_PER_SEC), 0, 0 };
  const guint workers = 4;
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "async", &workers, 1);

  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 8);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 60 * 1000);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_signal_connect (run, "repetition-started", G_CALLBACK (connect_slow_handler), cancellable);
  g_signal_connect (run, "repetition-started", G_CALLBACK (lab_test_cancel_on_start), &cancel);
  g_assert_false (lab_run_execute (run, cancellable, &error));
  g_clear_handle_id (&cancel.watchdog, g_source_remove);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  server = lab_http_server_new ();
  if (!lab_http_server_start_in_thread (server, 0, &error))
    g_error ("cannot start the embedded server: %s", error->message);

  g_test_add_func ("/download/modes-agree", test_modes_agree);
  g_test_add_data_func ("/download/overlap/threads", "threads", test_overlap);
  g_test_add_data_func ("/download/overlap/async", "async", test_overlap);
  g_test_add_data_func ("/download/bad-inputs/threads", "threads", test_bad_inputs);
  g_test_add_data_func ("/download/bad-inputs/processes", "processes", test_bad_inputs);
  g_test_add_data_func ("/download/bad-inputs/async", "async", test_bad_inputs);
  g_test_add_data_func ("/download/cancel/threads", "threads", test_cancel);
  g_test_add_data_func ("/download/cancel/async", "async", test_cancel);
  g_test_add_func ("/download/async-sleep", test_async_sleep);
  g_test_add_func ("/download/async-cancel-during-emission", test_async_cancel_during_emission);
  g_test_add_func ("/download/redirect-followed", test_redirect_followed);

  status = g_test_run ();
  lab_http_server_stop (server);
  g_clear_object (&server);
  return status;
}

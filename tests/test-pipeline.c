/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "lab-document.h"
#include "lab-http-server.h"
#include "lab-machine.h"
#include "lab-pipeline.h"
#include "lab-pipeline-queue.h"
#include "lab-protocol.h"
#include "lab-reading.h"
#include "lab-sanitizer.h"
#include "lab-test-run.h"

/* The pipeline workload, run for real: the embedded server, threads,
 * worker processes and the storing thread. */

static LabHttpServer *server;

static const char * const shapes[] = { "sequential", "threads", "gil", "processes", "hybrid" };

/* A builder for @documents documents of @bytes bytes, @rounds rounds of
 * analysis, in @modes with two workers. */
static LabRunBuilder *
pipeline_builder (const char *modes,
                  guint       documents,
                  guint64     bytes,
                  guint64     rounds,
                  guint64     delay_ms)
{
  static const guint workers[] = { 2 };
  LabRunBuilder *builder = lab_test_builder ("pipeline", modes, workers, 1);

  lab_run_builder_set_server (builder, lab_http_server_get_base_url (server));
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, documents);
  lab_run_builder_set_number (builder, LAB_PARAM_BYTES, bytes);
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, rounds);
  lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, delay_ms);
  return builder;
}

static LabRepetition *
only_repetition (LabRun  *run,
                 LabMode  mode)
{
  LabCell *cell = lab_run_find_cell (run, mode, mode == LAB_MODE_SEQUENTIAL ? 1 : 2);

  g_assert_nonnull (cell);
  g_assert_cmpuint (lab_cell_get_repetitions (cell)->len, ==, 1);
  return g_ptr_array_index (lab_cell_get_repetitions (cell), 0);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The rows of a stored file, header checked, sorted. */
static char *
sorted_rows (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, LAB_DOCUMENT_CSV_HEADER));
  lines = g_strsplit (contents + strlen (LAB_DOCUMENT_CSV_HEADER), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_qsort_with_data (lines, n - 1, sizeof (char *), compare_lines, NULL);
  return g_strjoinv ("\n", lines);
}

/* Every document went through the three stages once, in order, in the
 * lane groups of its mode; the hybrid's analyses ran in other processes. */
static void
assert_stages (LabRepetition *rep,
               guint          documents)
{
  g_autofree guint *seen = g_new0 (guint, documents * LAB_N_STAGES);
  gboolean groups[3] = { FALSE };

  g_assert_cmpuint (rep->spans->len, ==, 3 * documents);
  for (guint i = 0; i < rep->spans->len; i++)
    {
      const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);
      guint group = lab_stage_lane_group (rep->mode, span->stage);

      g_assert_cmpint (span->status, ==, LAB_TASK_OK);
      g_assert_cmpint (span->stage, !=, LAB_STAGE_TASK);
      g_assert_cmpuint (span->task, <, documents);
      g_assert_cmpuint (span->worker, <, rep->workers);
      g_assert_cmpint (span->start_us, <=, span->end_us);
      seen[span->task * LAB_N_STAGES + span->stage]++;
      groups[group] = TRUE;
      if (span->stage == LAB_STAGE_STORE)
        g_assert_cmpuint (span->worker, ==, 0);
      if (rep->mode == LAB_MODE_HYBRID)
        g_assert_true ((span->pid == getpid ()) == (span->stage != LAB_STAGE_ANALYSE));
    }
  for (guint d = 0; d < documents; d++)
    for (guint s = LAB_STAGE_DOWNLOAD; s < LAB_N_STAGES; s++)
      g_assert_cmpuint (seen[d * LAB_N_STAGES + s], ==, 1);
  g_assert_cmpuint (lab_mode_lane_groups (rep->mode, TRUE), ==, rep->mode == LAB_MODE_HYBRID ? 3 : 2);
  for (guint g = 0; g < lab_mode_lane_groups (rep->mode, TRUE); g++)
    g_assert_true (groups[g]);
}

/* No sample of a queue is above its bound; the hybrid has both queues,
 * the other shapes only the one before the storing thread. */
static void
assert_queues (LabRepetition *rep)
{
  gboolean sampled[LAB_N_QUEUES] = { FALSE };

  g_assert_cmpuint (rep->queue_capacity[LAB_QUEUE_ANALYSED], ==, LAB_PIPELINE_QUEUE_PER_WORKER * rep->workers);
  g_assert_cmpuint (rep->queue_capacity[LAB_QUEUE_DOWNLOADED], ==,
                    rep->mode == LAB_MODE_HYBRID ? LAB_PIPELINE_QUEUE_PER_WORKER * rep->workers : 0);
  g_assert_cmpuint (rep->queue_samples->len, >, 0);
  for (guint i = 0; i < rep->queue_samples->len; i++)
    {
      const LabQueueSample *sample = &g_array_index (rep->queue_samples, LabQueueSample, i);

      g_assert_cmpuint (sample->length, <=, rep->queue_capacity[sample->queue]);
      sampled[sample->queue] = TRUE;
    }
  g_assert_true (sampled[LAB_QUEUE_ANALYSED]);
  g_assert_true (sampled[LAB_QUEUE_DOWNLOADED] == (rep->mode == LAB_MODE_HYBRID));
}

/* How long lane @lane was in @state (or in any state, with @any) within
 * [@start_us, @end_us). */
static gint64
gil_time (LabRepetition *rep,
          guint          lane,
          gboolean       any,
          LabGilState    state,
          gint64         start_us,
          gint64         end_us)
{
  gint64 total = 0;

  for (guint i = 0; i < rep->gil_intervals->len; i++)
    {
      const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, i);
      gint64 from = MAX (interval->start_us, start_us), to = MIN (interval->end_us, end_us);

      if (interval->worker == lane && (any || interval->state == state) && to > from)
        total += to - from;
    }
  return total;
}

/* Behind the emulated GIL a thread holds the lock or waits for it all the
 * time it analyses, and lets it go while its download waits for the
 * server (@delay_ms). */
static void
assert_gil_follows_stages (LabRepetition *rep,
                           guint64        delay_ms)
{
  g_assert_cmpuint (rep->gil_intervals->len, >, 0);
  for (guint i = 0; i < rep->spans->len; i++)
    {
      const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);
      gint64 duration = span->end_us - span->start_us;

      if (span->stage == LAB_STAGE_ANALYSE)
        g_assert_cmpint (gil_time (rep, span->worker, TRUE, LAB_GIL_HOLD, span->start_us, span->end_us), >=,
                         duration - 1000);
      else if (span->stage == LAB_STAGE_DOWNLOAD)
        g_assert_cmpint (gil_time (rep, span->worker, FALSE, LAB_GIL_HOLD, span->start_us, span->end_us), <=,
                         duration - (gint64) delay_ms * 1000 / 2);
    }
}

/* Every shape stores the same rows and computes the same checksum; the
 * repetition's bytes are the documents'. */
static void
test_shapes (void)
{
  const guint documents = 24;
  g_autofree char *dir = g_dir_make_tmp ("lab-pipeline-XXXXXX", NULL);
  g_autoptr(LabRunBuilder) builder = pipeline_builder ("sequential,threads,gil,processes,hybrid",
                                                       documents, 4096, 300, 5);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_rows = NULL;
  guint64 checksum = 0;

  g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_STORE_DIR, dir, NULL));
  config = lab_test_build (g_steal_pointer (&builder));
  g_assert_cmpstr (config->store_dir, ==, dir);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_tasks_done (run), ==, 5 * documents);

  for (guint m = 0; m < G_N_ELEMENTS (shapes); m++)
    {
      LabMode mode;
      LabRepetition *rep;
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      g_autofree char *rows = NULL;

      g_assert_true (lab_mode_from_string (shapes[m], &mode));
      rep = only_repetition (run, mode);
      g_assert_cmpuint (rep->ok_tasks, ==, documents);
      g_assert_cmpuint (rep->failed_tasks, ==, 0);
      g_assert_cmpuint (rep->bytes, ==, documents * 4096);
      if (m == 0)
        checksum = rep->checksum;
      g_assert_cmpuint (rep->checksum, ==, checksum);
      g_assert_cmpfloat (rep->stage_busy_s[LAB_STAGE_TASK], ==, 0.0);
      for (guint s = LAB_STAGE_DOWNLOAD; s < LAB_N_STAGES; s++)
        g_assert_cmpfloat (rep->stage_busy_s[s], >, 0.0);
      assert_stages (rep, documents);
      assert_queues (rep);
      if (mode == LAB_MODE_GIL)
        assert_gil_follows_stages (rep, 5);
      else
        g_assert_cmpuint (rep->gil_intervals->len, ==, 0);

      name = lab_pipeline_store_name (mode, rep->workers, 1, FALSE);
      path = g_build_filename (dir, name, NULL);
      rows = sorted_rows (path);
      if (m == 0)
        first_rows = g_steal_pointer (&rows);
      else
        g_assert_cmpstr (rows, ==, first_rows);
      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* The peak memory of a shape's processes (this one and its workers) with
 * ten times the documents: the bounded queues hold as many either way. */
static void
test_memory_flat (void)
{
  const char *modes[] = { "threads", "hybrid" };

#ifdef LAB_WITH_ASAN
  /* AddressSanitizer keeps freed memory aside (its quarantine, 256 MB)
   * to catch uses after free: the peak then grows with all that was
   * allocated and says nothing about the queues' bound. */
  g_test_skip ("peak RSS under AddressSanitizer measures its quarantine, not the queues");
  return;
#endif
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      guint64 peak[2];
      LabMode mode;

      g_assert_true (lab_mode_from_string (modes[m], &mode));
      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(LabRunConfig) config = lab_test_build (pipeline_builder (modes[m], i == 0 ? 100 : 1000,
                                                                             128 * 1024, 1, 0));
          g_autoptr(LabRun) run = lab_run_new (config);
          LabRepetition *rep;

          g_assert_true (lab_run_execute (run, NULL, NULL));
          rep = only_repetition (run, mode);
          g_assert_cmpuint (rep->ok_tasks, ==, config->workload->tasks);
          assert_queues (rep);
          peak[i] = rep->peak_rss_kib;
        }
      g_test_message ("%s: peak RSS %" G_GUINT64_FORMAT " KiB with 100 documents of 128 KiB, "
                      "%" G_GUINT64_FORMAT " KiB with 1000", modes[m], peak[0], peak[1]);
      g_assert_cmpuint (peak[1], <, peak[0] * 1.2);
    }
}

/* The folder under the user's cache folder that temporary stores go in
 * (the test's own, see main()) holds nothing. */
static void
assert_no_store_left (void)
{
  g_autofree char *parent = g_build_filename (g_get_user_cache_dir (), "concurrency-lab", NULL);
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);

  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_temporary_store (void)
{
  g_autoptr(LabRunConfig) config = lab_test_build (pipeline_builder ("threads,hybrid", 10, 1000, 10, 0));
  g_autoptr(LabRun) run = lab_run_new (config);

  g_assert_null (config->store_dir);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
  assert_no_store_left ();
}

/* A cancel stops every shape at once, and takes its temporary store away. */
static void
test_cancel (void)
{
  for (guint m = 0; m < G_N_ELEMENTS (shapes); m++)
    {
      g_autoptr(LabRunConfig) config = lab_test_build (pipeline_builder (shapes[m], 200, 1000, 10, 100));

      lab_test_assert_cancels (config, 5 * G_USEC_PER_SEC);
      assert_no_store_left ();
    }
}

/* The worker analyses a document sent on its pipe as the engine does. */
static void
test_worker_analyses (void)
{
  g_autofree char *worker = lab_worker_path_default ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GString) input = g_string_new ("W pipeline 7 3 30 1000\n");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint8 text[900];
  LabDocumentRow row;
  LabMessage reply;

  lab_document_fill (2, text, sizeof text);
  g_string_append_printf (input, "A 5 2 %zu\n", sizeof text);
  g_string_append_len (input, (const char *) text, sizeof text);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              worker, NULL);
  g_assert_no_error (error);
  request = g_string_free_to_bytes (g_steal_pointer (&input));
  g_assert_true (g_subprocess_communicate (process, request, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (g_bytes_get_data (output, NULL), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);

  g_assert_true (lab_message_parse (lines[1], strlen (lines[1]), &reply, &error));
  g_assert_no_error (error);
  g_assert_true (lab_document_analyse (text, sizeof text, 2, 7, NULL, &row));
  g_assert_cmpint (reply.type, ==, LAB_MESSAGE_RESULT);
  g_assert_cmpuint (reply.id, ==, 5);
  g_assert_cmpuint (reply.task, ==, 2);
  g_assert_true (reply.ok && reply.analysed);
  g_assert_cmpuint (reply.bytes, ==, sizeof text);
  g_assert_cmpuint (reply.words, ==, row.words);
  g_assert_cmpuint (reply.word_length_sum, ==, row.word_length_sum);
  g_assert_cmpmem (reply.digest, 32, row.digest, 32);
  g_assert_cmpuint (reply.checksum, ==, lab_document_row_checksum (&row));
  lab_message_clear (&reply);
}

/* A document over the workload's cap, or without a pipeline workload, is
 * refused: the worker says why and exits. */
static void
test_worker_refuses (void)
{
  const char *inputs[] = {
    "W pipeline 7 3 30 10\nA 1 0 11\n01234567890",
    "W cpu:sumsq 100 3 30 1000\nA 1 0 4\nabcd",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *worker = lab_worker_path_default ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GBytes) input = g_bytes_new_static (inputs[i], strlen (inputs[i]));
      g_autoptr(GBytes) output = NULL;
      g_autoptr(GError) error = NULL;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                  worker, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate (process, input, NULL, &output, NULL, &error));
      g_assert_nonnull (strstr (g_bytes_get_data (output, NULL), "\nE "));
      g_assert_false (g_subprocess_get_successful (process));
    }
}

/* A cell of @mode that took @wall_s ± @mad_s with the stages' busy times
 * (download, analyse) and @failed failed documents; in mode gil the lock
 * was held for the analysis' time. */
static LabCell *
fake_cell (LabMode mode,
           double  wall_s,
           double  mad_s,
           double  download_s,
           double  analyse_s,
           guint   failed)
{
  LabCell *cell = lab_cell_new (LAB_RUNTIME_NATIVE, mode, mode == LAB_MODE_SEQUENTIAL ? 1 : 2);
  double walls[] = { wall_s - mad_s, wall_s, wall_s + mad_s };

  for (guint r = 0; r < G_N_ELEMENTS (walls); r++)
    {
      g_autoptr(LabRepetition) rep = lab_repetition_new (LAB_RUNTIME_NATIVE, mode, 2, r + 1, FALSE);

      rep->wall_s = walls[r];
      rep->stage_busy_s[LAB_STAGE_DOWNLOAD] = download_s;
      rep->stage_busy_s[LAB_STAGE_ANALYSE] = analyse_s;
      rep->stage_busy_s[LAB_STAGE_STORE] = 0.001;
      rep->failed_tasks = failed;
      rep->ok_tasks = 100 - failed;
      rep->tasks = 100;
      rep->finished = TRUE;
      if (mode == LAB_MODE_GIL)
        {
          LabGilInterval hold = { .state = LAB_GIL_HOLD, .end_us = analyse_s * G_USEC_PER_SEC };

          g_array_append_val (rep->gil_intervals, hold);
        }
      lab_cell_add_repetition (cell, rep);
    }
  lab_cell_update (cell, NAN);
  return cell;
}

static char *
reading_of (LabCell *first,
            ...)
{
  g_autoptr(GListStore) cells = g_list_store_new (LAB_TYPE_CELL);
  va_list args;

  va_start (args, first);
  for (LabCell *cell = first; cell != NULL; cell = va_arg (args, LabCell *))
    {
      g_list_store_append (cells, cell);
      g_object_unref (cell);
    }
  va_end (args);
  return lab_reading_pipeline (G_LIST_MODEL (cells));
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  g_assert_nonnull (text);
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in “%s”", needle, text);
}

/* The reading says which shape won and why, from the numbers, or that it
 * cannot tell. */
static void
test_reading (void)
{
  g_autofree char *gil_bound = NULL, *native = NULL, *close = NULL, *failed = NULL, *alone = NULL;
  g_autofree char *cheap_gil = NULL, *disturbed = NULL;

  /* Emulated GIL: one analysis at a time; native threads and the hybrid: two. */
  gil_bound = reading_of (fake_cell (LAB_MODE_SEQUENTIAL, 4.0, 0.01, 2.0, 2.0, 0),
                          fake_cell (LAB_MODE_THREADS, 2.0, 0.01, 2.0, 2.4, 0),
                          fake_cell (LAB_MODE_GIL, 2.5, 0.01, 2.4, 2.0, 0),
                          fake_cell (LAB_MODE_HYBRID, 1.2, 0.01, 2.0, 2.0, 0), NULL);
  assert_contains (gil_bound, "Fastest: Hybrid");
  assert_contains (gil_bound, "next Threads");
  assert_contains (gil_bound, "serialised");
  assert_contains (gil_bound, "(0.8 cores’ worth), where native threads analysed on 1.2");
  assert_contains (gil_bound, "took 1.200 s where those threads took 2.500 s");
  g_assert_null (strstr (gil_bound, "spread is unknown"));

  native = reading_of (fake_cell (LAB_MODE_SEQUENTIAL, 4.0, 0.01, 2.0, 2.0, 0),
                       fake_cell (LAB_MODE_THREADS, 1.0, 0.01, 2.0, 1.9, 0),
                       fake_cell (LAB_MODE_PROCESSES, 1.3, 0.01, 2.0, 2.0, 0), NULL);
  assert_contains (native, "Fastest: Threads");
  if (lab_machine_n_cpus () > 1)
    {
      assert_contains (native, "no GIL");
      assert_contains (native, "1.9 cores");
    }
  else
    assert_contains (native, "one CPU");

  /* Native threads that analysed on hardly more than one core. */
  cheap_gil = reading_of (fake_cell (LAB_MODE_THREADS, 2.0, 0.01, 2.0, 2.1, 0),
                          fake_cell (LAB_MODE_GIL, 2.1, 0.01, 2.0, 2.0, 0), NULL);
  assert_contains (cheap_gil, "little analysis to serialise");
  assert_contains (cheap_gil, "1.1 cores");

  disturbed = reading_of (fake_cell (LAB_MODE_THREADS, 1.0, 0.15, 2.0, 2.0, 0),
                          fake_cell (LAB_MODE_HYBRID, 0.5, 0.01, 2.0, 2.0, 0), NULL);
  assert_contains (disturbed, "Fastest: Hybrid");
  assert_contains (disturbed, "disturbed");
  g_assert_null (strstr (disturbed, "worked at the same time"));

  close = reading_of (fake_cell (LAB_MODE_THREADS, 1.00, 0.10, 2.0, 2.0, 0),
                      fake_cell (LAB_MODE_HYBRID, 1.05, 0.10, 2.0, 2.0, 0), NULL);
  assert_contains (close, "too large to tell");

  failed = reading_of (fake_cell (LAB_MODE_THREADS, 1.0, 0.01, 2.0, 2.0, 3),
                       fake_cell (LAB_MODE_HYBRID, 0.5, 0.01, 2.0, 2.0, 0), NULL);
  assert_contains (failed, "failed");

  alone = reading_of (fake_cell (LAB_MODE_HYBRID, 0.5, 0.01, 2.0, 2.0, 0), NULL);
  g_assert_null (alone);
}

/* The names and lane groups of the model. */
static void
test_model (void)
{
  LabSpan store = { .stage = LAB_STAGE_STORE }, analyse = { .stage = LAB_STAGE_ANALYSE };
  LabMode mode;

  for (guint s = 0; s < LAB_N_STAGES; s++)
    {
      LabStage parsed;

      g_assert_true (lab_stage_from_string (lab_stage_to_string (s), &parsed));
      g_assert_cmpint (parsed, ==, s);
      g_assert_nonnull (lab_stage_title (s));
    }
  g_assert_false (lab_stage_from_string ("compute", NULL));
  g_assert_true (lab_mode_from_string ("hybrid", &mode));
  g_assert_cmpint (mode, ==, LAB_MODE_HYBRID);
  g_assert_cmpstr (lab_mode_title (LAB_MODE_HYBRID), ==, "Hybrid");
  g_assert_false (lab_runtime_accepts_mode (LAB_RUNTIME_CPYTHON, LAB_MODE_HYBRID));

  g_assert_cmpuint (lab_mode_lane_groups (LAB_MODE_THREADS, FALSE), ==, 1);
  g_assert_cmpuint (lab_stage_lane_group (LAB_MODE_HYBRID, LAB_STAGE_DOWNLOAD), ==, 0);
  g_assert_cmpuint (lab_stage_lane_group (LAB_MODE_HYBRID, LAB_STAGE_ANALYSE), ==, 1);
  g_assert_cmpuint (lab_stage_lane_group (LAB_MODE_HYBRID, LAB_STAGE_STORE), ==, 2);
  g_assert_cmpuint (lab_stage_lane_group (LAB_MODE_PROCESSES, LAB_STAGE_ANALYSE), ==, 0);
  g_assert_cmpuint (lab_stage_lane_group (LAB_MODE_PROCESSES, LAB_STAGE_STORE), ==, 1);
  g_assert_cmpstr (lab_lane_group_title (LAB_MODE_HYBRID, 1), ==, "Analysis processes");
  g_assert_cmpstr (lab_lane_group_title (LAB_MODE_GIL, 1), ==, "Storing thread");
  g_assert_nonnull (lab_lane_group_title (LAB_MODE_SEQUENTIAL, 0));
  g_assert_null (lab_lane_group_title (LAB_MODE_HYBRID, 3));
  g_assert_null (lab_lane_group_title (LAB_MODE_THREADS, 2));
  g_assert_null (lab_lane_group_title (LAB_MODE_ASYNC, 0));
  g_assert_nonnull (lab_queue_title (LAB_QUEUE_DOWNLOADED));

  /* A document ends with its storing, or with the stage that failed. */
  g_assert_true (lab_span_ends_task (&store));
  g_assert_false (lab_span_ends_task (&analyse));
  analyse.status = LAB_TASK_FAILED;
  g_assert_true (lab_span_ends_task (&analyse));
}

/* What the builder refuses, and says why. */
static void
test_builder (void)
{
  const struct {
    const char *spec;
    LabParam    param;
    const char *value;
    const char *needle;
  } cases[] = {
    { "cpu:primes", LAB_PARAM_MODES, "threads,hybrid", "is the shape of the workload “pipeline” only" },
    { "io:download", LAB_PARAM_MODES, "hybrid", "is the shape of the workload “pipeline” only" },
    { "pipeline", LAB_PARAM_MODES, "threads,async", "the mode “async” cannot run the workload “pipeline”" },
    { "pipeline", LAB_PARAM_MODES, "spawn", "the mode “spawn” cannot run" },
    { "pipeline", LAB_PARAM_MODES, "gtask", "the mode “gtask” cannot run" },
    { "pipeline", LAB_PARAM_RUNTIME, "cpython", "runs on the native runtime only" },
    { "pipeline", LAB_PARAM_URLS, "http://127.0.0.1:1/", "its documents come from the embedded server" },
    { "pipeline", LAB_PARAM_MAX_BYTES, "100", "are over the cap of --max-bytes" },
    { "pipeline", LAB_PARAM_SIZE, "0", "--size" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    lab_test_assert_refused (cases[i].spec, lab_http_server_get_base_url (server), cases[i].param, cases[i].value,
                             cases[i].needle);

  /* By default: every shape, documents from /text. */
  {
    g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
    g_autoptr(LabRunConfig) config = NULL;

    g_assert_true (lab_run_builder_set_workload (builder, "pipeline", NULL));
    g_assert_true (lab_run_builder_needs_server (builder));
    g_assert_true (lab_run_builder_accepts_mode (builder, LAB_MODE_HYBRID));
    g_assert_false (lab_run_builder_accepts_mode (builder, LAB_MODE_ASYNC));
    lab_run_builder_set_server (builder, lab_http_server_get_base_url (server));
    config = lab_run_builder_build (builder, NULL);
    g_assert_nonnull (config);
    g_assert_cmpuint (config->modes->len, ==, 5);
    g_assert_cmpuint (config->workload->size, ==, LAB_PIPELINE_DEFAULT_ROUNDS);
    g_assert_true (config->server);
    assert_contains (config->workload->urls[3], "/text/16384?doc=3&delay=200");
  }
}

/* A push and a pop closer together than the sampler's gap: the samples
 * keep the peak, and end at the length the queue really has (empty), not
 * at the peak until the next event. */
static void
test_queue_samples (void)
{
  g_autoptr(LabQueueSampler) sampler = lab_queue_sampler_new (g_get_monotonic_time ());
  g_autoptr(LabPipelineQueue) queue = lab_pipeline_queue_new (LAB_QUEUE_ANALYSED, 4, sampler, NULL);
  g_autoptr(GArray) samples = NULL;
  guint peak = 0;
  const LabQueueSample *last = NULL;

  for (guint round = 0; round < 3; round++)
    {
      g_assert_true (lab_pipeline_queue_push (queue, GUINT_TO_POINTER (1)));
      g_assert_true (lab_pipeline_queue_push (queue, GUINT_TO_POINTER (2)));
      g_assert_nonnull (lab_pipeline_queue_try_pop (queue));
      g_assert_nonnull (lab_pipeline_queue_try_pop (queue));
      g_usleep (5000);
    }
  lab_pipeline_queue_close (queue);
  /* The samples of the events, then the one take() adds with the length
   * at the end */
  samples = lab_queue_sampler_take (sampler);
  g_assert_cmpuint (samples->len, >=, 2);
  for (guint i = 0; i + 1 < samples->len; i++)
    {
      const LabQueueSample *sample = &g_array_index (samples, LabQueueSample, i);

      g_assert_cmpint (sample->time_us, <=, g_array_index (samples, LabQueueSample, i + 1).time_us);
      peak = MAX (peak, sample->length);
      last = sample;
    }
  g_assert_cmpuint (peak, ==, 2);
  /* Each round's last event left the queue empty */
  g_assert_cmpuint (last->length, ==, 0);
  g_assert_cmpuint (g_array_index (samples, LabQueueSample, samples->len - 1).length, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_dir_make_tmp ("lab-pipeline-cache-XXXXXX", NULL);
  g_autofree char *parent = g_build_filename (cache, "concurrency-lab", NULL);
  int status;

  /* A cache folder of our own, before GLib reads where it is: the
   * temporary stores must leave it empty. (G_TEST_OPTION_ISOLATE_DIRS
   * would hide the GSettings schemas that GIO's proxy resolver needs.) */
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_test_init (&argc, &argv, NULL);

  server = lab_http_server_new ();
  if (!lab_http_server_start_in_thread (server, 0, &error))
    g_error ("cannot start the HTTP server: %s", error->message);

  g_test_add_func ("/pipeline/model", test_model);
  g_test_add_func ("/pipeline/queue-samples", test_queue_samples);
  g_test_add_func ("/pipeline/shapes", test_shapes);
  g_test_add_func ("/pipeline/memory-flat", test_memory_flat);
  g_test_add_func ("/pipeline/temporary-store", test_temporary_store);
  g_test_add_func ("/pipeline/cancel", test_cancel);
  g_test_add_func ("/pipeline/worker-analyses", test_worker_analyses);
  g_test_add_func ("/pipeline/worker-refuses", test_worker_refuses);
  g_test_add_func ("/pipeline/reading", test_reading);
  g_test_add_func ("/pipeline/builder", test_builder);

  status = g_test_run ();
  lab_http_server_stop (server);
  g_object_unref (server);
  g_rmdir (parent);
  g_rmdir (cache);
  return status;
}

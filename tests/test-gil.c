/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "lab-export.h"
#include "lab-gil.h"
#include "lab-run.h"
#include "lab-test-run.h"
#include "lab-trace.h"
#include "lab-yield.h"

/* The emulated GIL: the lock itself between plain threads, then real runs
 * in mode gil, read back from the intervals every worker thread recorded.
 * Bounds on times are what the mechanism guarantees (a hold that ends on
 * request lasts at least the switch interval) plus generous slack for a
 * busy machine (a few times the interval). */

#define INTERVAL_US LAB_GIL_SWITCH_INTERVAL_US
/* How far apart two cores' readings of the monotonic clock may be. */
#define CLOCK_SKEW_US 5

/* Helpers ------------------------------------------------------------------ */

static int
compare_start (gconstpointer a,
               gconstpointer b)
{
  const LabGilInterval *x = *(const LabGilInterval * const *) a;
  const LabGilInterval *y = *(const LabGilInterval * const *) b;

  return (x->start_us > y->start_us) - (x->start_us < y->start_us);
}

/* The intervals of @state, by start. */
static GPtrArray *
dup_state (GArray      *intervals,
           LabGilState  state)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < intervals->len; i++)
    {
      LabGilInterval *interval = &g_array_index (intervals, LabGilInterval, i);

      if (interval->state == state)
        g_ptr_array_add (out, interval);
    }
  g_ptr_array_sort (out, compare_start);
  return out;
}

static gint64
sum_us (GPtrArray *intervals)
{
  gint64 sum = 0;

  for (guint i = 0; i < intervals->len; i++)
    {
      const LabGilInterval *interval = g_ptr_array_index (intervals, i);

      sum += interval->end_us - interval->start_us;
    }
  return sum;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Sorted as the executor hands them over, well formed, one thread per
 * worker, and never two holders at once. */
static void
assert_intervals_sane (GArray *intervals,
                       guint   workers)
{
  g_autoptr(GPtrArray) holds = dup_state (intervals, LAB_GIL_HOLD);
  g_autofree gint64 *tids = g_new0 (gint64, workers);

  for (guint i = 0; i < intervals->len; i++)
    {
      const LabGilInterval *interval = &g_array_index (intervals, LabGilInterval, i);

      g_assert_cmpuint (interval->worker, <, workers);
      g_assert_cmpint (interval->start_us, <=, interval->end_us);
      g_assert_cmpint (interval->tid, >, 0);
      if (tids[interval->worker] == 0)
        tids[interval->worker] = interval->tid;
      g_assert_cmpint (interval->tid, ==, tids[interval->worker]);
      if (i > 0)
        {
          const LabGilInterval *prev = &g_array_index (intervals, LabGilInterval, i - 1);

          /* By worker then start; a thread holds or waits, never both. */
          g_assert_cmpuint (prev->worker, <=, interval->worker);
          if (prev->worker == interval->worker)
            g_assert_cmpint (prev->end_us, <=, interval->start_us);
        }
    }

  for (guint i = 1; i < holds->len; i++)
    {
      const LabGilInterval *prev = g_ptr_array_index (holds, i - 1);
      const LabGilInterval *hold = g_ptr_array_index (holds, i);

      /* Both times are read under the lock's mutex, the end before the
       * next start; but two cores may read the clock a microsecond
       * apart in a virtual machine. */
      if (hold->start_us < prev->end_us - CLOCK_SKEW_US)
        g_error ("worker %u holds from %" G_GINT64_FORMAT " µs while worker %u holds until %"
                 G_GINT64_FORMAT " µs", hold->worker, hold->start_us, prev->worker, prev->end_us);
    }
}

/* The median length of the holds while another thread waited: those end
 * on request, after at least the switch interval. µs; 0 when none. */
static gint64
median_contended_hold_us (GArray *intervals)
{
  g_autoptr(GPtrArray) holds = dup_state (intervals, LAB_GIL_HOLD);
  g_autoptr(GPtrArray) waits = dup_state (intervals, LAB_GIL_WAIT);
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint h = 0; h < holds->len; h++)
    {
      const LabGilInterval *hold = g_ptr_array_index (holds, h);

      for (guint w = 0; w < waits->len; w++)
        {
          const LabGilInterval *wait = g_ptr_array_index (waits, w);

          if (wait->worker != hold->worker && wait->start_us < hold->end_us && wait->end_us >= hold->end_us)
            {
              gint64 length = hold->end_us - hold->start_us;

              g_array_append_val (lengths, length);
              break;
            }
        }
    }
  if (lengths->len == 0)
    return 0;
  g_array_sort (lengths, compare_gint64);
  return g_array_index (lengths, gint64, lengths->len / 2);
}

/* The lock between two plain threads ---------------------------------------- */

typedef struct
{
  LabGil  *gil;
  guint    worker;
  guint    chunks;
} Spinner;

/* Holds the GIL for @chunks chunks of 50 µs of busy work, with a check
 * point after each, as a kernel does. */
static gpointer
spin_thread (gpointer data)
{
  Spinner *spinner = data;

  lab_gil_thread_attach (spinner->gil, spinner->worker);
  lab_gil_acquire (spinner->gil);
  for (guint i = 0; i < spinner->chunks; i++)
    {
      gint64 until = g_get_monotonic_time () + 50;

      while (g_get_monotonic_time () < until)
        ;
      lab_yield_check_point ();
    }
  lab_gil_release (spinner->gil);
  lab_gil_thread_detach (spinner->gil);
  return NULL;
}

static void
test_lock (void)
{
  g_autoptr(LabGil) gil = lab_gil_new (2, INTERVAL_US);
  Spinner spinners[2];
  GThread *threads[2];
  g_autoptr(GArray) intervals = NULL;
  g_autoptr(GPtrArray) holds = NULL;
  g_autoptr(GPtrArray) waits = NULL;
  gint64 t0 = g_get_monotonic_time (), wall_us, median_us;
  guint requests;

  g_assert_cmpint (lab_gil_get_switch_interval_us (gil), ==, 5000);
  lab_gil_begin_repetition (gil, t0);
  for (guint i = 0; i < 2; i++)
    {
      spinners[i] = (Spinner) { gil, i, 2000 };  /* 100 ms of work each */
      threads[i] = g_thread_new ("spinner", spin_thread, &spinners[i]);
    }
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  wall_us = g_get_monotonic_time () - t0;

  /* Nothing is left behind on this thread either. */
  g_assert_null (lab_yield_get_hooks ());

  intervals = lab_gil_take_intervals (gil);
  requests = lab_gil_get_switch_requests (gil);
  holds = dup_state (intervals, LAB_GIL_HOLD);
  waits = dup_state (intervals, LAB_GIL_WAIT);
  median_us = median_contended_hold_us (intervals);
  g_test_message ("two spinners: wall %.1f ms, %u holds, %u waits, %u switch requests, median hold %.2f ms",
                  wall_us / 1000.0, holds->len, waits->len, requests, median_us / 1000.0);

  assert_intervals_sane (intervals, 2);
  /* 200 ms of work taken in turns of about 5 ms: some 40 turns. */
  g_assert_cmpuint (requests, >=, 10);
  g_assert_cmpuint (requests, <=, holds->len);
  g_assert_cmpuint (waits->len, >=, 10);
  g_assert_cmpint (sum_us (holds), >=, 200 * 1000);
  g_assert_cmpint (sum_us (holds), <=, wall_us);
  g_assert_cmpint (median_us, >=, INTERVAL_US);
  g_assert_cmpint (median_us, <=, 5 * INTERVAL_US);

  /* Taken: a second call has nothing new. */
  g_clear_pointer (&intervals, g_array_unref);
  intervals = lab_gil_take_intervals (gil);
  g_assert_cmpuint (intervals->len, ==, 0);
}

typedef struct
{
  LabGil   *gil;
  GMutex    mutex;
  GCond     cond;
  gboolean  blocking;
} Blocker;

/* Takes the GIL, then waits 30 ms in a blocking region. */
static gpointer
block_thread (gpointer data)
{
  Blocker *blocker = data;

  lab_gil_thread_attach (blocker->gil, 0);
  lab_gil_acquire (blocker->gil);
  lab_yield_blocking_begin ();
  g_mutex_lock (&blocker->mutex);
  blocker->blocking = TRUE;
  g_cond_signal (&blocker->cond);
  g_mutex_unlock (&blocker->mutex);
  g_usleep (30 * 1000);
  lab_yield_blocking_end ();
  lab_gil_release (blocker->gil);
  lab_gil_thread_detach (blocker->gil);
  return NULL;
}

/* A thread that waits without computing lets another take the GIL at once. */
static void
test_blocking (void)
{
  g_autoptr(LabGil) gil = lab_gil_new (2, INTERVAL_US);
  Blocker blocker = { .gil = gil };
  g_autoptr(GArray) intervals = NULL;
  g_autoptr(GPtrArray) holds = NULL;
  g_autoptr(GPtrArray) waits = NULL;
  GThread *thread;
  const LabGilInterval *first, *mine, *back;

  g_mutex_init (&blocker.mutex);
  g_cond_init (&blocker.cond);
  lab_gil_begin_repetition (gil, g_get_monotonic_time ());
  thread = g_thread_new ("blocker", block_thread, &blocker);
  g_mutex_lock (&blocker.mutex);
  while (!blocker.blocking)
    g_cond_wait (&blocker.cond, &blocker.mutex);
  g_mutex_unlock (&blocker.mutex);

  /* This thread computes for 10 ms while the other waits. */
  lab_gil_thread_attach (gil, 1);
  lab_gil_acquire (gil);
  g_usleep (10 * 1000);
  lab_yield_check_point ();
  lab_gil_release (gil);
  lab_gil_thread_detach (gil);
  g_thread_join (thread);

  intervals = lab_gil_take_intervals (gil);
  assert_intervals_sane (intervals, 2);
  holds = dup_state (intervals, LAB_GIL_HOLD);
  waits = dup_state (intervals, LAB_GIL_WAIT);
  /* Worker 0 held it until it blocked, then worker 1 held it without
   * waiting, then worker 0 again once its wait was over. */
  g_assert_cmpuint (holds->len, ==, 3);
  g_assert_cmpuint (waits->len, ==, 0);
  g_assert_cmpuint (lab_gil_get_switch_requests (gil), ==, 0);
  first = g_ptr_array_index (holds, 0);
  mine = g_ptr_array_index (holds, 1);
  back = g_ptr_array_index (holds, 2);
  g_assert_cmpuint (first->worker, ==, 0);
  g_assert_cmpuint (mine->worker, ==, 1);
  g_assert_cmpuint (back->worker, ==, 0);
  g_assert_cmpint (mine->end_us - mine->start_us, >=, 10 * 1000);
  g_assert_cmpint (back->start_us - first->end_us, >=, 30 * 1000);
  g_assert_cmpint (mine->tid, !=, first->tid);

  g_mutex_clear (&blocker.mutex);
  g_cond_clear (&blocker.cond);
}

/* Real runs ----------------------------------------------------------------- */

static LabRun *
execute (const char  *spec,
         guint64      size,
         guint        tasks,
         const char  *modes,
         const guint *workers,
         guint        n_workers)
{
  LabRunBuilder *builder = lab_test_builder (spec, modes, workers, n_workers);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, size);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, tasks);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_failed_tasks (run), ==, 0);
  return run;
}

static LabRepetition *
only_repetition (LabRun  *run,
                 LabMode  mode,
                 guint    workers)
{
  LabCell *cell = lab_run_find_cell (run, mode, workers);

  g_assert_nonnull (cell);
  g_assert_cmpuint (lab_cell_get_repetitions (cell)->len, ==, 1);
  return g_ptr_array_index (lab_cell_get_repetitions (cell), 0);
}

/* Each interval lies within a task of its thread: a task's span covers
 * its waits for the GIL (the trace nests them so). */
static void
assert_within_spans (LabRepetition *rep)
{
  for (guint i = 0; i < rep->gil_intervals->len; i++)
    {
      const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, i);
      gboolean inside = FALSE;

      for (guint s = 0; s < rep->spans->len && !inside; s++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, s);

          inside = span->worker == interval->worker && span->tid == interval->tid &&
                   span->start_us <= interval->start_us && interval->end_us <= span->end_us;
        }
      g_assert_true (inside);
    }
}

/* One CPU-bound repetition in mode gil: one holder at a time, the lock
 * busy nearly all the time, handed over about every switch interval. */
static void
check_cpu_repetition (LabRepetition *rep,
                      LabRepetition *sequential)
{
  g_autoptr(GPtrArray) holds = dup_state (rep->gil_intervals, LAB_GIL_HOLD);
  g_autoptr(GPtrArray) waits = dup_state (rep->gil_intervals, LAB_GIL_WAIT);
  gint64 wall_us = (gint64) (rep->wall_s * G_USEC_PER_SEC);
  gint64 median_us = median_contended_hold_us (rep->gil_intervals);
  g_autofree gboolean *waited = g_new0 (gboolean, rep->workers);
  double held = sum_us (holds) / (double) wall_us;

  g_test_message ("gil ×%u: wall %.0f ms (sequential %.0f ms), CPU %.0f ms, %u holds covering %.1f %%, "
                  "%u waits, median hold while another waits %.2f ms",
                  rep->workers, rep->wall_s * 1000, sequential->wall_s * 1000,
                  (rep->user_s + rep->sys_s) * 1000, holds->len, 100 * held, waits->len, median_us / 1000.0);

  g_assert_cmpuint (rep->checksum, ==, sequential->checksum);
  assert_intervals_sane (rep->gil_intervals, rep->workers);
  assert_within_spans (rep);
  for (guint i = 0; i < rep->gil_intervals->len; i++)
    {
      const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, i);

      g_assert_cmpint (interval->start_us, >=, 0);
      g_assert_cmpint (interval->end_us, <=, wall_us);
      waited[interval->worker] |= interval->state == LAB_GIL_WAIT;
    }
  for (guint w = 0; w < rep->workers; w++)
    g_assert_true (waited[w]);

  /* The kernels run one at a time: the process uses one CPU, not W (its
   * CPU time does not depend on what else the machine runs, unlike a
   * comparison of wall times measured at different moments), and the lock
   * is rarely idle: only while it passes from one thread to another. */
  g_assert_cmpfloat (rep->user_s + rep->sys_s, <=, 1.25 * rep->wall_s);
  g_assert_cmpfloat (held, >=, 0.8);
  g_assert_cmpfloat (held, <=, 1.0);
  /* Some 50 turns in 0.3 s, each after at least the switch interval and
   * well before a task of 75 ms ends. */
  g_assert_cmpuint (holds->len, >=, 10);
  g_assert_cmpint (median_us, >=, INTERVAL_US);
  g_assert_cmpint (median_us, <=, 5 * INTERVAL_US);
}

static void
test_run_cpu (void)
{
  const guint workers[] = { 2, 4 };
  g_autoptr(LabRun) run = execute ("cpu:primes", 2300000, 4, "sequential,gil", workers, 2);
  LabRepetition *sequential = only_repetition (run, LAB_MODE_SEQUENTIAL, 1);

  g_assert_cmpuint (sequential->gil_intervals->len, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    check_cpu_repetition (only_repetition (run, LAB_MODE_GIL, workers[i]), sequential);
}

/* Waiting releases the GIL: 20 sleeps of 100 ms overlap on 10 threads. */
static void
test_run_sleep (void)
{
  const guint workers = 10;
  g_autoptr(LabRun) run = execute ("io:sleep", 100, 20, "sequential,threads,gil", &workers, 1);
  LabRepetition *sequential = only_repetition (run, LAB_MODE_SEQUENTIAL, 1);
  LabRepetition *threads = only_repetition (run, LAB_MODE_THREADS, workers);
  LabRepetition *rep = only_repetition (run, LAB_MODE_GIL, workers);
  g_autoptr(GPtrArray) holds = dup_state (rep->gil_intervals, LAB_GIL_HOLD);
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 median_us;

  for (guint i = 0; i < holds->len; i++)
    {
      const LabGilInterval *hold = g_ptr_array_index (holds, i);
      gint64 length = hold->end_us - hold->start_us;

      g_array_append_val (lengths, length);
    }
  g_array_sort (lengths, compare_gint64);
  median_us = g_array_index (lengths, gint64, lengths->len / 2);
  g_test_message ("io:sleep 20 × 100 ms: sequential %.0f ms, threads ×10 %.0f ms, gil ×10 %.0f ms; "
                  "%u holds, median %" G_GINT64_FORMAT " µs, %" G_GINT64_FORMAT " µs in all",
                  sequential->wall_s * 1000, threads->wall_s * 1000, rep->wall_s * 1000,
                  holds->len, median_us, sum_us (holds));

  g_assert_cmpuint (threads->gil_intervals->len, ==, 0);
  g_assert_cmpuint (rep->checksum, ==, sequential->checksum);
  assert_intervals_sane (rep->gil_intervals, workers);
  assert_within_spans (rep);
  g_assert_cmpfloat (rep->wall_s, <, 0.5 * sequential->wall_s);
  /* Two holds per task (before and after its sleep), each brief. */
  g_assert_cmpuint (holds->len, ==, 2 * 20);
  g_assert_cmpint (median_us, <, 1000);
  g_assert_cmpfloat (sum_us (holds), <, 0.1 * rep->wall_s * G_USEC_PER_SEC);
}

/* CSV files read back --------------------------------------------------------- */

/* RFC 4180 records of @text: a GPtrArray of GStrv. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GStrvBuilder) row = g_strv_builder_new ();
  g_autoptr(GString) field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',' || (*p == '\r' && p[1] == '\n'))
        {
          g_strv_builder_add (row, field->str);
          g_string_truncate (field, 0);
          if (*p == '\r')
            {
              g_ptr_array_add (rows, g_strv_builder_end (row));
              g_clear_pointer (&row, g_strv_builder_unref);
              row = g_strv_builder_new ();
              p++;
            }
        }
      else
        g_string_append_c (field, *p);
    }
  g_assert_false (quoted);
  g_assert_cmpuint (field->len, ==, 0);  /* the last record ends with CRLF */
  return rows;
}

static void
assert_header (char               **row,
               const char * const  *columns)
{
  g_assert_cmpstrv (row, (char **) columns);
}

static gint64
field_int (char **row,
           guint  column)
{
  g_assert_nonnull (row[column]);
  return g_ascii_strtoll (row[column], NULL, 10);
}

static void
test_csv (void)
{
  const guint workers[] = { 2, 3 };
  g_autoptr(LabRun) run = execute ("cpu:primes", 1000000, 6, "gil", workers, 2);
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  g_autoptr(GPtrArray) reps = lab_run_dup_measured_repetitions (run);
  g_autoptr(LabCsv) gil_csv = NULL;
  g_autoptr(LabCsv) gil_csv_one = NULL;
  g_autoptr(LabCsv) spans_csv = NULL;
  g_autoptr(GPtrArray) gil_rows = NULL;
  g_autoptr(GPtrArray) span_rows = NULL;
  guint row = 1;

  g_ptr_array_add (runs, run);
  gil_csv = lab_export_gil_csv_runs (runs);
  gil_csv_one = lab_export_gil_csv (run);
  spans_csv = lab_export_spans_csv_runs (runs);
  g_assert_cmpstr (lab_csv_get_text (gil_csv), ==, lab_csv_get_text (gil_csv_one));
  gil_rows = parse_csv (lab_csv_get_text (gil_csv));
  span_rows = parse_csv (lab_csv_get_text (spans_csv));
  assert_header (g_ptr_array_index (gil_rows, 0), lab_gil_columns);
  assert_header (g_ptr_array_index (span_rows, 0), lab_spans_columns);

  for (guint r = 0; r < reps->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, r);

      g_assert_cmpuint (rep->gil_intervals->len, >, 0);
      for (guint i = 0; i < rep->gil_intervals->len; i++, row++)
        {
          const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, i);
          char **fields = g_ptr_array_index (gil_rows, row);

          g_assert_cmpuint (g_strv_length (fields), ==, g_strv_length ((char **) lab_gil_columns));
          g_assert_cmpstr (fields[0], ==, lab_run_get_id (run));
          g_assert_cmpint (field_int (fields, 1), ==, rep->repeat);
          g_assert_cmpint (field_int (fields, 2), ==, interval->worker);
          g_assert_cmpint (field_int (fields, 3), ==, interval->tid);
          g_assert_cmpstr (fields[4], ==, interval->state == LAB_GIL_HOLD ? "hold" : "wait");
          g_assert_cmpint (field_int (fields, 5), ==, interval->start_us);
          g_assert_cmpint (field_int (fields, 6), ==, interval->end_us);
          g_assert_cmpint (field_int (fields, 7), ==, rep->workers);
        }
    }
  g_assert_cmpuint (row, ==, gil_rows->len);

  /* The spans of the same run: one row per task of each repetition, the
   * same threads as the intervals. */
  g_assert_cmpuint (span_rows->len, ==, 1 + 2 * 6);
  for (guint i = 1; i < span_rows->len; i++)
    {
      char **fields = g_ptr_array_index (span_rows, i);
      gboolean tid_seen = FALSE;

      g_assert_cmpuint (g_strv_length (fields), ==, g_strv_length ((char **) lab_spans_columns));
      g_assert_cmpstr (fields[1], ==, "gil");
      g_assert_cmpstr (fields[12], ==, "ok");
      g_assert_cmpint (field_int (fields, 9), <=, field_int (fields, 10));
      for (guint g = 1; g < gil_rows->len && !tid_seen; g++)
        tid_seen = g_str_equal (((char **) g_ptr_array_index (gil_rows, g))[3], fields[7]);
      g_assert_true (tid_seen);
    }
}

/* The trace puts every hold and wait on its thread, in a category of its own. */
static void
test_trace (void)
{
  const guint workers = 2;
  g_autoptr(LabRun) run = execute ("cpu:sumsq", 100000000, 4, "gil", &workers, 1);
  LabRepetition *rep = only_repetition (run, LAB_MODE_GIL, workers);
  g_autofree char *json = lab_export_trace_json (run);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *events;
  guint holds = 0, waits = 0, n_holds = 0, n_waits = 0;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "traceEvents");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *cat = json_object_get_string_member_with_default (event, "cat", "");
      const char *name = json_object_get_string_member (event, "name");

      if (!g_str_equal (cat, "emulated-gil"))
        continue;
      g_assert_cmpstr (json_object_get_string_member (event, "ph"), ==, "X");
      holds += g_str_equal (name, "holds the emulated GIL");
      waits += g_str_equal (name, "waits for the emulated GIL");
    }
  for (guint i = 0; i < rep->gil_intervals->len; i++)
    {
      if (g_array_index (rep->gil_intervals, LabGilInterval, i).state == LAB_GIL_HOLD)
        n_holds++;
      else
        n_waits++;
    }
  g_assert_cmpuint (holds, ==, n_holds);
  g_assert_cmpuint (waits, ==, n_waits);
  g_assert_cmpuint (holds, >, 0);
}

/* Waiters for the GIL stop with the run. */
static void
test_cancel (void)
{
  const guint workers[] = { 3 };
  LabRunBuilder *builder = lab_test_builder ("cpu:primes", "gil", workers, 1);
  g_autoptr(LabRunConfig) config = NULL;

  /* Hours of work in any build (clang computes cpu:sumsq in closed form) */
  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, G_GUINT64_CONSTANT (10000000000));
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 6);
  config = lab_test_build (builder);
  lab_test_assert_cancels (config, 3 * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gil/lock", test_lock);
  g_test_add_func ("/gil/blocking", test_blocking);
  g_test_add_func ("/gil/run/cpu", test_run_cpu);
  g_test_add_func ("/gil/run/sleep", test_run_sleep);
  g_test_add_func ("/gil/csv", test_csv);
  g_test_add_func ("/gil/trace", test_trace);
  g_test_add_func ("/gil/cancel", test_cancel);

  return g_test_run ();
}

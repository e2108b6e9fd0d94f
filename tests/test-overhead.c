/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "lab-overhead-export.h"
#include "lab-overhead-private.h"
#include "lab-test-overhead.h"
#include "lab-test-time.h"

/* The overheads runner, whatever the experiment: names, formatting, table
 * helpers, the state it ends in, the files it writes, and that every
 * experiment stops within 200 ms of being cancelled, whenever that is,
 * and leaves nothing running. The experiments' own figures are tested
 * in test-overhead-*.c. */

static void
test_names (void)
{
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    {
      const char *name = lab_overhead_kind_to_string (k);
      LabOverheadKind back;

      g_assert_true (lab_overhead_kind_from_string (name, &back));
      g_assert_cmpuint (back, ==, k);
      g_assert_cmpstr (lab_overhead_kind_title (k), !=, "");
      /* A description says more than the title */
      g_assert_cmpuint (strlen (lab_overhead_kind_description (k)), >, strlen (lab_overhead_kind_title (k)) + 20);
      for (guint j = 0; j < k; j++)
        g_assert_cmpstr (lab_overhead_kind_to_string (j), !=, name);
    }
  g_assert_false (lab_overhead_kind_from_string ("nothing", &(LabOverheadKind) { 0 }));
}

static void
test_format (void)
{
  struct { double value; const char *unit; const char *expected; } cases[] = {
    { 21.5, "us", "21.5 µs" },
    { 2500, "us", "2.5 ms" },
    { 0.25, "s", "250 ms" },
    { 12, "KiB", "12 KiB" },
    { 2048, "KiB", "2 MiB" },
    { 5.126, "GB/s", "5.13 GB/s" },
    { 3.5, "ns", "3.5 ns" },
    { 1234, "tasks", "1234" }  /* thousands separators are the locale's: none in C */,
    { 0, "updates", "0" },
    { NAN, "us", "—" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = lab_overhead_format_value (cases[i].value, cases[i].unit);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static LabOverheadPoint *
point_new (const char *variant,
           const char *metric,
           double      parameter_value,
           double      value,
           guint       repeat)
{
  return lab_overhead_point_new (LAB_OVERHEAD_STARTUP, variant, metric, "count", parameter_value, value, "us",
                                 repeat);
}

static void
test_points (void)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);
  g_autoptr(GArray) parameters = NULL;
  g_autoptr(LabOverheadTable) table = NULL;
  LabOverheadSeries *series;

  g_ptr_array_add (points, point_new ("threads", "per_start", 10, 30, 0));
  g_ptr_array_add (points, point_new ("threads", "per_start", 10, 10, 1));
  g_ptr_array_add (points, point_new ("threads", "per_start", 10, 20, 2));
  g_ptr_array_add (points, point_new ("threads", "per_start", 1, 50, 0));
  g_ptr_array_add (points, point_new ("threads", "other", 100, 1, 0));
  g_ptr_array_add (points, point_new ("processes", "per_start", 10, NAN, 0));

  g_assert_cmpfloat (lab_overhead_points_median (points, "threads", "per_start", 10), ==, 20);
  g_assert_cmpfloat (lab_overhead_points_median (points, "threads", "per_start", 1), ==, 50);
  g_assert_true (isnan (lab_overhead_points_median (points, "processes", "per_start", 10)));
  g_assert_true (isnan (lab_overhead_points_median (points, "threads", "per_start", 100)));

  parameters = lab_overhead_points_parameters (points, "per_start");
  g_assert_cmpuint (parameters->len, ==, 2);
  g_assert_cmpfloat (g_array_index (parameters, double, 0), ==, 1);
  g_assert_cmpfloat (g_array_index (parameters, double, 1), ==, 10);

  /* A series added after a column gets NAN there, and the other way round */
  table = lab_overhead_table_new (LAB_OVERHEAD_CHART_BARS, "t", "x", "y", "us");
  lab_overhead_table_add_column (table, "1", 1);
  series = lab_overhead_table_add_series (table, "Threads");
  g_assert_cmpuint (lab_overhead_table_add_column (table, "10", 10), ==, 1);
  lab_overhead_series_set (series, 1, 20);
  g_assert_cmpuint (series->values->len, ==, 2);
  g_assert_true (isnan (g_array_index (series->values, double, 0)));
  g_assert_cmpfloat (g_array_index (series->values, double, 1), ==, 20);
}

/* Cancelled before it starts: nothing measured, said so, and the files
 * are still well formed. */
static void
test_cancelled_before_start (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LabOverhead) overhead = lab_overhead_new (LAB_OVERHEAD_RACE, NULL);
  g_autoptr(GPtrArray) overheads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(LabCsv) csv = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *reading = NULL;
  g_autofree char *json = NULL;
  JsonObject *experiment;

  g_assert_null (lab_overhead_dup_reading (overhead));
  g_cancellable_cancel (cancellable);
  g_assert_false (lab_overhead_run (overhead, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (lab_overhead_get_state (overhead), ==, LAB_OVERHEAD_CANCELLED);
  g_assert_false (lab_overhead_get_running (overhead));
  g_assert_cmpuint (lab_overhead_get_points (overhead)->len, ==, 0);
  reading = lab_overhead_dup_reading (overhead);
  g_assert_cmpstr (reading, ==, "Stopped before anything was measured.");

  g_ptr_array_add (overheads, g_object_ref (overhead));
  csv = lab_overhead_export_csv (overheads);
  g_assert_true (g_str_has_prefix (lab_csv_get_text (csv),
                                   "experiment,variant,metric,parameter,parameter_value,value,unit,repeat,"));
  json = lab_overhead_export_json (overheads);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  experiment = json_array_get_object_element (json_object_get_array_member (
                 json_node_get_object (json_parser_get_root (parser)), "experiments"), 0);
  g_assert_cmpstr (json_object_get_string_member (experiment, "experiment"), ==, "race");
  g_assert_cmpstr (json_object_get_string_member (experiment, "state"), ==, "stopped");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (experiment, "points")), ==, 0);
}

/* Cancellation ------------------------------------------------------------- */

typedef enum
{
  CANCEL_AFTER_DELAY,     /* @delay_ms into the run */
  CANCEL_AT_FIRST_POINT,  /* once it has measured something */
  CANCEL_AFTER_VARIANT,   /* @delay_ms after the first point of @variant */
} CancelWhen;

typedef struct
{
  LabOverheadKind  kind;
  CancelWhen       when;
  guint            delay_ms;
  const char      *variant;
} CancelCase;

/* Besides the first point of every experiment (added in main()): early on,
 * and in the middle of the heavy part, each the moment that hit it for
 * the tests of that experiment. */
static const CancelCase cancel_cases[] = {
  /* Starting workers */
  { LAB_OVERHEAD_STARTUP, CANCEL_AFTER_DELAY, 50 },
  { LAB_OVERHEAD_STARTUP, CANCEL_AFTER_DELAY, 1500 },
  { LAB_OVERHEAD_MEMORY, CANCEL_AFTER_DELAY, 50 },
  { LAB_OVERHEAD_MEMORY, CANCEL_AFTER_DELAY, 2000 },
  /* Worker processes: before the first figure, and with some in */
  { LAB_OVERHEAD_COMMUNICATION, CANCEL_AFTER_DELAY, 30 },
  { LAB_OVERHEAD_COMMUNICATION, CANCEL_AFTER_DELAY, 700 },
  { LAB_OVERHEAD_CRASH, CANCEL_AFTER_DELAY, 30 },
  { LAB_OVERHEAD_CRASH, CANCEL_AFTER_DELAY, 400 },
  /* The races */
  { LAB_OVERHEAD_RACE, CANCEL_AFTER_DELAY, 5 },
  { LAB_OVERHEAD_RACE, CANCEL_AFTER_DELAY, 100 },
  /* One number per task */
  { LAB_OVERHEAD_GRANULARITY, CANCEL_AFTER_DELAY, 50 },
  { LAB_OVERHEAD_GRANULARITY, CANCEL_AFTER_DELAY, 1000 },
  /* Worker processes: before the first figure, and with some in */
  { LAB_OVERHEAD_AFFINITY, CANCEL_AFTER_DELAY, 30 },
  { LAB_OVERHEAD_AFFINITY, CANCEL_AFTER_DELAY, 1200 },
  /* The 40 threads waiting, then the middle of GLib's pool's second
   * repetition: a repetition's points come at its end. */
  { LAB_OVERHEAD_POOLS, CANCEL_AFTER_DELAY, 100 },
  { LAB_OVERHEAD_POOLS, CANCEL_AFTER_VARIANT, 100, "gtask" },
};

/* Cancelled at its first point, or this long into the run if it measures
 * longer than that before its first point. */
#define FIRST_POINT_LIMIT_MS  150

static char *
cancel_case_name (const CancelCase *test)
{
  switch (test->when)
    {
    case CANCEL_AFTER_DELAY:
      return g_strdup_printf ("%u-ms", test->delay_ms);
    case CANCEL_AT_FIRST_POINT:
      return g_strdup ("first-point");
    case CANCEL_AFTER_VARIANT:
      return g_strdup_printf ("%u-ms-after-%s", test->delay_ms, test->variant);
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  const CancelCase *test;
  GCancellable     *cancellable;
  guint             timeout;
  gint64            cancelled_us;
  gint64            done_us;
  GError           *error;
  gboolean          ok;
  gboolean          done;
} Cancel;

static void
cancel_now (Cancel *cancel)
{
  if (cancel->cancelled_us == 0)
    cancel->cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (cancel->cancellable);
}

static gboolean
cancel_timeout_cb (gpointer user_data)
{
  Cancel *cancel = user_data;

  cancel->timeout = 0;
  cancel_now (cancel);
  return G_SOURCE_REMOVE;
}

static void
cancel_on_point_added (LabOverhead      *overhead,
                       LabOverheadPoint *point,
                       Cancel           *cancel)
{
  if (cancel->cancelled_us != 0)
    return;
  if (cancel->test->when == CANCEL_AT_FIRST_POINT)
    {
      g_clear_handle_id (&cancel->timeout, g_source_remove);
      cancel_now (cancel);
    }
  else if (cancel->test->when == CANCEL_AFTER_VARIANT && cancel->timeout == 0 &&
           g_str_equal (point->variant, cancel->test->variant))
    cancel->timeout = g_timeout_add (cancel->test->delay_ms, cancel_timeout_cb, cancel);
}

static void
cancel_run_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Cancel *cancel = user_data;

  cancel->ok = lab_overhead_run_finish (LAB_OVERHEAD (object), result, &cancel->error);
  cancel->done_us = g_get_monotonic_time ();
  cancel->done = TRUE;
}

/* Cancelled as @data says, the experiment returns CANCELLED within 200 ms,
 * keeps what it measured and says it stopped, and leaves no process or
 * thread of its own behind. */
static void
test_cancel (gconstpointer data)
{
  const CancelCase *test = data;
  g_autoptr(LabOverhead) overhead = lab_overhead_new (test->kind, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *name = cancel_case_name (test);
  g_autofree char *reading = NULL;
  Cancel cancel = { .test = test, .cancellable = cancellable };
  gulong handler;

  /* What is left afterwards is then this run's. */
  lab_test_assert_nothing_left ();

  handler = g_signal_connect (overhead, "point-added", G_CALLBACK (cancel_on_point_added), &cancel);
  lab_overhead_run_async (overhead, cancellable, cancel_run_done, &cancel);
  g_assert_true (lab_overhead_get_running (overhead));
  if (test->when == CANCEL_AFTER_DELAY)
    cancel.timeout = g_timeout_add (test->delay_ms, cancel_timeout_cb, &cancel);
  else if (test->when == CANCEL_AT_FIRST_POINT)
    cancel.timeout = g_timeout_add (FIRST_POINT_LIMIT_MS, cancel_timeout_cb, &cancel);
  while (!cancel.done)
    g_main_context_iteration (NULL, TRUE);
  g_clear_handle_id (&cancel.timeout, g_source_remove);
  g_clear_signal_handler (&handler, overhead);

  /* Never cancelled: the run ended first, so the moment chosen no longer
   * falls in the middle of it. */
  g_assert_cmpint (cancel.cancelled_us, >, 0);
  g_test_message ("%s, %s: stopped in %.1f ms, points kept: %u", lab_overhead_kind_to_string (test->kind), name,
                  (cancel.done_us - cancel.cancelled_us) / 1000.0, lab_overhead_get_points (overhead)->len);
  g_assert_false (cancel.ok);
  g_assert_error (cancel.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&cancel.error);
  g_assert_cmpint (cancel.done_us - cancel.cancelled_us, <, lab_test_time_limit (200 * 1000));
  g_assert_cmpint (lab_overhead_get_state (overhead), ==, LAB_OVERHEAD_CANCELLED);
  reading = lab_overhead_dup_reading (overhead);
  g_assert_true (g_str_has_prefix (reading, "Stopped before"));
  lab_test_assert_nothing_left ();
}

static void
add_cancel_test (const CancelCase *test)
{
  g_autofree char *name = cancel_case_name (test);
  g_autofree char *path = g_strdup_printf ("/overhead/cancel/%s/%s", lab_overhead_kind_to_string (test->kind), name);

  g_test_add_data_func (path, test, test_cancel);
}

int
main (int    argc,
      char **argv)
{
  /* Every experiment, whatever it measures first */
  static CancelCase first_point[LAB_N_OVERHEADS];

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/overhead/names", test_names);
  g_test_add_func ("/overhead/format", test_format);
  g_test_add_func ("/overhead/points", test_points);
  g_test_add_func ("/overhead/cancelled-before-start", test_cancelled_before_start);
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    {
      first_point[k] = (CancelCase) { k, CANCEL_AT_FIRST_POINT };
      add_cancel_test (&first_point[k]);
      for (guint i = 0; i < G_N_ELEMENTS (cancel_cases); i++)
        if (cancel_cases[i].kind == k)
          add_cancel_test (&cancel_cases[i]);
    }
  return g_test_run ();
}

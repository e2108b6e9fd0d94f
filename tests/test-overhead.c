/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "lab-overhead-export.h"
#include "lab-overhead-private.h"

/* The overheads runner, whatever the experiment: names, formatting, table
 * helpers, the state it ends in, the files it writes, and that every
 * experiment stops within 200 ms of being cancelled. The experiments'
 * own figures are tested in test-overhead-*.c. */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
  gint64   done_us;
} RunResult;

static void
on_run_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunResult *run = user_data;

  run->ok = lab_overhead_run_finish (LAB_OVERHEAD (object), result, &run->error);
  run->done_us = g_get_monotonic_time ();
  run->done = TRUE;
}

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
  LabOverheadPoint *point = g_new0 (LabOverheadPoint, 1);

  point->kind = LAB_OVERHEAD_STARTUP;
  point->variant = g_strdup (variant);
  point->metric = g_strdup (metric);
  point->parameter = g_strdup ("count");
  point->parameter_value = parameter_value;
  point->value = value;
  point->unit = g_strdup ("us");
  point->repeat = repeat;
  return point;
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

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_CONTINUE;
}

/* Every experiment, cancelled once it has been measuring for a while,
 * returns within 200 ms, keeps what it measured, and says it stopped. */
static void
test_cancel_within_200ms (gconstpointer data)
{
  LabOverheadKind kind = GPOINTER_TO_UINT (data);
  g_autoptr(LabOverhead) overhead = lab_overhead_new (kind, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *reading = NULL;
  RunResult run = { FALSE };
  gint64 cancelled_us;
  guint timeout;

  /* Cancelled once it has measured something, or after 150 ms if it
   * measures longer than that before its first point. */
  lab_overhead_run_async (overhead, cancellable, on_run_done, &run);
  g_assert_true (lab_overhead_get_running (overhead));
  g_signal_connect_swapped (overhead, "point-added", G_CALLBACK (g_cancellable_cancel), cancellable);
  timeout = g_timeout_add (150, cancel_cb, cancellable);
  while (!g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  cancelled_us = g_get_monotonic_time ();
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("%s stopped in %.1f ms", lab_overhead_kind_to_string (kind),
                  (run.done_us - cancelled_us) / 1000.0);
  g_assert_false (run.ok);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (run.done_us - cancelled_us, <, 200 * 1000);
  g_assert_cmpint (lab_overhead_get_state (overhead), ==, LAB_OVERHEAD_CANCELLED);
  reading = lab_overhead_dup_reading (overhead);
  g_assert_true (g_str_has_prefix (reading, "Stopped before"));
  g_clear_error (&run.error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/overhead/names", test_names);
  g_test_add_func ("/overhead/format", test_format);
  g_test_add_func ("/overhead/points", test_points);
  g_test_add_func ("/overhead/cancelled-before-start", test_cancelled_before_start);
  for (guint k = 0; k < LAB_N_OVERHEADS; k++)
    {
      g_autofree char *path = g_strdup_printf ("/overhead/cancel/%s", lab_overhead_kind_to_string (k));

      g_test_add_data_func (path, GUINT_TO_POINTER (k), test_cancel_within_200ms);
    }
  return g_test_run ();
}

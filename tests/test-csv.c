/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lab-csv.h"
#include "lab-export.h"
#include "lab-machine.h"
#include "lab-test-run.h"

static void
test_escape (void)
{
  const struct { const char *in, *out; } cases[] = {
    { "plain", "plain" },
    { "a,b", "\"a,b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "two\nlines", "\"two\nlines\"" },
    { "=SUM(A1)", "'=SUM(A1)" },
    { "+1", "'+1" },
    { "-cmd", "'-cmd" },
    { "@x", "'@x" },
    { "\tx", "'\tx" },
    { "\rx", "\"'\rx\"" },
    { "=a,b", "\"'=a,b\"" },
    { "", "" },
    { "ünïcödé", "ünïcödé" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = lab_csv_escape (cases[i].in);

      g_assert_cmpstr (escaped, ==, cases[i].out);
    }
}

static void
test_rows (void)
{
  g_autoptr(LabCsv) csv = lab_csv_new ();
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 11, 23, 9, 5, 7.25);
  const char *header[] = { "a", "b", "c", "d", "e", "f", NULL };

  /* Decimal commas in the locale must not leak into the file. */
  setlocale (LC_NUMERIC, "de_DE.UTF-8");
  lab_csv_add_header (csv, header);
  lab_csv_add_text (csv, "-1");
  lab_csv_add_int (csv, -1);
  lab_csv_add_double (csv, 0.125);
  lab_csv_add_double (csv, NAN);
  lab_csv_add_bool (csv, TRUE);
  lab_csv_add_datetime (csv, when);
  lab_csv_end_row (csv);
  setlocale (LC_NUMERIC, "C");

  g_assert_cmpstr (lab_csv_get_text (csv), ==,
                   "a,b,c,d,e,f\r\n'-1,-1,0.125,,true,2026-11-23T09:05:07.250Z\r\n");
}

static void
test_save_errors (void)
{
  g_autoptr(LabCsv) csv = lab_csv_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lab-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *contents = NULL;

  lab_csv_add_text (csv, "x");
  lab_csv_end_row (csv);

  g_assert_false (lab_csv_save (csv, "/nonexistent-dir/out.csv", &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_EXPORT);
  g_assert_nonnull (strstr (error->message, "/nonexistent-dir/out.csv"));

  g_assert_true (lab_csv_save (csv, path, NULL));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "x\r\n");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_columns (void)
{
  g_autofree char *results = g_strjoinv (",", (char **) lab_results_columns);
  g_autofree char *spans = g_strjoinv (",", (char **) lab_spans_columns);

  /* The product's interface: these must never be reordered. */
  g_assert_cmpstr (results, ==,
                   "run_id,started_at,workload,size,tasks,mode,runtime,workers,repeat,wall_s,user_s,sys_s,"
                   "cpu_util,peak_rss_kib,speedup,efficiency,checksum,ok_tasks,failed_tasks,outlier,host_cpus,"
                   "app_version,ui_max_stall_ms,ui_cpu_s,background_cpu,unstable,cpu_model,kernel,"
                   "runtime_version,startup_ms,fsync,cache,page_cache_resident,files_fs,"
                   "task_busy_s,download_busy_s,analyse_busy_s,store_busy_s");
  g_assert_cmpstr (spans, ==,
                   "run_id,mode,workers,repeat,task,worker,pid,tid,queued_us,start_us,end_us,bytes,status,error,runtime,"
                   "stage,interrupted");
}

/* The row of the one repetition of @run, with the window's cost @ui_max_stall_ms, @ui_cpu_s. */
static char *
results_row (LabRun *run,
             double  ui_max_stall_ms,
             double  ui_cpu_s)
{
  g_autoptr(LabCsv) csv = NULL;

  lab_run_set_ui_cost (run, ui_max_stall_ms, ui_cpu_s);
  csv = lab_export_results_csv (run);
  g_auto(GStrv) lines = g_strsplit (lab_csv_get_text (csv), "\r\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 3);  /* header, row, "" */
  g_assert_cmpstr (lines[2], ==, "");
  return g_strdup (lines[1]);
}

/* The window's columns are empty unless it gives them; the machine's and
 * the runtime's come next, then the executor's start-up. */
static void
test_results_row (void)
{
  const guint workers[] = { 1 };
  LabRunBuilder *builder = lab_test_builder ("io:sleep", "sequential", workers, 1);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autofree char *cli_row = NULL;
  g_autofree char *ui_row = NULL;
  g_autofree char *nan_row = NULL;
  g_autofree char *cpu_model = lab_machine_cpu_model ();
  g_autofree char *kernel = lab_machine_kernel ();
  g_autofree char *model_field = lab_csv_escape (cpu_model);
  g_autofree char *kernel_field = lab_csv_escape (kernel);
  g_autofree char *tail = g_strdup_printf (",false,%s,%s,%s,", model_field, kernel_field,
                                           lab_native_version ());
  const char *startup;

  lab_run_builder_set_number (builder, LAB_PARAM_SIZE, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, 1);
  config = lab_test_build (builder);
  run = lab_run_new (config);
  g_assert_true (lab_run_execute (run, NULL, NULL));

  g_assert_true (g_str_has_prefix (lab_native_version (), "gcc ") ||
                 g_str_has_prefix (lab_native_version (), "clang "));

  cli_row = results_row (run, NAN, NAN);
  g_assert_nonnull (strstr (cli_row, "," PACKAGE_VERSION ",,,"));
  g_assert_nonnull (strstr (cli_row, tail));
  /* A sequential executor is ready in well under a second. */
  startup = strstr (cli_row, tail) + strlen (tail);
  g_assert_cmpfloat (g_ascii_strtod (startup, NULL), >=, 0.0);
  g_assert_cmpfloat (g_ascii_strtod (startup, NULL), <, 1000.0);
  /* io:files's four columns, empty for another workload, then the stages'
   * busy times: the whole task's, and none of the pipeline's. */
  startup = strchr (startup, ',');
  g_assert_nonnull (startup);
  g_assert_true (g_str_has_prefix (startup, ",,,,,"));
  g_assert_cmpfloat (g_ascii_strtod (startup + 5, NULL), >, 0.0);
  g_assert_true (g_str_has_suffix (startup, ",0,0,0\r\n") || g_str_has_suffix (startup, ",0,0,0"));

  ui_row = results_row (run, 12.5, 0.25);
  g_assert_nonnull (strstr (ui_row, "," PACKAGE_VERSION ",12.5,0.25,"));
  g_assert_nonnull (strstr (ui_row, tail));

  nan_row = results_row (run, NAN, NAN);
  g_assert_nonnull (strstr (nan_row, "," PACKAGE_VERSION ",,,"));

  /* A set of runs: one header, the rows of each. */
  {
    g_autoptr(GPtrArray) runs = g_ptr_array_new ();
    g_autoptr(LabCsv) csv = NULL;
    g_auto(GStrv) lines = NULL;

    g_ptr_array_add (runs, run);
    g_ptr_array_add (runs, run);
    csv = lab_export_results_csv_runs (runs);
    lines = g_strsplit (lab_csv_get_text (csv), "\r\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    g_assert_true (g_str_has_prefix (lines[0], "run_id,"));
    g_assert_cmpstr (lines[1], ==, lines[2]);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv/escape", test_escape);
  g_test_add_func ("/csv/rows", test_rows);
  g_test_add_func ("/csv/save-errors", test_save_errors);
  g_test_add_func ("/csv/columns", test_columns);
  g_test_add_func ("/csv/results-row", test_results_row);
  return g_test_run ();
}

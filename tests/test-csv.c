/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lab-csv.h"
#include "lab-export.h"

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
                   "app_version");
  g_assert_cmpstr (spans, ==,
                   "run_id,mode,workers,repeat,task,worker,pid,tid,queued_us,start_us,end_us,bytes,status,error");
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
  return g_test_run ();
}

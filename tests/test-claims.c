/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "lab-claim-private.h"
#include "lab-machine.h"
#include "lab-test-overhead.h"
#include "lab-test-time.h"
#include <glib/gstdio.h>

/* The claims: their table, each verdict rule on fixed numbers, the
 * formatting of a figure, the CSV and JSON files, a check stopped before
 * it began and in the middle (within 200 ms, nothing left running), and
 * two cheap claims checked for real. */

/* The claims' threads ("lab-claim") hand over their result before they
 * end, and the experiments' ("lab-overhead") likewise: both get a second
 * to go. Nothing else may be left. */
static void
assert_nothing_left (void)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  while ((lab_test_count_threads ("lab-claim") > 0 || lab_test_count_threads ("lab-overhead") > 0) &&
         g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
  g_assert_cmpuint (lab_test_count_threads ("lab-"), ==, 0);
}

/* Table ------------------------------------------------------------------- */

/* A word of each claim of CLAIMS.md, in its order. */
static const struct
{
  const char *id;
  const char *word;
} claims_md[] = {
  { "C01", "GIL" }, { "C02", "download" }, { "C03", "10,000 URLs" }, { "C04", "files" },
  { "C05", "10 million" }, { "C06", "Monte Carlo" }, { "C07", "I/O-bound" }, { "C08", "process" },
  { "C09", "memory" }, { "C10", "between processes" }, { "C11", "crash" }, { "C12", "lose updates" },
  { "C13", "hundreds of processes" }, { "C14", "small inputs" }, { "C15", "Hybrid" },
  { "C16", "event loop" }, { "C17", "GUI" }, { "C18", "affinity" },
};

static void
test_info (void)
{
  g_assert_cmpuint (lab_claim_info_count (), ==, G_N_ELEMENTS (claims_md));
  for (guint i = 0; i < lab_claim_info_count (); i++)
    {
      const LabClaimInfo *info = lab_claim_info_nth (i);
      g_autofree char *lower = g_ascii_strdown (info->id, -1);
      g_autoptr(LabClaim) claim = lab_claim_new (lower);

      g_assert_cmpstr (info->id, ==, claims_md[i].id);
      g_assert_nonnull (strstr (info->wording, claims_md[i].word));
      g_assert_cmpuint (strlen (info->sources), >, 0);
      g_assert_cmpuint (strlen (info->method), >, 20);
      /* A rule says when the claim holds, with a threshold */
      g_assert_true (g_str_has_prefix (info->rule, "Holds when"));
      g_assert_true (lab_claim_info_lookup (lower) == info);
      g_assert_nonnull (claim);
      g_assert_true (lab_claim_get_info (claim) == info);
      g_assert_cmpstr (lab_claim_get_id (claim), ==, info->id);
      g_assert_null (lab_claim_get_result (claim));
      g_assert_cmpint (lab_claim_get_state (claim), ==, LAB_CLAIM_IDLE);
    }
  g_assert_null (lab_claim_info_lookup ("C19"));
  g_assert_null (lab_claim_info_lookup (""));
  g_assert_null (lab_claim_new ("C00"));
}

static void
test_verdicts (void)
{
  for (LabVerdict v = LAB_VERDICT_NOT_RUN; v <= LAB_VERDICT_FAILED; v++)
    {
      LabVerdict back;

      g_assert_true (lab_verdict_from_string (lab_verdict_to_string (v), &back));
      g_assert_cmpint (back, ==, v);
      g_assert_cmpstr (lab_verdict_title (v), !=, "");
    }
  g_assert_cmpstr (lab_verdict_to_string (LAB_VERDICT_DOES_NOT_HOLD), ==, "does-not-hold");
  g_assert_cmpstr (lab_verdict_to_string (LAB_VERDICT_CANNOT_CHECK), ==, "cannot-check");
  g_assert_false (lab_verdict_from_string ("maybe", &(LabVerdict) { 0 }));
}

static void
test_format (void)
{
  struct { double value; double spread; const char *unit; const char *expected; } cases[] = {
    { 1.934, 0.04, "x", "1.93× ± 2 %" },
    { 292.15, NAN, "x", "292×" },
    { 0.000196, NAN, "x", "0.0002×" },
    { 45.2, NAN, "ms", "45.2 ms" },
    { 0.404, 0.001, "s", "404 ms ± 0.05 %" },
    { 1512.5, NAN, "s", "25.2 min" },
    { 1, 0, "tasks", "1 task ± 0 %" },
    { 20, NAN, "tasks", "20 tasks" },
    { 623, NAN, "KiB", "623 KiB" },
    { 187, NAN, "MiB", "187 MiB" },
    { 52.7, NAN, "%", "52.7 %" },
    { NAN, 0.1, "x", "—" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LabClaimValue) value = lab_claim_value_new ("v", "V", cases[i].value, cases[i].spread, cases[i].unit,
                                                            "native");
      g_autofree char *text = lab_claim_value_format (value);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* Rules ------------------------------------------------------------------- */

static void
test_rules_cpu (void)
{
  double linear[] = { 1.0, 0.95 }, sublinear[] = { 1.0, 0.7 }, poor[] = { 1.0, 0.5 }, missing[] = { 1.0, NAN };

  /* C01: GIL-bound threads ≤ 1.2× while native ≥ 0.8 × cores */
  g_assert_cmpint (lab_claim_rule_c01 (2, 1.02, 1.95, 0.05, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c01 (2, 1.2, 1.6, 0.05, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c01 (2, 1.7, 1.95, 0.05, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c01 (2, 1.0, 1.1, 0.05, 0), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c01 (2, 1.0, 1.95, 0.5, 0), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c01 (2, 1.0, 1.95, 0.05, 3), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c01 (2, NAN, 1.95, 0.05, 0), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c01 (1, 1.0, 1.0, 0.05, 0), ==, LAB_VERDICT_CANNOT_CHECK);

  /* C05: one number per task in processes vs 0.875 × cores */
  g_assert_cmpint (lab_claim_rule_c05 (4, 3.5), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c05 (2, 0.0002), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c05 (4, 2.0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c05 (2, NAN), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c05 (1, 0.5), ==, LAB_VERDICT_CANNOT_CHECK);

  /* C06: efficiency ≥ 0.8 up to the cores; < 0.6 at W = cores */
  g_assert_cmpint (lab_claim_rule_c06 (2, linear, 2, 0.05, 0, 0.02), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c06 (2, poor, 2, 0.05, 0, 0.02), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c06 (2, sublinear, 2, 0.05, 0, 0.02), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c06 (2, linear, 2, 0.4, 0, 0.02), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c06 (2, missing, 2, 0.05, 0, 0.02), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c06 (2, linear, 1, 0.05, 0, 0.02), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c06 (2, sublinear, 2, 0.05, 0, 0.6), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c06 (1, linear, 1, 0.05, 0, 0.02), ==, LAB_VERDICT_CANNOT_CHECK);

  /* C14: sequential at least as fast as one pool at the smallest size */
  g_assert_cmpint (lab_claim_rule_c14 (0.11, 0.21, 0.51), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c14 (0.3, 0.2, 0.25), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c14 (0.3, 0.2, NAN), ==, LAB_VERDICT_INCONCLUSIVE);
}

static void
test_rules_io (void)
{
  double saved[] = { 0.35, 0.4 }, unsaved[] = { 0.02, 0.05 }, mixed[] = { 0.35, 0.05 }, missing[] = { 0.35, NAN };

  /* C02: ≥ 2× and within 1.25× of the ideal; < 1.5× */
  g_assert_cmpint (lab_claim_rule_c02 (3.99, 0.404, 0.4, 0.01, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c02 (1.2, 1.3, 0.4, 0.01, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c02 (2.5, 0.65, 0.4, 0.01, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c02 (1.7, 0.45, 0.4, 0.01, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c02 (3.99, 0.404, 0.4, 0.01, 1), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C03: 5× reached, 10,000 URLs < 3 min threaded and > 15 min sequential */
  g_assert_cmpint (lab_claim_rule_c03 (TRUE, 1512, 152, 0.01, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c03 (FALSE, 1512, 400, 0.01, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c03 (TRUE, 600, 100, 0.01, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c03 (TRUE, 1512, 200, 0.01, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c03 (TRUE, 1512, 152, 0.5, 0), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C04: ≥ 30 % saved in every variant; < 10 % in every variant */
  g_assert_cmpint (lab_claim_rule_c04 (saved, 2, 0.05, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c04 (unsaved, 2, 0.05, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c04 (mixed, 2, 0.05, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c04 (missing, 2, 0.05, 0), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c04 (saved, 0, 0.05, 0), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c04 (saved, 2, 0.05, 2), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C07: processes ≥ 1.25× slower; ≤ 1.1× and ≤ 1.5× the memory */
  g_assert_cmpint (lab_claim_rule_c07 (1.4, 3, 0.02, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c07 (1.05, 1.2, 0.02, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c07 (1.07, 292, 0.02, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c07 (1.4, 3, 0.6, 0), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C15: hybrid within 5 % of the best; beaten by more than 10 % */
  g_assert_cmpint (lab_claim_rule_c15 (1.0, 1.2, 0.05, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c15 (1.04, 1.0, 0.05, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c15 (1.3, 1.0, 0.05, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c15 (1.08, 1.0, 0.05, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c15 (1.0, 1.2, 0.05, 1), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C16: ≤ 1.1× the time and ≤ 0.9× CPU or memory; > 1.25× or more of both */
  g_assert_cmpint (lab_claim_rule_c16 (1.0, 0.69, 1.0, 0.02, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c16 (1.5, 0.69, 0.5, 0.02, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c16 (1.0, 1.2, 1.1, 0.02, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c16 (1.0, 0.95, 1.0, 0.02, 0), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c16 (1.0, 0.69, NAN, 0.02, 0), ==, LAB_VERDICT_INCONCLUSIVE);
}

static void
test_rules_overheads (void)
{
  /* C08: process start ≥ 5× a thread's; < 2× */
  g_assert_cmpint (lab_claim_rule_c08 (43.8, 0.17), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c08 (43.8, 0.5), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c08 (1.5, 0.1), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c08 (3, 0.1), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c08 (6, 0.5), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C09: ≥ 2×; ≤ 1× */
  g_assert_cmpint (lab_claim_rule_c09 (130), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c09 (0.9), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c09 (1.5), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c09 (NAN), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C10: pipe ≥ 1.5× worse in latency and throughput */
  g_assert_cmpint (lab_claim_rule_c10 (3, 2, 0.1), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c10 (0.8, 1.2, 0.1), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c10 (3, 1.2, 0.1), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c10 (3, 2, 0.9), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C11: the pool loses only the crashing task, threads lose all */
  g_assert_cmpint (lab_claim_rule_c11 (20, 1, 20), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c11 (20, 5, 20), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c11 (20, 1, 1), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c11 (20, 1, 12), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c11 (20, 0, 20), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C12: lost without a lock, none with one */
  g_assert_cmpint (lab_claim_rule_c12 (2, 8746492, 0, 0), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c12 (2, 0, 0, 0), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c12 (2, 100, 3, 0), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c12 (1, 0, 0, 0), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C13: ≥ 10× and ≥ 100 MiB; < 3× */
  g_assert_cmpint (lab_claim_rule_c13 (80, 187), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c13 (2, 187), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c13 (80, 40), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c13 (NAN, 40), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C17: < 50 ms with threads while blocking ≥ 200 ms */
  g_assert_cmpint (lab_claim_rule_c17 (3.4, 292, 0.02), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c17 (80, 292, 0.02), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c17 (80, 292, 0.5), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c17 (3.4, 120, 0.02), ==, LAB_VERDICT_INCONCLUSIVE);

  /* C18: pinned ≤ 0.95× the time and ≤ 0.8× the switches */
  g_assert_cmpint (lab_claim_rule_c18 (2, 0.8, 0.5, 0.1), ==, LAB_VERDICT_HOLDS);
  g_assert_cmpint (lab_claim_rule_c18 (2, 1.0, 1.0, 0.1), ==, LAB_VERDICT_DOES_NOT_HOLD);
  g_assert_cmpint (lab_claim_rule_c18 (2, 1.0, 0.5, 0.1), ==, LAB_VERDICT_DEPENDS);
  g_assert_cmpint (lab_claim_rule_c18 (2, 0.78, 0.86, 0.61), ==, LAB_VERDICT_INCONCLUSIVE);
  g_assert_cmpint (lab_claim_rule_c18 (1, 0.8, 0.5, 0.1), ==, LAB_VERDICT_CANNOT_CHECK);
}

/* Export ------------------------------------------------------------------ */

static GPtrArray *
fixed_results (void)
{
  GPtrArray *results = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_claim_result_free);
  LabClaimResult *c03 = lab_claim_result_new ("C03");
  LabClaimResult *c05 = lab_claim_result_new ("C05");

  c03->verdict = LAB_VERDICT_HOLDS;
  c03->reading = g_strdup ("10 threads reached 5×, \"quoted\", and more");
  c03->runtime = g_strdup ("native");
  c03->extrapolation = g_strdup ("T_seq = N × (t_seq ÷ n)");
  c03->duration_s = 14.25;
  lab_claim_result_add (c03, "sequential_s", "Sequential", 3.025, 0.0013, "s", "native");
  lab_claim_result_add (c03, "workers_5x", "Fewest threads", 10, NAN, "threads", NULL);
  g_ptr_array_add (results, c03);

  c05->verdict = LAB_VERDICT_CANNOT_CHECK;
  c05->reading = g_strdup ("=This machine has one CPU");
  c05->duration_s = 0;
  g_ptr_array_add (results, c05);
  return results;
}

static void
test_export_csv (void)
{
  g_autoptr(GPtrArray) results = fixed_results ();
  g_autofree char *dir = g_dir_make_tmp ("lab-claims-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "claims.csv", NULL);
  g_autofree char *text = NULL, *expected = lab_claims_to_csv (results);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_claims_write_csv (results, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, expected);
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);  /* header, two rows, the empty end */
  g_assert_cmpstr (lines[0], ==,
                   "id,verdict,rule,values,runtime,extrapolation,reading,host_cpus,cpu_model,kernel,duration_s");
  g_assert_true (g_str_has_prefix (lines[1], "C03,holds,\"Holds when"));
  g_assert_nonnull (strstr (lines[1], ",sequential_s=3.025 s ±0.0013; workers_5x=10 threads,native,"));
  g_assert_nonnull (strstr (lines[1], "\"10 threads reached 5×, \"\"quoted\"\", and more\""));
  g_assert_true (g_str_has_suffix (lines[1], ",14.25"));
  /* A reading that looks like a formula is neutralised */
  g_assert_nonnull (strstr (lines[2], ",'=This machine has one CPU,"));
  g_assert_true (g_str_has_prefix (lines[2], "C05,cannot-check,"));
  g_assert_cmpstr (lines[3], ==, "");

  /* An unwritable path fails with a reason and writes nothing */
  g_assert_false (lab_claims_write_csv (results, "/nonexistent-folder/claims.csv", &error));
  g_assert_nonnull (error);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_export_json (void)
{
  g_autoptr(GPtrArray) results = fixed_results ();
  g_autofree char *dir = g_dir_make_tmp ("lab-claims-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "claims.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *c03, *value;
  JsonArray *claims, *values;

  g_assert_true (lab_claims_write_json (results, path, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "host_cpus"), ==, lab_machine_n_cpus ());
  g_assert_true (json_object_has_member (root, "cpu_model"));
  g_assert_true (json_object_has_member (root, "kernel"));
  claims = json_object_get_array_member (root, "claims");
  g_assert_cmpuint (json_array_get_length (claims), ==, 2);

  c03 = json_array_get_object_element (claims, 0);
  g_assert_cmpstr (json_object_get_string_member (c03, "id"), ==, "C03");
  g_assert_cmpstr (json_object_get_string_member (c03, "verdict"), ==, "holds");
  g_assert_cmpstr (json_object_get_string_member (c03, "rule"), ==, lab_claim_info_lookup ("C03")->rule);
  g_assert_cmpstr (json_object_get_string_member (c03, "extrapolation"), ==, "T_seq = N × (t_seq ÷ n)");
  g_assert_cmpstr (json_object_get_string_member (c03, "runtime"), ==, "native");
  values = json_object_get_array_member (c03, "values");
  g_assert_cmpuint (json_array_get_length (values), ==, 2);
  value = json_array_get_object_element (values, 0);
  g_assert_cmpstr (json_object_get_string_member (value, "name"), ==, "sequential_s");
  g_assert_cmpfloat (json_object_get_double_member (value, "value"), ==, 3.025);
  g_assert_cmpfloat (json_object_get_double_member (value, "spread"), ==, 0.0013);
  g_assert_cmpstr (json_object_get_string_member (value, "unit"), ==, "s");
  /* An unknown spread is null, not a number */
  value = json_array_get_object_element (values, 1);
  g_assert_true (json_object_get_null_member (value, "spread"));
  g_assert_true (json_object_get_null_member (json_array_get_object_element (claims, 1), "extrapolation"));

  g_unlink (path);
  g_rmdir (dir);
}

/* Checks -------------------------------------------------------------------- */

typedef struct
{
  GCancellable *cancellable;
  gint64        cancelled_us;
  gint64        done_us;
  gboolean      ok;
  gboolean      done;
  GError       *error;
} Run;

static gboolean
cancel_cb (gpointer user_data)
{
  Run *run = user_data;

  run->cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;

  run->ok = lab_claim_run_finish (LAB_CLAIM (object), result, &run->error);
  run->done_us = g_get_monotonic_time ();
  run->done = TRUE;
}

/* Stopped before it began: nothing measured, and the result says so. */
static void
test_cancel_before_start (void)
{
  g_autoptr(LabClaim) claim = lab_claim_new ("C01");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const LabClaimResult *result;

  assert_nothing_left ();
  g_cancellable_cancel (cancellable);
  g_assert_false (lab_claim_run (claim, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result = lab_claim_get_result (claim);
  g_assert_nonnull (result);
  g_assert_cmpint (result->verdict, ==, LAB_VERDICT_FAILED);
  g_assert_cmpstr (result->reading, ==, "Stopped before the end. Nothing was measured.");
  g_assert_cmpuint (result->values->len, ==, 0);
  g_assert_cmpint (lab_claim_get_state (claim), ==, LAB_CLAIM_DONE);
  assert_nothing_left ();
}

typedef struct
{
  const char *id;
  guint       delay_ms;
} CancelCase;

/* Engine runs of threads and processes (C01, C07), the overheads'
 * worker processes (C13), and the main loop's own probe (C17). */
static const CancelCase cancel_cases[] = {
  { "C01", 300 },
  { "C07", 400 },
  { "C13", 600 },
  { "C17", 250 },
};

/* Cancelled in the middle, the check returns within 200 ms with a FAILED
 * result that says it stopped, and leaves no process or thread. */
static void
test_cancel (gconstpointer data)
{
  const CancelCase *test = data;
  g_autoptr(LabClaim) claim = lab_claim_new (test->id);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Run run = { .cancellable = cancellable };
  const LabClaimResult *result;

  assert_nothing_left ();
  lab_claim_set_quick (claim, TRUE);
  lab_claim_run_async (claim, cancellable, run_done, &run);
  g_assert_true (lab_claim_get_running (claim));
  g_timeout_add (test->delay_ms, cancel_cb, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (run.cancelled_us, >, 0);
  g_test_message ("%s: stopped in %.1f ms", test->id, (run.done_us - run.cancelled_us) / 1000.0);
  g_assert_false (run.ok);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
  g_assert_cmpint (run.done_us - run.cancelled_us, <, lab_test_time_limit (200 * 1000));
  result = lab_claim_get_result (claim);
  g_assert_cmpint (result->verdict, ==, LAB_VERDICT_FAILED);
  g_assert_true (g_str_has_prefix (result->reading, "Stopped before the end."));
  g_assert_false (lab_claim_get_running (claim));
  assert_nothing_left ();
}

/* Checks a claim for real, quick, and returns its result after the
 * checks every result must pass. */
static const LabClaimResult *
check_for_real (LabClaim *claim)
{
  g_autoptr(GError) error = NULL;
  const LabClaimResult *result;

  assert_nothing_left ();
  lab_claim_set_quick (claim, TRUE);
  g_assert_true (lab_claim_run (claim, NULL, &error));
  g_assert_no_error (error);
  result = lab_claim_get_result (claim);
  g_assert_nonnull (result);
  g_assert_cmpstr (result->id, ==, lab_claim_get_id (claim));
  g_assert_cmpint (lab_claim_get_state (claim), ==, LAB_CLAIM_DONE);
  g_assert_cmpfloat (lab_claim_get_progress (claim), ==, 1);
  g_assert_cmpint (result->verdict, !=, LAB_VERDICT_NOT_RUN);
  g_assert_cmpint (result->verdict, !=, LAB_VERDICT_FAILED);
  g_assert_cmpuint (strlen (result->reading), >, 20);
  g_assert_cmpstr (result->runtime, ==, "native");
  g_assert_cmpfloat (result->duration_s, >, 0);
  g_test_message ("%s: %s. %s", result->id, lab_verdict_to_string (result->verdict), result->reading);
  assert_nothing_left ();
  return result;
}

static double
value_of (const LabClaimResult *result,
          const char           *name)
{
  const LabClaimValue *value = lab_claim_result_lookup_value (result, name);

  g_assert_nonnull (value);
  return value->value;
}

/* The race: updates lost without a lock, none with one, and the verdict
 * is the rule's on the figures reported. */
static void
test_real_c12 (void)
{
  g_autoptr(LabClaim) claim = lab_claim_new ("C12");
  const LabClaimResult *result = check_for_real (claim);

  g_assert_cmpfloat (value_of (result, "lost_mutex"), ==, 0);
  g_assert_cmpfloat (value_of (result, "lost_atomic"), ==, 0);
  g_assert_cmpfloat (value_of (result, "expected_unlocked"), >, 0);
  if (lab_machine_n_cpus () >= 2)
    {
      /* Two threads on two cores always lose some of millions of updates */
      g_assert_cmpfloat (value_of (result, "lost_unlocked"), >, 0);
      g_assert_cmpint (result->verdict, ==, LAB_VERDICT_HOLDS);
    }
}

/* Start-up: both costs measured, and the verdict is the rule's on them. */
static void
test_real_c08 (void)
{
  g_autoptr(LabClaim) claim = lab_claim_new ("C08");
  const LabClaimResult *result = check_for_real (claim);
  double thread = value_of (result, "thread_start_us");
  double process = value_of (result, "process_start_us");
  const LabClaimValue *ratio = lab_claim_result_lookup_value (result, "ratio");

  g_assert_cmpfloat (thread, >, 0);
  g_assert_cmpfloat (process, >, 0);
  g_assert_cmpfloat_with_epsilon (ratio->value, process / thread, 1e-9);
  g_assert_cmpint (result->verdict, ==, lab_claim_rule_c08 (ratio->value, ratio->spread));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/claims/info", test_info);
  g_test_add_func ("/claims/verdicts", test_verdicts);
  g_test_add_func ("/claims/format", test_format);
  g_test_add_func ("/claims/rules/cpu", test_rules_cpu);
  g_test_add_func ("/claims/rules/io", test_rules_io);
  g_test_add_func ("/claims/rules/overheads", test_rules_overheads);
  g_test_add_func ("/claims/export/csv", test_export_csv);
  g_test_add_func ("/claims/export/json", test_export_json);
  g_test_add_func ("/claims/cancel/before-start", test_cancel_before_start);
  for (guint i = 0; i < G_N_ELEMENTS (cancel_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/claims/cancel/%s-%u-ms", cancel_cases[i].id, cancel_cases[i].delay_ms);

      g_test_add_data_func (path, &cancel_cases[i], test_cancel);
    }
  g_test_add_func ("/claims/real/C12", test_real_c12);
  g_test_add_func ("/claims/real/C08", test_real_c08);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-machine.h"

/*
 * C15: hybrid (threads download, processes analyse, a thread stores)
 * gives the best performance. The pipeline workload in its five shapes:
 * the hybrid against the shapes a Python program has (sequential, threads
 * behind a GIL, processes); native threads, which no GIL holds back, are
 * measured beside them and named in the reading.
 */

/* A document's analysis of about the same order as its download, so that
 * neither stage hides the other on a 2-core laptop. */
#define DOCUMENT_BYTES   16384
#define DOWNLOAD_MS      50
#define ANALYSIS_ROUNDS  40000

static const LabMode shapes[] = {
  LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_GIL, LAB_MODE_PROCESSES, LAB_MODE_HYBRID,
};

/* Whether a Python program has @mode's shape: all but native threads. */
static gboolean
python_shape (LabMode mode)
{
  return mode != LAB_MODE_THREADS;
}

static LabCell *
shape_cell (LabRun  *run,
            LabMode  mode,
            guint    workers)
{
  return lab_run_find_cell (run, mode, mode == LAB_MODE_SEQUENTIAL ? 1 : workers);
}

gboolean
lab_claim_check_c15 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  gboolean quick = lab_claim_context_get_quick (ctx);
  guint workers = MAX (lab_machine_n_cpus (), 2);
  g_autoptr(LabRun) run = NULL;
  g_autofree char *hybrid_text = NULL, *best_text = NULL, *threads_text = NULL, *ratio_text = NULL;
  g_autofree char *explanation = NULL, *native = NULL, *trust = NULL;
  LabMode best = LAB_MODE_SEQUENTIAL;
  double hybrid, best_s = NAN, threads, spread;
  guint failed;
  LabVerdict verdict;

  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "pipeline", .size = ANALYSIS_ROUNDS, .tasks = quick ? 32 : 100,
                                 .runtime = LAB_RUNTIME_NATIVE, .modes = shapes, .n_modes = G_N_ELEMENTS (shapes),
                                 .workers = &workers, .n_workers = 1,
                                 .repeat = quick ? 2 : 3, .warmup = quick ? 0 : 1,
                                 .delay_ms = DOWNLOAD_MS, .bytes = DOCUMENT_BYTES,
                               }, 0, 1, error);
  if (run == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      LabCell *cell = shape_cell (run, shapes[i], workers);
      g_autofree char *name = g_strdup_printf ("%s_s", lab_mode_to_string (shapes[i]));
      g_autofree char *runtime = lab_claim_runtime_label (run, LAB_RUNTIME_NATIVE, shapes[i]);
      /* TRANSLATORS: %s is a shape of the pipeline ("Hybrid", "Threads"), %u its number of workers */
      g_autofree char *label = g_strdup_printf (_("%s, W = %u"), lab_mode_title (shapes[i]),
                                                shapes[i] == LAB_MODE_SEQUENTIAL ? 1 : workers);
      double median = lab_cell_get_median_s (cell);

      lab_claim_result_add (result, name, label, median, lab_claim_cell_spread (cell), "s", runtime);
      if (python_shape (shapes[i]) && shapes[i] != LAB_MODE_HYBRID && !(median >= best_s))
        {
          best = shapes[i];
          best_s = median;
        }
    }
  hybrid = lab_cell_get_median_s (shape_cell (run, LAB_MODE_HYBRID, workers));
  threads = lab_cell_get_median_s (shape_cell (run, LAB_MODE_THREADS, workers));
  spread = lab_claim_spread_max (lab_claim_cell_spread (shape_cell (run, LAB_MODE_HYBRID, workers)),
                                 lab_claim_cell_spread (shape_cell (run, best, workers)));
  failed = lab_run_get_failed_tasks (run);
  lab_claim_result_add (result, "hybrid_vs_best", _("Hybrid ÷ the fastest other Python shape"), hybrid / best_s, spread,
                        "x", NULL);

  verdict = lab_claim_rule_c15 (hybrid, best_s, spread, failed);
  hybrid_text = lab_claim_format_duration (hybrid);
  best_text = lab_claim_format_duration (best_s);
  threads_text = lab_claim_format_duration (threads);
  ratio_text = lab_claim_format_ratio (threads / hybrid);
  explanation = g_strdup_printf (/* TRANSLATORS: %u documents, %s durations and a shape ("Processes") */
                                 _("%u documents took %s in the hybrid shape; the fastest of the shapes a Python program "
                                   "has besides it, %s, took %s."),
                                 quick ? 32 : 100, hybrid_text, lab_mode_title (best), best_text);
  native = g_strdup_printf (threads <= 1.05 * hybrid
                            /* TRANSLATORS: %s is the reading so far, then a duration and a ratio */
                            ? _("%s Native threads, which no GIL holds back, took %s (%s the hybrid's time): without a "
                                "GIL, plain threads analyse in parallel too.")
                            /* TRANSLATORS: %s is the reading so far, then a duration and a ratio */
                            : _("%s Native threads, which no GIL holds back, took %s (%s the hybrid's time)."),
                            explanation, threads_text, ratio_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, failed, NAN);
  lab_claim_result_conclude (result, verdict, native, trust);
  return TRUE;
}

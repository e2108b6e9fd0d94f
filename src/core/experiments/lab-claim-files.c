/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"

/*
 * C04: parallel reads and writes cut ingestion time by 30–45 %. The
 * io:files workload, one after another and in threads, with the files
 * read back from the page cache (warm), synced after writing (fsync), and
 * dropped from the cache before reading (cold): the saving each time,
 * and where the reads came from.
 */

/* I/O threads: more than a 2-core laptop's cores, as ingestion code uses */
#define FILES_WORKERS  4
#define FILE_BYTES     (G_GUINT64_CONSTANT (4) * 1024 * 1024)

typedef struct
{
  const char    *name;
  const char    *title;   /* N_() */
  gboolean       fsync;
  LabFilesCache  cache;
} Variant;

static const Variant variants[] = {
  { "warm", N_("Warm cache, no fsync"), FALSE, LAB_FILES_CACHE_WARM },
  { "fsync", N_("Warm cache, fsync"), TRUE, LAB_FILES_CACHE_WARM },
  { "cold", N_("Cold cache"), FALSE, LAB_FILES_CACHE_COLD },
};

typedef struct
{
  double saving;    /* 1 − threads ÷ sequential */
  double spread;
  double cached;    /* share of the bytes read back from the page cache */
  guint  failed;
  const char *fs;
} Measured;

static gboolean
measure_variant (LabClaimContext  *ctx,
                 LabClaimResult   *result,
                 const Variant    *variant,
                 double            from,
                 double            to,
                 Measured         *measured,
                 GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS };
  gboolean quick = lab_claim_context_get_quick (ctx);
  guint workers = FILES_WORKERS;
  g_autoptr(LabRun) run = NULL;
  g_autofree char *sequential_name = g_strdup_printf ("%s_sequential_s", variant->name);
  g_autofree char *threads_name = g_strdup_printf ("%s_threads_s", variant->name);
  g_autofree char *saving_name = g_strdup_printf ("%s_saving", variant->name);
  g_autofree char *sequential_label = NULL, *threads_label = NULL, *saving_label = NULL;
  LabCell *sequential, *threads;

  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "io:files", .size = FILE_BYTES, .tasks = quick ? 32 : 64,
                                 .runtime = LAB_RUNTIME_NATIVE, .modes = modes, .n_modes = G_N_ELEMENTS (modes),
                                 .workers = &workers, .n_workers = 1,
                                 .repeat = quick ? 3 : 5, .warmup = 1,
                                 .fsync = variant->fsync, .cache = variant->cache,
                               }, from, to, error);
  if (run == NULL)
    return FALSE;
  sequential = lab_run_find_cell (run, LAB_MODE_SEQUENTIAL, 1);
  threads = lab_run_find_cell (run, LAB_MODE_THREADS, workers);
  measured->saving = 1 - lab_cell_get_median_s (threads) / lab_cell_get_median_s (sequential);
  measured->spread = lab_claim_spread_ratio (lab_claim_cell_spread (sequential), lab_claim_cell_spread (threads));
  measured->cached = lab_cell_get_cached_fraction (threads);
  measured->failed = lab_run_get_failed_tasks (run);
  measured->fs = lab_cell_get_files_fs (threads);

  /* TRANSLATORS: %s is a variant ("Warm cache, no fsync") */
  sequential_label = g_strdup_printf (_("%s: sequential"), _(variant->title));
  /* TRANSLATORS: %s is a variant ("Warm cache, no fsync"), %u the number of threads */
  threads_label = g_strdup_printf (_("%s: %u threads"), _(variant->title), workers);
  /* TRANSLATORS: %s is a variant ("Warm cache, no fsync") */
  saving_label = g_strdup_printf (_("%s: time the threads saved"), _(variant->title));
  lab_claim_result_add (result, sequential_name, sequential_label, lab_cell_get_median_s (sequential),
                        lab_claim_cell_spread (sequential), "s", "native");
  lab_claim_result_add (result, threads_name, threads_label, lab_cell_get_median_s (threads),
                        lab_claim_cell_spread (threads), "s", "native");
  /* Its spread is the times' (above), as a share of a share would mislead. */
  lab_claim_result_add (result, saving_name, saving_label, 100 * measured->saving, NAN, "%", "native");
  return TRUE;
}

/* "warm 12 %, fsync 35 %, cold 40 %" */
static char *
savings_text (const Measured *measured)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *percent = lab_format_number (100 * measured[v].saving);

      /* TRANSLATORS: a variant's name ("warm", "fsync", "cold") and a percentage without its sign */
      g_string_append_printf (text, _("%s%s %s %%"), v > 0 ? ", " : "", variants[v].name, percent);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
lab_claim_check_c04 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  Measured measured[G_N_ELEMENTS (variants)];
  double savings[G_N_ELEMENTS (variants)], spread = NAN;
  g_autofree char *savings_list = NULL, *warm_cached = NULL, *cold_cached = NULL;
  g_autofree char *explanation = NULL, *trust = NULL;
  guint failed = 0;
  LabVerdict verdict;

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      if (!measure_variant (ctx, result, &variants[v], (double) v / G_N_ELEMENTS (variants),
                            (v + 1.0) / G_N_ELEMENTS (variants), &measured[v], error))
        return FALSE;
      savings[v] = measured[v].saving;
      spread = lab_claim_spread_max (spread, measured[v].spread);
      failed += measured[v].failed;
    }
  lab_claim_result_add (result, "warm_cached", _("Read back from the page cache, warm"), 100 * measured[0].cached, NAN,
                        "%", "native");
  lab_claim_result_add (result, "cold_cached", _("Read back from the page cache, cold"), 100 * measured[2].cached, NAN,
                        "%", "native");

  verdict = lab_claim_rule_c04 (savings, G_N_ELEMENTS (savings), spread, failed);
  savings_list = savings_text (measured);
  warm_cached = lab_format_number (100 * measured[0].cached);
  cold_cached = lab_format_number (100 * measured[2].cached);
  explanation = g_strdup_printf (/* TRANSLATORS: %u files, their size, a thread count, then a list of savings, two
                                    percentages and a file system ("ext4") */
                                 _("Writing and reading back %u files of 4 MiB, %u threads saved (of the sequential time): "
                                   "%s. Warm, %s %% of the bytes read back were in the page cache; cold, %s %%, on %s."),
                                 lab_claim_context_get_quick (ctx) ? 32 : 64, FILES_WORKERS, savings_list, warm_cached,
                                 cold_cached, measured[2].fs != NULL ? measured[2].fs : "?");
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, failed, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

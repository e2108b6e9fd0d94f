/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-stats.h"

/*
 * The I/O-bound claims, measured on downloads from the embedded server:
 * threads overlap waiting (C02), the articles' 10,000 URLs, scaled (C03),
 * processes for I/O (C07) and an event loop against threads (C16).
 */

/* C03: the article's figures */
#define SCRAPE_URLS        10000
#define SCRAPE_LATENCY_MS  150
#define SCRAPE_SPEEDUP     5.0

static guint
repeats (LabClaimContext *ctx)
{
  return lab_claim_context_get_quick (ctx) ? 2 : 3;
}

static double
cell_median (LabRun  *run,
             LabMode  mode,
             guint    workers)
{
  LabCell *cell = lab_run_find_cell (run, mode, workers);

  return cell != NULL ? lab_cell_get_median_s (cell) : NAN;
}

static double
cell_spread (LabRun  *run,
             LabMode  mode,
             guint    workers)
{
  return lab_claim_cell_spread (lab_run_find_cell (run, mode, workers));
}

/* The median over @cell's repetitions of what they measured: their peak
 * memory above @baseline_kib (MiB), or their CPU time (s). */
static double
cell_repetitions_median (LabCell *cell,
                         gboolean memory,
                         guint64  baseline_kib)
{
  GPtrArray *reps = cell != NULL ? lab_cell_get_repetitions (cell) : NULL;
  g_autofree double *values = NULL;

  if (reps == NULL || reps->len == 0)
    return NAN;
  values = g_new (double, reps->len);
  for (guint i = 0; i < reps->len; i++)
    {
      const LabRepetition *rep = reps->pdata[i];

      values[i] = memory ? ((double) rep->peak_rss_kib - (double) baseline_kib) / 1024 : rep->user_s + rep->sys_s;
    }
  return lab_stats_median (values, reps->len);
}

/* This process's resident memory now, against which a run's peak tells
 * what the run added (its workers included). */
static guint64
baseline_rss_kib (void)
{
  LabProcessMemory memory;

  return lab_machine_process_memory (0, &memory) ? memory.rss_kib : 0;
}

gboolean
lab_claim_check_c02 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS };
  gboolean quick = lab_claim_context_get_quick (ctx);
  guint downloads = quick ? 8 : 24, workers = quick ? 4 : 8, latency_ms = 200;
  g_autoptr(LabRun) run = NULL;
  g_autofree char *label = NULL, *speedup_text = NULL, *ideal_text = NULL, *time_text = NULL;
  g_autofree char *explanation = NULL, *trust = NULL;
  double sequential, threads, ideal, speedup, spread;
  guint failed;
  LabVerdict verdict;

  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "io:download", .tasks = downloads,
                                 .runtime = LAB_RUNTIME_NATIVE, .modes = modes, .n_modes = G_N_ELEMENTS (modes),
                                 .workers = &workers, .n_workers = 1,
                                 .repeat = repeats (ctx), .warmup = 0,
                                 .delay_ms = latency_ms, .bytes = 16 * 1024,
                               }, 0, 1, error);
  if (run == NULL)
    return FALSE;

  sequential = cell_median (run, LAB_MODE_SEQUENTIAL, 1);
  threads = cell_median (run, LAB_MODE_THREADS, workers);
  ideal = (downloads + workers - 1) / workers * latency_ms / 1000.0;
  speedup = sequential / threads;
  spread = lab_claim_spread_ratio (cell_spread (run, LAB_MODE_SEQUENTIAL, 1), cell_spread (run, LAB_MODE_THREADS, workers));
  failed = lab_run_get_failed_tasks (run);

  /* TRANSLATORS: %u is a number of downloads, then their latency in ms */
  label = g_strdup_printf (_("Sequential, %u downloads of %u ms"), downloads, latency_ms);
  lab_claim_result_add (result, "sequential_s", label, sequential, cell_spread (run, LAB_MODE_SEQUENTIAL, 1), "s", "native");
  g_free (label);
  /* TRANSLATORS: %u is the number of threads */
  label = g_strdup_printf (_("Threads, W = %u"), workers);
  lab_claim_result_add (result, "threads_s", label, threads, cell_spread (run, LAB_MODE_THREADS, workers), "s", "native");
  lab_claim_result_add (result, "ideal_s", _("Ideal time, ceil(M/W) × latency"), ideal, NAN, "s", NULL);
  lab_claim_result_add (result, "threads_speedup", _("Speed-up of the threads"), speedup, spread, "x", "native");

  verdict = lab_claim_rule_c02 (speedup, threads, ideal, spread, failed);
  speedup_text = lab_claim_format_ratio (speedup);
  time_text = lab_claim_format_duration (threads);
  ideal_text = lab_claim_format_duration (ideal);
  explanation = g_strdup_printf (/* TRANSLATORS: %u are numbers of downloads and threads, %s a speed-up and two times */
                                 _("%u downloads that each wait for the server took %s in %u threads, %s faster than one "
                                   "after another, against an ideal of %s when all waits overlap."),
                                 downloads, time_text, workers, speedup_text, ideal_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, failed, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

/* C03's extrapolation to SCRAPE_URLS from @n measured URLs, in words. */
static char *
scrape_extrapolation (guint  n,
                      double sequential_s,
                      guint  workers,
                      double threads_s,
                      double seq_10k_s,
                      double threads_10k_s)
{
  g_autofree char *seq_text = lab_claim_format_duration (sequential_s);
  g_autofree char *threads_text = lab_claim_format_duration (threads_s);
  g_autofree char *seq_10k = lab_claim_format_duration (seq_10k_s);
  g_autofree char *threads_10k = lab_claim_format_duration (threads_10k_s);
  g_autofree char *urls = lab_format_count (SCRAPE_URLS);
  g_autofree char *rounds = lab_format_count ((SCRAPE_URLS + workers - 1) / workers);

  return g_strdup_printf (/* TRANSLATORS: an extrapolation; N, n and W are symbols, keep the formulas */
                          _("Extrapolated from n = %u URLs with a latency of %u ms to N = %s: "
                            "T_seq = N × (t_seq ÷ n) = %s × (%s ÷ %u) = %s; "
                            "T_W = ⌈N ÷ W⌉ × (t_W ÷ ⌈n ÷ W⌉) = %s × (%s ÷ %u) = %s with W = %u."),
                          n, SCRAPE_LATENCY_MS, urls,
                          urls, seq_text, n, seq_10k,
                          rounds, threads_text, (n + workers - 1) / workers, threads_10k, workers);
}

gboolean
lab_claim_check_c03 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS };
  static const guint quick_workers[] = { 5, 10, 20 };
  static const guint full_workers[] = { 5, 10, 20, 50 };
  gboolean quick = lab_claim_context_get_quick (ctx);
  const guint *workers = quick ? quick_workers : full_workers;
  guint n_workers = quick ? G_N_ELEMENTS (quick_workers) : G_N_ELEMENTS (full_workers);
  guint n = quick ? 20 : 200, chosen = 0;
  gboolean reached = FALSE;
  g_autoptr(LabRun) run = NULL;
  g_autofree char *label = NULL, *explanation = NULL, *trust = NULL, *seq_10k_text = NULL, *threads_10k_text = NULL;
  g_autofree char *speedup_text = NULL;
  double sequential, seq_10k, threads_10k = NAN, spread, chosen_s = NAN;
  guint failed;
  LabVerdict verdict;

  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "io:download", .tasks = n,
                                 .runtime = LAB_RUNTIME_NATIVE, .modes = modes, .n_modes = G_N_ELEMENTS (modes),
                                 .workers = workers, .n_workers = n_workers,
                                 .repeat = repeats (ctx), .warmup = 0,
                                 .delay_ms = SCRAPE_LATENCY_MS, .bytes = 16 * 1024,
                               }, 0, 1, error);
  if (run == NULL)
    return FALSE;

  sequential = cell_median (run, LAB_MODE_SEQUENTIAL, 1);
  spread = cell_spread (run, LAB_MODE_SEQUENTIAL, 1);
  failed = lab_run_get_failed_tasks (run);
  /* TRANSLATORS: %u is a number of URLs, then their latency in ms */
  label = g_strdup_printf (_("Sequential, %u URLs of %u ms"), n, SCRAPE_LATENCY_MS);
  lab_claim_result_add (result, "sequential_s", label, sequential, spread, "s", "native");
  for (guint i = 0; i < n_workers; i++)
    {
      guint w = workers[i];
      double threads = cell_median (run, LAB_MODE_THREADS, w);
      double speedup = sequential / threads;
      g_autofree char *name = g_strdup_printf ("threads_speedup_w%u", w);
      /* TRANSLATORS: %u is a number of threads */
      g_autofree char *speedup_label = g_strdup_printf (ngettext ("Speed-up of %u thread", "Speed-up of %u threads", w), w);

      lab_claim_result_add (result, name, speedup_label, speedup,
                            lab_claim_spread_ratio (spread, cell_spread (run, LAB_MODE_THREADS, w)), "x", "native");
      /* The smallest W that reaches the article's 5×, else the fastest. */
      if (!reached && (speedup >= SCRAPE_SPEEDUP || !(threads >= chosen_s)))
        {
          chosen = w;
          chosen_s = threads;
          reached = speedup >= SCRAPE_SPEEDUP;
        }
    }
  spread = lab_claim_spread_max (spread, cell_spread (run, LAB_MODE_THREADS, chosen));

  seq_10k = SCRAPE_URLS * (sequential / n);
  threads_10k = (SCRAPE_URLS + chosen - 1) / chosen * (chosen_s / ((n + chosen - 1) / chosen));
  lab_claim_result_add (result, "workers_5x", _("Fewest threads measured that reach 5×"),
                        reached ? chosen : NAN, NAN, "threads", NULL);
  lab_claim_result_add (result, "sequential_10k_s", _("10,000 URLs sequentially (extrapolated)"), seq_10k, NAN, "s", "native");
  g_free (label);
  /* TRANSLATORS: %u is the number of threads */
  label = g_strdup_printf (_("10,000 URLs in %u threads (extrapolated)"), chosen);
  lab_claim_result_add (result, "threads_10k_s", label, threads_10k, NAN, "s", "native");
  result->extrapolation = scrape_extrapolation (n, sequential, chosen, chosen_s, seq_10k, threads_10k);

  verdict = lab_claim_rule_c03 (reached, seq_10k, threads_10k, spread, failed);
  seq_10k_text = lab_claim_format_duration (seq_10k);
  threads_10k_text = lab_claim_format_duration (threads_10k);
  speedup_text = lab_claim_format_ratio (sequential / chosen_s);
  if (reached)
    explanation = g_strdup_printf (/* TRANSLATORS: %u are numbers of threads and URLs, %s a speed-up and two durations */
                                   _("%u threads were the fewest measured to reach 5× (%s) on %u URLs. Extrapolated to 10,000 "
                                     "URLs of %u ms: %s sequentially, %s with them; the article's 15 and 3 minutes follow from "
                                     "its latency, the 5× from the thread count."),
                                   chosen, speedup_text, n, SCRAPE_LATENCY_MS,
                                   seq_10k_text, threads_10k_text);
  else
    explanation = g_strdup_printf (/* TRANSLATORS: %u is a number of threads, %s a speed-up */
                                   _("No thread count measured reached 5×; the best, %u threads, reached %s."),
                                   chosen, speedup_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, failed, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

/* A mode's cost of doing the downloads from scratch: its median wall
 * time plus the start-up of its workers (none for threads). */
static double
cell_time_with_startup (LabCell *cell)
{
  double startup;

  if (cell == NULL)
    return NAN;
  startup = lab_cell_get_startup_s (cell);
  return lab_cell_get_median_s (cell) + (isfinite (startup) ? startup : 0);
}

gboolean
lab_claim_check_c07 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  gboolean quick = lab_claim_context_get_quick (ctx);
  guint downloads = quick ? 20 : 80, workers = quick ? 10 : 20;
  guint64 baseline = baseline_rss_kib ();
  g_autoptr(LabRun) run = NULL;
  g_autofree char *time_text = NULL, *memory_text = NULL, *explanation = NULL, *trust = NULL;
  g_autofree char *threads_label = NULL, *processes_label = NULL;
  LabCell *threads, *processes;
  double threads_s, processes_s, threads_mib, processes_mib, time_ratio, memory_ratio, spread;
  guint failed;
  LabVerdict verdict;

  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "io:download", .tasks = downloads,
                                 .runtime = LAB_RUNTIME_NATIVE, .modes = modes, .n_modes = G_N_ELEMENTS (modes),
                                 .workers = &workers, .n_workers = 1,
                                 .repeat = repeats (ctx), .warmup = 0,
                                 .delay_ms = 200, .bytes = 16 * 1024,
                               }, 0, 1, error);
  if (run == NULL)
    return FALSE;

  threads = lab_run_find_cell (run, LAB_MODE_THREADS, workers);
  processes = lab_run_find_cell (run, LAB_MODE_PROCESSES, workers);
  threads_s = cell_time_with_startup (threads);
  processes_s = cell_time_with_startup (processes);
  threads_mib = cell_repetitions_median (threads, TRUE, baseline);
  processes_mib = cell_repetitions_median (processes, TRUE, baseline);
  time_ratio = processes_s / threads_s;
  /* A few hundred KiB at least: a thread's share rounds to pages. */
  memory_ratio = processes_mib / MAX (threads_mib, 0.25);
  spread = lab_claim_spread_ratio (lab_claim_cell_spread (threads), lab_claim_cell_spread (processes));
  failed = lab_run_get_failed_tasks (run);

  /* TRANSLATORS: %u is the number of workers */
  threads_label = g_strdup_printf (_("Threads, W = %u, start-up included"), workers);
  /* TRANSLATORS: %u is the number of workers */
  processes_label = g_strdup_printf (_("Processes, W = %u, start-up included"), workers);
  lab_claim_result_add (result, "threads_s", threads_label, threads_s, lab_claim_cell_spread (threads), "s", "native");
  lab_claim_result_add (result, "processes_s", processes_label, processes_s, lab_claim_cell_spread (processes), "s",
                        "native");
  lab_claim_result_add (result, "threads_memory_mib", _("Memory the threads added (peak)"), threads_mib, NAN, "MiB",
                        "native");
  lab_claim_result_add (result, "processes_memory_mib", _("Memory the processes added (peak, workers included)"),
                        processes_mib, NAN, "MiB", "native");
  lab_claim_result_add (result, "time_ratio", _("Processes' time ÷ threads' time"), time_ratio, spread, "x", "native");
  lab_claim_result_add (result, "memory_ratio", _("Processes' memory ÷ threads' memory"), memory_ratio, NAN, "x",
                        "native");

  verdict = lab_claim_rule_c07 (time_ratio, memory_ratio, spread, failed);
  time_text = lab_claim_format_ratio (time_ratio);
  memory_text = lab_claim_format_ratio (memory_ratio);
  explanation = g_strdup_printf (/* TRANSLATORS: %u are the numbers of downloads and workers, %s ratios ("1.2×") */
                                 _("%u downloads in %u worker processes took %s the threads' time, start-up included, "
                                   "and added %s their memory."),
                                 downloads, workers, time_text, memory_text);
  if (verdict == LAB_VERDICT_DEPENDS)
    {
      g_autofree char *more = g_strdup_printf ("%s %s", explanation,
                                               _("Not 1.25× slower, but dearer in memory or time: whether that "
                                                 "matters depends on how many processes are needed."));

      g_free (explanation);
      explanation = g_steal_pointer (&more);
    }
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, failed, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

gboolean
lab_claim_check_c16 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_THREADS, LAB_MODE_ASYNC };
  gboolean quick = lab_claim_context_get_quick (ctx);
  guint downloads = quick ? 100 : 400, workers = quick ? 50 : 100;
  g_autofree char *no_python = NULL;
  const LabInterpreter *python = lab_claim_find_python (&no_python);
  LabRuntime runtime = python != NULL ? LAB_RUNTIME_CPYTHON : LAB_RUNTIME_NATIVE;
  guint64 baseline = baseline_rss_kib ();
  g_autoptr(LabRun) run = NULL;
  g_autofree char *runtime_label = NULL, *time_text = NULL, *cpu_text = NULL, *memory_text = NULL;
  g_autofree char *explanation = NULL, *trust = NULL;
  LabCell *threads, *loop;
  double time_ratio, cpu_ratio, memory_ratio, spread;
  guint failed;
  LabVerdict verdict;

  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "io:download", .tasks = downloads,
                                 .runtime = runtime, .modes = modes, .n_modes = G_N_ELEMENTS (modes),
                                 .workers = &workers, .n_workers = 1,
                                 .repeat = quick ? 3 : 5, .warmup = 1,
                                 .delay_ms = 100, .bytes = 16 * 1024,
                               }, 0, 1, error);
  if (run == NULL)
    return FALSE;

  runtime_label = lab_claim_runtime_label (run, runtime, LAB_MODE_THREADS);
  threads = lab_run_find_variant_cell (run, runtime, LAB_MODE_THREADS, workers);
  loop = lab_run_find_variant_cell (run, runtime, LAB_MODE_ASYNC, workers);
  time_ratio = lab_cell_get_median_s (loop) / lab_cell_get_median_s (threads);
  cpu_ratio = cell_repetitions_median (loop, FALSE, 0) / cell_repetitions_median (threads, FALSE, 0);
  memory_ratio = MAX (cell_repetitions_median (loop, TRUE, baseline), 0.25) /
                 MAX (cell_repetitions_median (threads, TRUE, baseline), 0.25);
  spread = lab_claim_spread_ratio (lab_claim_cell_spread (threads), lab_claim_cell_spread (loop));
  failed = lab_run_get_failed_tasks (run);

  lab_claim_result_add (result, "threads_s", _("Threads"), lab_cell_get_median_s (threads),
                        lab_claim_cell_spread (threads), "s", runtime_label);
  lab_claim_result_add (result, "async_s", _("Event loop"), lab_cell_get_median_s (loop), lab_claim_cell_spread (loop),
                        "s", runtime_label);
  lab_claim_result_add (result, "threads_cpu_s", _("CPU time of the threads"), cell_repetitions_median (threads, FALSE, 0),
                        NAN, "s", runtime_label);
  lab_claim_result_add (result, "async_cpu_s", _("CPU time of the event loop"), cell_repetitions_median (loop, FALSE, 0),
                        NAN, "s", runtime_label);
  lab_claim_result_add (result, "threads_memory_mib", _("Memory the threads added (peak)"),
                        cell_repetitions_median (threads, TRUE, baseline), NAN, "MiB", runtime_label);
  lab_claim_result_add (result, "async_memory_mib", _("Memory the event loop added (peak)"),
                        cell_repetitions_median (loop, TRUE, baseline), NAN, "MiB", runtime_label);
  lab_claim_result_add (result, "time_ratio", _("Event loop's time ÷ threads' time"), time_ratio, spread, "x",
                        runtime_label);
  lab_claim_result_add (result, "cpu_ratio", _("Event loop's CPU time ÷ threads'"), cpu_ratio, NAN, "x", runtime_label);
  lab_claim_result_add (result, "memory_ratio", _("Event loop's memory ÷ threads'"), memory_ratio, NAN, "x",
                        runtime_label);

  verdict = lab_claim_rule_c16 (time_ratio, cpu_ratio, memory_ratio, spread, failed);
  time_text = lab_claim_format_ratio (time_ratio);
  cpu_text = lab_claim_format_ratio (cpu_ratio);
  memory_text = lab_claim_format_ratio (memory_ratio);
  explanation = g_strdup_printf (/* TRANSLATORS: %u are the numbers of downloads and of downloads at once, %s ratios */
                                 _("With %u downloads, %u at a time, the event loop took %s the threads' time, %s their CPU "
                                   "time and %s their added memory."),
                                 downloads, workers, time_text, cpu_text, memory_text);
  if (python == NULL)
    {
      g_autofree char *more =
        /* TRANSLATORS: the first %s is the reading so far, the second why python3 is missing */
        g_strdup_printf (_("%s No python3 could be used (%s), so the native event loop and threads stood in for "
                           "asyncio and threading."), explanation, no_python);

      g_free (explanation);
      explanation = g_steal_pointer (&more);
    }
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, failed, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

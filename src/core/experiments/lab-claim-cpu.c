/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"
#include "lab-stats.h"

/*
 * The CPU-bound claims: threads under the GIL (C01), the articles'
 * Pool.map of squares (C05), Monte Carlo in processes (C06) and the task
 * size below which concurrency does not pay (C14).
 */

/* Work sizes: a sequential repetition of about half a second in quick
 * settings, one to two seconds in full ones, on a 2-core laptop. */
#define PRIMES_NATIVE_QUICK   2000000
#define PRIMES_NATIVE_FULL    5000000
#define PRIMES_CPYTHON_QUICK  300000
#define PRIMES_CPYTHON_FULL   800000
#define PI_QUICK              G_GUINT64_CONSTANT (300000000)
#define PI_FULL               G_GUINT64_CONSTANT (800000000)

static guint
repeats (LabClaimContext *ctx)
{
  return lab_claim_context_get_quick (ctx) ? 2 : 3;
}

static guint
warmups (LabClaimContext *ctx)
{
  return lab_claim_context_get_quick (ctx) ? 0 : 1;
}

/* The reading of a claim that needs several cores on a machine with one. */
static void
conclude_one_core (LabClaimResult *result,
                   const char     *why)
{
  g_autofree char *text =
    /* TRANSLATORS: %s says what the claim compares, e.g. "threads cannot run in parallel" */
    g_strdup_printf (_("This machine has one CPU, so %s: the claim cannot be checked here."), why);

  lab_claim_result_conclude (result, LAB_VERDICT_CANNOT_CHECK, text, NULL);
}

/* The speed-up of @mode's cell at @workers over its runtime's sequential
 * cell; its spread is the two cells' together. */
static double
cell_speedup (LabRun     *run,
              LabRuntime  runtime,
              LabMode     mode,
              guint       workers,
              double     *spread)
{
  LabCell *sequential = lab_run_find_variant_cell (run, runtime, LAB_MODE_SEQUENTIAL, 1);
  LabCell *cell = lab_run_find_variant_cell (run, runtime, mode, workers);

  *spread = lab_claim_spread_ratio (lab_claim_cell_spread (sequential), lab_claim_cell_spread (cell));
  if (cell == NULL || sequential == NULL)
    return NAN;
  return lab_cell_get_median_s (sequential) / lab_cell_get_median_s (cell);
}

/* The same, added to @result. */
static double
add_speedup (LabClaimResult *result,
             LabRun         *run,
             LabRuntime      runtime,
             LabMode         mode,
             guint           workers,
             const char     *name,
             const char     *label,
             double         *spread)
{
  g_autofree char *runtime_label = lab_claim_runtime_label (run, runtime, mode);
  double speedup = cell_speedup (run, runtime, mode, workers, spread);

  lab_claim_result_add (result, name, label, speedup, *spread, "x", runtime_label);
  return speedup;
}

/* The most the rest of the machine used of the CPU during @run's cells. */
static double
run_background (LabRun *run)
{
  GListModel *cells = lab_run_get_cells (run);
  double worst = NAN;

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      worst = lab_claim_spread_max (worst, lab_cell_get_background_cpu (cell));
    }
  return worst;
}

gboolean
lab_claim_check_c01 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode native_modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_GIL };
  static const LabMode python_modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS };
  guint cpus = lab_machine_n_cpus ();
  gboolean quick = lab_claim_context_get_quick (ctx);
  g_autofree char *no_python = NULL;
  const LabInterpreter *python = lab_claim_find_python (&no_python);
  g_autoptr(LabRun) native = NULL, cpython = NULL;
  g_autofree char *gil_text = NULL, *native_text = NULL, *explanation = NULL, *trust = NULL;
  g_autofree char *native_label = NULL, *gil_label = NULL;
  double native_speedup, gil_speedup, native_spread, gil_spread, background;
  guint failed;
  LabVerdict verdict;

  if (cpus < 2)
    {
      conclude_one_core (result, _("threads cannot compute in parallel with or without a GIL"));
      return TRUE;
    }

  /* Without python3 the emulated GIL stands in for CPython's, in the same run. */
  native = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                    .workload = "cpu:primes",
                                    .size = quick ? PRIMES_NATIVE_QUICK : PRIMES_NATIVE_FULL,
                                    .tasks = 4 * cpus, .runtime = LAB_RUNTIME_NATIVE,
                                    .modes = native_modes, .n_modes = python != NULL ? 2 : 3,
                                    .workers = &cpus, .n_workers = 1,
                                    .repeat = repeats (ctx), .warmup = warmups (ctx),
                                  }, 0, python != NULL ? 0.5 : 1, error);
  if (native == NULL)
    return FALSE;
  if (python != NULL)
    {
      cpython = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                         .workload = "cpu:primes",
                                         .size = quick ? PRIMES_CPYTHON_QUICK : PRIMES_CPYTHON_FULL,
                                         .tasks = 4 * cpus, .runtime = LAB_RUNTIME_CPYTHON,
                                         .modes = python_modes, .n_modes = G_N_ELEMENTS (python_modes),
                                         .workers = &cpus, .n_workers = 1,
                                         .repeat = repeats (ctx), .warmup = warmups (ctx),
                                       }, 0.5, 1, error);
      if (cpython == NULL)
        return FALSE;
    }

  /* TRANSLATORS: %u is the number of threads */
  native_label = g_strdup_printf (_("Native threads, W = %u, vs sequential"), cpus);
  native_speedup = add_speedup (result, native, LAB_RUNTIME_NATIVE, LAB_MODE_THREADS, cpus,
                                "native_threads_speedup", native_label, &native_spread);
  if (cpython != NULL)
    {
      /* TRANSLATORS: %u is the number of threads */
      gil_label = g_strdup_printf (_("CPython threads, W = %u, vs sequential"), cpus);
      gil_speedup = add_speedup (result, cpython, LAB_RUNTIME_CPYTHON, LAB_MODE_THREADS, cpus,
                                 "cpython_threads_speedup", gil_label, &gil_spread);
    }
  else
    {
      /* TRANSLATORS: %u is the number of threads */
      gil_label = g_strdup_printf (_("Threads behind the emulated GIL, W = %u, vs sequential"), cpus);
      gil_speedup = add_speedup (result, native, LAB_RUNTIME_NATIVE, LAB_MODE_GIL, cpus,
                                 "gil_threads_speedup", gil_label, &gil_spread);
    }

  failed = lab_run_get_failed_tasks (native) + (cpython != NULL ? lab_run_get_failed_tasks (cpython) : 0);
  background = lab_claim_spread_max (run_background (native), cpython != NULL ? run_background (cpython) : NAN);
  verdict = lab_claim_rule_c01 (cpus, gil_speedup, native_speedup, lab_claim_spread_max (native_spread, gil_spread),
                                failed);

  native_text = lab_claim_format_ratio (native_speedup);
  gil_text = lab_claim_format_ratio (gil_speedup);
  if (verdict == LAB_VERDICT_INCONCLUSIVE && native_speedup < 0.8 * cpus)
    explanation = g_strdup_printf (/* TRANSLATORS: %s are speed-ups ("1.05×"), %u the number of threads */
                                   _("Native threads reached only %s with W = %u, under 0.8 × cores: the cores were not free, so "
                                     "what held back the GIL-bound threads (%s) cannot be told apart."),
                                   native_text, cpus, gil_text);
  else if (verdict == LAB_VERDICT_HOLDS)
    explanation = g_strdup_printf (/* TRANSLATORS: %s are speed-ups ("1.05×"), %u the number of threads */
                                   _("%s reached %s with W = %u while native threads reached %s: the GIL, not the cores, "
                                     "kept the Python threads to one core at a time."),
                                   cpython != NULL ? _("CPython threads") : _("Threads behind the emulated GIL"),
                                   gil_text, cpus, native_text);
  else
    explanation = g_strdup_printf (/* TRANSLATORS: %s are speed-ups ("1.05×"), %u the number of threads */
                                   _("%s reached %s with W = %u (native threads %s)."),
                                   cpython != NULL ? _("CPython threads") : _("Threads behind the emulated GIL"),
                                   gil_text, cpus, native_text);
  if (cpython == NULL)
    {
      g_autofree char *with_reason =
        /* TRANSLATORS: the first %s is the reading so far, the second why python3 is missing */
        g_strdup_printf (_("%s No python3 could be used (%s), so the emulated GIL stood in for CPython's."),
                         explanation, no_python);

      g_free (explanation);
      explanation = g_steal_pointer (&with_reason);
    }
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (lab_claim_spread_max (native_spread, gil_spread), failed, background);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

/* The granularity experiment's wall time of @mode at @task_size and its
 * spread. */
static double
granularity_wall (GPtrArray  *points,
                  LabMode     mode,
                  double      task_size,
                  double     *spread)
{
  const char *variant = lab_mode_to_string (mode);

  *spread = lab_overhead_points_spread (points, variant, "wall", task_size);
  return lab_overhead_points_median (points, variant, "wall", task_size);
}

gboolean
lab_claim_check_c05 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  guint cpus = lab_machine_n_cpus ();
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GArray) sizes = NULL;
  g_autofree char *fine_text = NULL, *chunked_text = NULL, *explanation = NULL, *chunk = NULL;
  g_autofree char *fine_label = NULL, *chunked_label = NULL;
  double smallest, largest, sequential, fine, chunked, s_seq, s_fine, s_chunked;
  double fine_speedup, chunked_speedup;
  LabVerdict verdict;

  if (cpus < 2)
    {
      conclude_one_core (result, _("a pool of processes cannot run in parallel"));
      return TRUE;
    }
  points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_GRANULARITY, 0, 1, error);
  if (points == NULL)
    return FALSE;
  sizes = lab_overhead_points_parameters (points, "wall");
  if (sizes->len < 2)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The granularity experiment measured no task sizes"));
      return FALSE;
    }
  smallest = g_array_index (sizes, double, 0);
  largest = g_array_index (sizes, double, sizes->len - 1);
  /* The plain loop: sequential with the fewest, largest tasks. */
  sequential = granularity_wall (points, LAB_MODE_SEQUENTIAL, largest, &s_seq);
  fine = granularity_wall (points, LAB_MODE_PROCESSES, smallest, &s_fine);
  chunked = granularity_wall (points, LAB_MODE_PROCESSES, largest, &s_chunked);
  fine_speedup = sequential / fine;
  chunked_speedup = sequential / chunked;

  lab_claim_result_add (result, "sequential_s", _("Sequential loop"), sequential, s_seq, "s", "native");
  lab_claim_result_add (result, "processes_fine_s", _("Processes, one number per task"), fine, s_fine, "s", "native");
  chunk = lab_format_count ((guint64) largest);
  /* TRANSLATORS: %s is a count of numbers, "100,000" */
  chunked_label = g_strdup_printf (_("Processes, %s numbers per task"), chunk);
  lab_claim_result_add (result, "processes_chunked_s", chunked_label, chunked, s_chunked, "s", "native");
  /* TRANSLATORS: %u is the number of worker processes */
  fine_label = g_strdup_printf (_("Speed-up of one number per task, W = %u"), cpus);
  lab_claim_result_add (result, "fine_speedup", fine_label, fine_speedup, lab_claim_spread_ratio (s_seq, s_fine),
                        "x", "native");
  lab_claim_result_add (result, "chunked_speedup", _("Speed-up of the chunked tasks"), chunked_speedup,
                        lab_claim_spread_ratio (s_seq, s_chunked), "x", "native");

  verdict = lab_claim_rule_c05 (cpus, fine_speedup);
  fine_text = lab_claim_format_ratio (fine_speedup);
  chunked_text = lab_claim_format_ratio (chunked_speedup);
  if (verdict == LAB_VERDICT_DOES_NOT_HOLD)
    {
      g_autofree char *fine_time = lab_claim_format_duration (fine);
      g_autofree char *sequential_time = lab_claim_format_duration (sequential);
      g_autofree char *slower = lab_claim_format_ratio (fine / sequential);

      explanation = g_strdup_printf (/* TRANSLATORS: %s are durations, ratios ("3,740×") and a count, %u the number
                                        of processes */
                                     _("Pool.map with one number per task took %s in %u processes against %s for the "
                                       "sequential loop, %s as long: sending every number to a worker and its square back "
                                       "costs more than squaring it. In tasks of %s numbers the same processes reached "
                                       "%s."),
                                     fine_time, cpus, sequential_time, slower, chunk, chunked_text);
    }
  else
    explanation = g_strdup_printf (/* TRANSLATORS: %s are speed-ups ("1.5×") and a count, %u the number of processes */
                                   _("Pool.map with one number per task reached %s in %u processes, in tasks of %s numbers %s "
                                     "(the claim asks for 0.875 × cores)."),
                                   fine_text, cpus, chunk, chunked_text);
  lab_claim_result_conclude (result, verdict, explanation, NULL);
  return TRUE;
}

gboolean
lab_claim_check_c06 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_PROCESSES };
  guint cpus = lab_machine_n_cpus ();
  gboolean quick = lab_claim_context_get_quick (ctx);
  g_autoptr(GArray) workers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree double *efficiency = NULL, *speedups = NULL, *counts = NULL;
  g_autofree char *at_cores = NULL, *explanation = NULL, *trust = NULL, *serial_text = NULL;
  g_autofree char *speedup_text = NULL, *beyond_text = NULL, *beyond = NULL;
  g_autoptr(LabRun) run = NULL;
  double spread = NAN, serial = NAN;
  LabVerdict verdict;

  if (cpus < 2)
    {
      conclude_one_core (result, _("processes cannot run in parallel"));
      return TRUE;
    }
  for (guint w = 1; w <= 2 * cpus; w++)
    g_array_append_val (workers, w);
  /* Tasks divide evenly among every W up to 2 × cores when there are
   * enough of them; 24 per core is plenty. */
  run = lab_claim_measure_run (ctx, &(LabClaimRunSpec) {
                                 .workload = "cpu:pi", .size = quick ? PI_QUICK : PI_FULL,
                                 .tasks = 24 * cpus, .runtime = LAB_RUNTIME_NATIVE,
                                 .modes = modes, .n_modes = G_N_ELEMENTS (modes),
                                 .workers = (guint *) workers->data, .n_workers = workers->len,
                                 .repeat = repeats (ctx), .warmup = warmups (ctx),
                               }, 0, 1, error);
  if (run == NULL)
    return FALSE;

  efficiency = g_new (double, workers->len);
  speedups = g_new (double, workers->len);
  counts = g_new (double, workers->len);
  for (guint i = 0; i < workers->len; i++)
    {
      guint w = g_array_index (workers, guint, i);
      g_autofree char *name = g_strdup_printf ("processes_efficiency_w%u", w);
      /* TRANSLATORS: %u is a number of worker processes */
      g_autofree char *label = g_strdup_printf (ngettext ("Efficiency of %u process (speed-up ÷ W)",
                                                          "Efficiency of %u processes (speed-up ÷ W)", w), w);
      double s;

      speedups[i] = cell_speedup (run, LAB_RUNTIME_NATIVE, LAB_MODE_PROCESSES, w, &s);
      efficiency[i] = speedups[i] / w;
      counts[i] = w;
      lab_claim_result_add (result, name, label, efficiency[i], s, "ratio", "native");
      if (w <= cpus)
        spread = lab_claim_spread_max (spread, s);
    }
  /* Amdahl's law describes W up to the cores; beyond them no one expects more. */
  if (lab_stats_amdahl_fit (counts, speedups, cpus, &serial))
    lab_claim_result_add (result, "serial_fraction", _("Serial fraction (Amdahl fit up to W = cores)"),
                          100 * serial, NAN, "%", "native");

  verdict = lab_claim_rule_c06 (cpus, efficiency, cpus, spread, lab_run_get_failed_tasks (run), run_background (run));
  at_cores = lab_format_number (efficiency[cpus - 1]);
  speedup_text = lab_claim_format_ratio (speedups[cpus - 1]);
  serial_text = isfinite (serial) ? lab_format_number (100 * serial) : g_strdup (LAB_FORMAT_NONE);
  beyond_text = lab_claim_format_ratio (speedups[workers->len - 1]);
  explanation = g_strdup_printf (/* TRANSLATORS: %u is the number of cores, the first %s an efficiency ("0.97"), the second
                                    a speed-up, the third a percentage without its sign */
                                 _("Monte Carlo π in %u processes ran at an efficiency of %s (speed-up %s); Amdahl's law fits a "
                                   "serial fraction of %s %%."),
                                 cpus, at_cores, speedup_text, serial_text);
  /* Past the cores a process only takes turns with another. */
  beyond = g_strdup_printf (speedups[workers->len - 1] > 1.1 * speedups[cpus - 1]
                            /* TRANSLATORS: %s is the reading so far, %u a number of processes, then a speed-up */
                            ? _("%s With %u processes, more than the cores, the speed-up still grew, to %s.")
                            /* TRANSLATORS: %s is the reading so far, %u a number of processes, then a speed-up */
                            : _("%s With %u processes, more than the cores, it grew no further (%s)."),
                            explanation, g_array_index (workers, guint, workers->len - 1), beyond_text);
  g_free (explanation);
  explanation = g_steal_pointer (&beyond);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, lab_run_get_failed_tasks (run), run_background (run));
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

/* "1.2 s / 3.4 s / 5.6 s" */
static char *
format_times (const double *seconds,
              guint         n)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *time = lab_claim_format_duration (seconds[i]);

      g_string_append_printf (text, "%s%s", i > 0 ? " / " : "", time);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
lab_claim_check_c14 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  static const LabMode modes[] = { LAB_MODE_SEQUENTIAL, LAB_MODE_THREADS, LAB_MODE_PROCESSES };
  guint cpus = lab_machine_n_cpus ();
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GArray) sizes = NULL;
  g_autofree char *size_text = NULL, *explanation = NULL, *even = NULL;
  double walls[G_N_ELEMENTS (modes)], smallest;
  LabVerdict verdict;

  points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_GRANULARITY, 0, 1, error);
  if (points == NULL)
    return FALSE;
  sizes = lab_overhead_points_parameters (points, "wall");
  if (sizes->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The granularity experiment measured no task sizes"));
      return FALSE;
    }
  smallest = g_array_index (sizes, double, 0);
  size_text = lab_format_count ((guint64) smallest);
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *name = g_strdup_printf ("%s_smallest_s", lab_mode_to_string (modes[m]));
      /* TRANSLATORS: %s is a mode ("Threads"), then a count of numbers per task */
      g_autofree char *label = g_strdup_printf (ngettext ("%s, %s number per task", "%s, %s numbers per task",
                                                          (gulong) smallest),
                                                lab_mode_title (modes[m]), size_text);
      double spread;

      walls[m] = granularity_wall (points, modes[m], smallest, &spread);
      lab_claim_result_add (result, name, label, walls[m], spread, "s", "native");
    }
  for (guint m = 1; m < G_N_ELEMENTS (modes); m++)
    {
      double size = lab_overhead_points_median (points, lab_mode_to_string (modes[m]), "break_even", cpus);
      g_autofree char *name = g_strdup_printf ("%s_break_even", lab_mode_to_string (modes[m]));
      /* TRANSLATORS: %s is a mode ("Threads") */
      g_autofree char *label = g_strdup_printf (_("%s: smallest task size that pays"), lab_mode_title (modes[m]));

      lab_claim_result_add (result, name, label, size, NAN, "numbers", "native");
    }

  verdict = lab_claim_rule_c14 (walls[0], walls[1], walls[2]);
  even = format_times (walls, G_N_ELEMENTS (walls));
  if (verdict == LAB_VERDICT_HOLDS)
    explanation = g_strdup_printf (/* TRANSLATORS: the first %s is a count, the second three times */
                                   ngettext ("With %s number per task, sequential / threads / processes took %s: handing "
                                             "out tiny tasks cost at least one pool more than it gained, so sequential "
                                             "was at least as fast as that pool.",
                                             "With %s numbers per task, sequential / threads / processes took %s: handing "
                                             "out tiny tasks cost at least one pool more than it gained, so sequential "
                                             "was at least as fast as that pool.", (gulong) smallest),
                                   size_text, even);
  else
    explanation = g_strdup_printf (/* TRANSLATORS: the first %s is a count, the second three times */
                                   ngettext ("Even with %s number per task, sequential / threads / processes took %s: "
                                             "both pools beat the sequential loop.",
                                             "Even with %s numbers per task, sequential / threads / processes took %s: "
                                             "both pools beat the sequential loop.", (gulong) smallest),
                                   size_text, even);
  lab_claim_result_conclude (result, verdict, explanation, NULL);
  return TRUE;
}

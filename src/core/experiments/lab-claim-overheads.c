/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-overhead-private.h"

/*
 * The claims the overheads experiments answer: start-up (C08), memory
 * (C09, C13), communication (C10), crash isolation (C11), races (C12)
 * and affinity (C18). Each check runs the experiment through LabOverhead
 * and reads its points; the experiments' own readings stay theirs.
 */

/* The value of the first point's parameter with @metric: the count, the
 * threads or the workers the experiment chose on this machine. */
static double
first_parameter (GPtrArray  *points,
                 const char *metric)
{
  g_autoptr(GArray) parameters = lab_overhead_points_parameters (points, metric);

  return parameters->len > 0 ? g_array_index (parameters, double, 0) : NAN;
}

/* The parameter of @variant's first point with @metric: the count the
 * experiment measured it at. */
static double
variant_parameter (GPtrArray  *points,
                   const char *variant,
                   const char *metric)
{
  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_strcmp0 (point->variant, variant) == 0 && g_strcmp0 (point->metric, metric) == 0)
        return point->parameter_value;
    }
  return NAN;
}

static double
last_parameter (GPtrArray  *points,
                const char *metric)
{
  g_autoptr(GArray) parameters = lab_overhead_points_parameters (points, metric);

  return parameters->len > 0 ? g_array_index (parameters, double, parameters->len - 1) : NAN;
}

/* Adds the median of a point over its repeats, with their spread. */
static double
add_point_value (LabClaimResult *result,
                 GPtrArray      *points,
                 const char     *variant,
                 const char     *metric,
                 double          parameter,
                 const char     *name,
                 const char     *label,
                 const char     *unit,
                 const char     *runtime)
{
  double value = lab_overhead_points_median (points, variant, metric, parameter);

  lab_claim_result_add (result, name, label, value, lab_overhead_points_spread (points, variant, metric, parameter),
                        unit, runtime);
  return value;
}

gboolean
lab_claim_check_c08 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  g_autoptr(GPtrArray) points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_STARTUP, 0, 1, error);
  g_autofree char *thread_text = NULL, *process_text = NULL, *ratio_text = NULL, *explanation = NULL, *trust = NULL;
  double count = 10, thread, process, ratio, spread;
  LabVerdict verdict;

  if (points == NULL)
    return FALSE;
  thread = add_point_value (result, points, "threads", "per_start", count, "thread_start_us",
                            _("One thread start, 10 at once"), "us", "native");
  process = add_point_value (result, points, "processes", "per_start", count, "process_start_us",
                             _("One worker process start, 10 at once"), "us", "native");
  ratio = process / thread;
  spread = lab_claim_spread_ratio (lab_overhead_points_spread (points, "threads", "per_start", count),
                                   lab_overhead_points_spread (points, "processes", "per_start", count));
  lab_claim_result_add (result, "ratio", _("Process start ÷ thread start"), ratio, spread, "x", "native");

  verdict = lab_claim_rule_c08 (ratio, spread);
  thread_text = lab_overhead_format_value (thread, "us");
  process_text = lab_overhead_format_value (process, "us");
  ratio_text = lab_claim_format_ratio (ratio);
  explanation = g_strdup_printf (/* TRANSLATORS: %s are durations and a ratio ("39×") */
                                 _("Starting 10 at once, a thread cost %s and a worker process %s, %s as much."),
                                 thread_text, process_text, ratio_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, 0, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

/* The memory experiment's metric for what a unit keeps to itself: USS
 * where smaps_rollup exists, RSS where it does not. */
static const char *
own_memory_metric (GPtrArray *points)
{
  return isfinite (lab_overhead_points_median (points, "processes", "uss", first_parameter (points, "rss")))
    ? "uss" : "rss";
}

gboolean
lab_claim_check_c09 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  g_autoptr(GPtrArray) points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_MEMORY, 0, 1, error);
  g_autofree char *thread_text = NULL, *process_text = NULL, *ratio_text = NULL, *explanation = NULL;
  const char *metric;
  double count, thread, process, python, ratio;
  LabVerdict verdict;

  if (points == NULL)
    return FALSE;
  metric = own_memory_metric (points);
  count = first_parameter (points, "rss");
  thread = add_point_value (result, points, "threads", metric, count, "thread_kib",
                            _("Memory a parked thread adds"), "KiB", "native");
  process = add_point_value (result, points, "processes", metric, count, "process_kib",
                             _("Memory of a worker process of its own"), "KiB", "native");
  python = lab_overhead_points_median (points, "cpython", metric, variant_parameter (points, "cpython", metric));
  if (isfinite (python))
    {
      const LabInterpreter *interpreter = lab_claim_find_python (NULL);
      g_autofree char *label = interpreter != NULL ? lab_interpreter_dup_label (interpreter) : g_strdup ("cpython");

      add_point_value (result, points, "cpython", metric, variant_parameter (points, "cpython", metric), "cpython_kib",
                       _("Memory of a CPython worker of its own"), "KiB", label);
    }
  ratio = process / MAX (thread, 1);
  lab_claim_result_add (result, "ratio", _("Worker process ÷ thread"), ratio, NAN, "x", "native");

  verdict = lab_claim_rule_c09 (ratio);
  thread_text = lab_overhead_format_value (thread, "KiB");
  process_text = lab_overhead_format_value (process, "KiB");
  ratio_text = lab_claim_format_ratio (ratio);
  explanation = g_strdup_printf (/* TRANSLATORS: %s are amounts of memory ("620 KiB") and a ratio; %s is "USS" or "RSS" */
                                 _("A parked thread added %s to this process; a ready worker process took %s of its own "
                                   "(%s), %s as much."),
                                 thread_text, process_text, g_strcmp0 (metric, "uss") == 0 ? "USS" : "RSS", ratio_text);
  if (isfinite (python))
    {
      g_autofree char *python_text = lab_overhead_format_value (python, "KiB");
      /* TRANSLATORS: the first %s is the reading so far, the second an amount of memory */
      g_autofree char *more = g_strdup_printf (_("%s A CPython worker took %s."), explanation, python_text);

      g_free (explanation);
      explanation = g_steal_pointer (&more);
    }
  lab_claim_result_conclude (result, verdict, explanation, NULL);
  return TRUE;
}

gboolean
lab_claim_check_c13 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  g_autoptr(GPtrArray) points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_MEMORY, 0, 1, error);
  g_autoptr(GArray) counts = NULL;
  g_autofree char *explanation = NULL, *ratio_text = NULL, *threads_text = NULL, *processes_text = NULL;
  const char *metric;
  double largest = NAN, threads_mib = NAN, processes_mib = NAN, ratio;
  LabVerdict verdict;

  if (points == NULL)
    return FALSE;
  /* Proportional set size: shared libraries counted once over all the
   * processes, not once per process as RSS would. */
  metric = g_strcmp0 (own_memory_metric (points), "uss") == 0 ? "pss" : "rss";
  counts = lab_overhead_points_parameters (points, metric);
  for (guint i = 0; i < counts->len; i++)
    {
      double n = g_array_index (counts, double, i);
      double threads = lab_overhead_points_median (points, "threads", metric, n) * n / 1024;
      double processes = lab_overhead_points_median (points, "processes", metric, n) * n / 1024;
      g_autofree char *threads_name = g_strdup_printf ("threads_%g_mib", n);
      g_autofree char *processes_name = g_strdup_printf ("processes_%g_mib", n);
      /* TRANSLATORS: %g is a number of threads */
      g_autofree char *threads_label = g_strdup_printf (_("%g parked threads, in all"), n);
      /* TRANSLATORS: %g is a number of worker processes */
      g_autofree char *processes_label = g_strdup_printf (_("%g worker processes, in all"), n);

      if (!isfinite (threads) || !isfinite (processes))
        continue;
      lab_claim_result_add (result, threads_name, threads_label, threads,
                            lab_overhead_points_spread (points, "threads", metric, n), "MiB", "native");
      lab_claim_result_add (result, processes_name, processes_label, processes,
                            lab_overhead_points_spread (points, "processes", metric, n), "MiB", "native");
      largest = n;
      threads_mib = threads;
      processes_mib = processes;
    }
  ratio = processes_mib / MAX (threads_mib, 1.0 / 1024);
  lab_claim_result_add (result, "ratio", _("Processes ÷ threads, largest count"), ratio, NAN, "x", "native");

  verdict = lab_claim_rule_c13 (ratio, processes_mib);
  ratio_text = lab_claim_format_ratio (ratio);
  threads_text = lab_claim_value_format (&(LabClaimValue) { .value = threads_mib, .spread = NAN, .unit = "MiB" });
  processes_text = lab_claim_value_format (&(LabClaimValue) { .value = processes_mib, .spread = NAN, .unit = "MiB" });
  explanation = g_strdup_printf (/* TRANSLATORS: %g is a count, %s amounts of memory and a ratio; %s "PSS" or "RSS" */
                                 _("%g ready worker processes took %s (%s) in all, %g parked threads %s: %s as much."),
                                 largest, processes_text, g_strcmp0 (metric, "pss") == 0 ? "PSS" : "RSS", largest,
                                 threads_text, ratio_text);
  lab_claim_result_conclude (result, verdict, explanation, NULL);
  return TRUE;
}

gboolean
lab_claim_check_c10 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  g_autoptr(GPtrArray) points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_COMMUNICATION, 0, 1, error);
  g_autofree char *explanation = NULL, *pipe_latency_text = NULL, *thread_latency_text = NULL;
  g_autofree char *pipe_rate_text = NULL, *thread_rate_text = NULL, *shm_rate_text = NULL, *size_text = NULL;
  g_autofree char *trust = NULL;
  double small, large, thread_latency, pipe_latency, thread_rate, pipe_rate, shm_rate, spread;
  LabVerdict verdict;

  if (points == NULL)
    return FALSE;
  small = first_parameter (points, "latency");
  large = last_parameter (points, "throughput");
  /* Threads at their best: a buffer under a mutex, or an async queue. */
  thread_latency = MIN (lab_overhead_points_median (points, "threads-mutex", "latency", small),
                        lab_overhead_points_median (points, "threads-queue", "latency", small));
  thread_rate = MAX (lab_overhead_points_median (points, "threads-mutex", "throughput", large),
                     lab_overhead_points_median (points, "threads-queue", "throughput", large));
  pipe_latency = lab_overhead_points_median (points, "pipe", "latency", small);
  pipe_rate = lab_overhead_points_median (points, "pipe", "throughput", large);
  shm_rate = lab_overhead_points_median (points, "shm", "throughput", large);

  lab_claim_result_add (result, "threads_latency_us", _("Round trip of 64 bytes between threads"), thread_latency, NAN,
                        "us", "native");
  lab_claim_result_add (result, "pipe_latency_us", _("Round trip of 64 bytes through a pipe"), pipe_latency,
                        lab_overhead_points_spread (points, "pipe", "latency", small), "us", "native");
  lab_claim_result_add (result, "threads_throughput", _("Throughput between threads, largest message"), thread_rate, NAN,
                        "GB/s", "native");
  lab_claim_result_add (result, "pipe_throughput", _("Throughput through a pipe, largest message"), pipe_rate,
                        lab_overhead_points_spread (points, "pipe", "throughput", large), "GB/s", "native");
  lab_claim_result_add (result, "shm_throughput", _("Throughput through shared memory between processes"), shm_rate,
                        lab_overhead_points_spread (points, "shm", "throughput", large), "GB/s", "native");

  /* Threads at their best carry no spread of their own: the pipe's decides. */
  spread = lab_claim_spread_max (lab_overhead_points_spread (points, "pipe", "latency", small),
                                 lab_overhead_points_spread (points, "pipe", "throughput", large));
  verdict = lab_claim_rule_c10 (pipe_latency / thread_latency, thread_rate / pipe_rate, spread);
  pipe_latency_text = lab_overhead_format_value (pipe_latency, "us");
  thread_latency_text = lab_overhead_format_value (thread_latency, "us");
  pipe_rate_text = lab_overhead_format_value (pipe_rate, "GB/s");
  thread_rate_text = lab_overhead_format_value (thread_rate, "GB/s");
  shm_rate_text = lab_overhead_format_value (shm_rate, "GB/s");
  size_text = lab_format_bytes ((guint64) large);
  explanation = g_strdup_printf (/* TRANSLATORS: %s are durations, rates ("2.9 GB/s") and a message size */
                                 _("A round trip of 64 bytes took %s through a worker's pipe and %s between threads; "
                                   "messages of %s moved at %s through the pipe, %s between threads and %s through "
                                   "memory shared with a worker process."),
                                 pipe_latency_text, thread_latency_text, size_text, pipe_rate_text, thread_rate_text,
                                 shm_rate_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, 0, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

gboolean
lab_claim_check_c11 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  g_autoptr(GPtrArray) points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_CRASH, 0, 1, error);
  g_autofree char *explanation = NULL;
  double tasks, pool_lost, threads_lost;
  LabVerdict verdict;

  if (points == NULL)
    return FALSE;
  tasks = first_parameter (points, "lost");
  pool_lost = add_point_value (result, points, "processes", "lost", tasks, "processes_lost",
                               _("Tasks lost in the process pool"), "tasks", "native");
  threads_lost = add_point_value (result, points, "threads", "lost", tasks, "threads_lost",
                                  _("Tasks lost with threads in one process"), "tasks", "native");
  lab_claim_result_add (result, "tasks", _("Tasks, one of which crashes"), tasks, NAN, "tasks", NULL);

  verdict = lab_claim_rule_c11 (isfinite (tasks) ? (guint) tasks : 0, pool_lost, threads_lost);
  explanation = g_strdup_printf (/* TRANSLATORS: %g are numbers of tasks */
                                 _("Of %g tasks, one of which died of SIGSEGV, the process pool lost %g and threads in one "
                                   "process lost %g."),
                                 tasks, pool_lost, threads_lost);
  lab_claim_result_conclude (result, verdict, explanation, NULL);
  return TRUE;
}

/* The most updates @variant lost in any repeat. */
static double
most_lost (GPtrArray  *points,
           const char *variant,
           double      threads)
{
  double min, max;

  return lab_overhead_points_range (points, variant, "lost", threads, &min, &max) ? max : NAN;
}

gboolean
lab_claim_check_c12 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  g_autoptr(GPtrArray) points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_RACE, 0, 1, error);
  g_autofree char *explanation = NULL, *lost_text = NULL, *expected_text = NULL;
  double threads, mutex, atomic, expected;
  LabVerdict verdict;

  if (points == NULL)
    return FALSE;
  threads = first_parameter (points, "lost");
  expected = lab_overhead_points_median (points, "none", "expected", threads);
  add_point_value (result, points, "none", "lost", threads, "lost_unlocked",
                   _("Updates lost without a lock (median)"), "updates", "native");
  lab_claim_result_add (result, "expected_unlocked", _("Updates made without a lock"), expected, NAN, "updates", "native");
  add_point_value (result, points, "mutex", "lost", threads, "lost_mutex", _("Updates lost with a mutex"), "updates",
                   "native");
  add_point_value (result, points, "atomic", "lost", threads, "lost_atomic", _("Updates lost with an atomic add"),
                   "updates", "native");
  add_point_value (result, points, "none", "per_increment", threads, "unlocked_ns", _("One increment without a lock"),
                   "ns", "native");
  add_point_value (result, points, "mutex", "per_increment", threads, "mutex_ns", _("One increment with a mutex"), "ns",
                   "native");
  add_point_value (result, points, "atomic", "per_increment", threads, "atomic_ns", _("One increment, atomic"), "ns",
                   "native");
  mutex = most_lost (points, "mutex", threads);
  atomic = most_lost (points, "atomic", threads);

  verdict = lab_claim_rule_c12 (lab_machine_n_cpus (), most_lost (points, "none", threads), mutex, atomic);
  lost_text = lab_format_count ((guint64) MAX (most_lost (points, "none", threads), 0));
  expected_text = lab_format_count ((guint64) MAX (expected, 0));
  if (verdict == LAB_VERDICT_INCONCLUSIVE && (mutex > 0 || atomic > 0))
    explanation = g_strdup (_("Updates were lost even with a mutex or an atomic add: the measurement itself is broken."));
  else
    explanation = g_strdup_printf (/* TRANSLATORS: %g is a number of threads, %s counts of updates */
                                   _("%g threads incrementing one counter without a lock lost up to %s of %s updates in a "
                                     "repeat; with a mutex or an atomic add none was lost."),
                                   threads, lost_text, expected_text);
  lab_claim_result_conclude (result, verdict, explanation, NULL);
  return TRUE;
}

gboolean
lab_claim_check_c18 (LabClaimContext  *ctx,
                     LabClaimResult   *result,
                     GError          **error)
{
  guint cpus = lab_machine_n_cpus ();
  g_autoptr(GPtrArray) points = NULL;
  g_autofree char *explanation = NULL, *trust = NULL, *time_text = NULL, *switches_text = NULL;
  double workers, pinned, unpinned, pinned_switches, unpinned_switches, time_ratio, switches_ratio, spread;
  LabVerdict verdict;

  if (cpus < 2)
    {
      lab_claim_result_conclude (result, LAB_VERDICT_CANNOT_CHECK,
                                 _("This machine has one CPU, so there is no other core to pin a worker away from: "
                                   "the claim cannot be checked here."), NULL);
      return TRUE;
    }
  points = lab_claim_measure_overhead (ctx, LAB_OVERHEAD_AFFINITY, 0, 1, error);
  if (points == NULL)
    return FALSE;
  workers = first_parameter (points, "time");
  pinned = add_point_value (result, points, "pinned", "time", workers, "pinned_s", _("Pinned workers"), "s", "native");
  unpinned = add_point_value (result, points, "unpinned", "time", workers, "unpinned_s", _("Unpinned workers"), "s",
                              "native");
  pinned_switches = lab_overhead_points_median (points, "pinned", "voluntary_switches", workers) +
                    lab_overhead_points_median (points, "pinned", "involuntary_switches", workers);
  unpinned_switches = lab_overhead_points_median (points, "unpinned", "voluntary_switches", workers) +
                      lab_overhead_points_median (points, "unpinned", "involuntary_switches", workers);
  lab_claim_result_add (result, "pinned_switches", _("Context switches, pinned"), pinned_switches, NAN, "switches",
                        "native");
  lab_claim_result_add (result, "unpinned_switches", _("Context switches, unpinned"), unpinned_switches, NAN, "switches",
                        "native");
  time_ratio = pinned / unpinned;
  switches_ratio = pinned_switches / MAX (unpinned_switches, 1);
  spread = lab_claim_spread_max (lab_overhead_points_spread (points, "pinned", "time", workers),
                                 lab_overhead_points_spread (points, "unpinned", "time", workers));
  lab_claim_result_add (result, "time_ratio", _("Pinned time ÷ unpinned time"), time_ratio, spread, "x", "native");

  verdict = lab_claim_rule_c18 (cpus, time_ratio, switches_ratio, spread);
  time_text = lab_claim_format_ratio (time_ratio);
  switches_text = lab_claim_format_ratio (switches_ratio);
  explanation = g_strdup_printf (/* TRANSLATORS: %g is a number of workers, %s ratios ("0.98×") */
                                 _("%g worker processes pinned to a core each took %s the time of unpinned ones and "
                                   "switched context %s as often."),
                                 workers, time_text, switches_text);
  if (verdict == LAB_VERDICT_INCONCLUSIVE)
    trust = lab_claim_trust_sentence (spread, 0, NAN);
  lab_claim_result_conclude (result, verdict, explanation, trust);
  return TRUE;
}

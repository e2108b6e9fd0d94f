/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-claim-private.h"

/*
 * The verdict rules, one per claim, as pure functions of the figures so
 * that the tests can hold them to fixed numbers. Each threshold here is
 * written in the claim's rule text (lab-claim-info.c): change both.
 */

#define GIL_MAX_SPEEDUP          1.2   /* C01: "at most 1.2×" */
#define NATIVE_MIN_EFFICIENCY    0.8   /* C01: "at least 0.8 × cores ×" */
#define OVERLAP_MIN_SPEEDUP      2.0   /* C02 */
#define OVERLAP_NO_SPEEDUP       1.5
#define OVERLAP_MAX_OF_IDEAL     1.25
#define SCRAPE_SEQUENTIAL_S      (15 * 60)  /* C03 */
#define SCRAPE_THREADS_S         (3 * 60)
#define FILES_SAVING             0.30  /* C04 */
#define FILES_NO_SAVING          0.10
#define POOL_MAP_EFFICIENCY      0.875 /* C05: 3.5× on 4 cores */
#define LINEAR_EFFICIENCY        0.8   /* C06 */
#define SUBLINEAR_EFFICIENCY     0.6
#define IO_PROCESSES_SLOWER      1.25  /* C07 */
#define IO_PROCESSES_AS_FAST     1.1
#define IO_PROCESSES_MEMORY      1.5
#define START_SLOWER             5.0   /* C08 */
#define START_AS_FAST            2.0
#define START_CLEAR              10.0
#define MEMORY_MORE              2.0   /* C09 */
#define IPC_WORSE                1.5   /* C10 */
#define HUNDREDS_RATIO           10.0  /* C13 */
#define HUNDREDS_MIB             100.0
#define HUNDREDS_NO_RATIO        3.0
#define HYBRID_BEST              1.05  /* C15 */
#define HYBRID_BEATEN            1.10
#define ASYNC_AS_FAST            1.1   /* C16 */
#define ASYNC_LESS               0.9
#define ASYNC_SLOWER             1.25
#define STALL_RESPONSIVE_MS      50.0  /* C17 */
#define STALL_BLOCKED_MS         200.0
#define STALL_BACKGROUND         0.10
#define PINNED_FASTER            0.95  /* C18 */
#define PINNED_FEWER_SWITCHES    0.8

LabVerdict
lab_claim_rule_trust (double spread,
                      guint  failed)
{
  if (failed > 0 || spread > LAB_CLAIM_SPREAD_LIMIT)
    return LAB_VERDICT_INCONCLUSIVE;
  return LAB_VERDICT_NOT_RUN;
}

/* Whether every one of @n figures was measured. */
static gboolean
all_finite (guint n,
            ...)
{
  gboolean finite = TRUE;
  va_list args;

  va_start (args, n);
  for (guint i = 0; i < n; i++)
    finite &= isfinite (va_arg (args, double));
  va_end (args);
  return finite;
}

LabVerdict
lab_claim_rule_c01 (guint  cpus,
                    double gil_speedup,
                    double native_speedup,
                    double spread,
                    guint  failed)
{
  if (cpus < 2)
    return LAB_VERDICT_CANNOT_CHECK;
  if (!all_finite (2, gil_speedup, native_speedup) || lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  /* Native threads that do not scale either say the machine was busy,
   * not that the GIL held them back. */
  if (native_speedup < NATIVE_MIN_EFFICIENCY * cpus)
    return LAB_VERDICT_INCONCLUSIVE;
  return gil_speedup <= GIL_MAX_SPEEDUP ? LAB_VERDICT_HOLDS : LAB_VERDICT_DOES_NOT_HOLD;
}

LabVerdict
lab_claim_rule_c02 (double speedup,
                    double time_s,
                    double ideal_s,
                    double spread,
                    guint  failed)
{
  if (!all_finite (3, speedup, time_s, ideal_s) || lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  if (speedup >= OVERLAP_MIN_SPEEDUP && time_s <= OVERLAP_MAX_OF_IDEAL * ideal_s)
    return LAB_VERDICT_HOLDS;
  if (speedup < OVERLAP_NO_SPEEDUP)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c03 (gboolean reached_5x,
                    double   seq_10k_s,
                    double   threads_10k_s,
                    double   spread,
                    guint    failed)
{
  if (lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  if (!reached_5x)
    return LAB_VERDICT_DOES_NOT_HOLD;
  if (!all_finite (2, seq_10k_s, threads_10k_s))
    return LAB_VERDICT_INCONCLUSIVE;
  if (seq_10k_s > SCRAPE_SEQUENTIAL_S && threads_10k_s < SCRAPE_THREADS_S)
    return LAB_VERDICT_HOLDS;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c04 (const double *savings,
                    guint         n_savings,
                    double        spread,
                    guint         failed)
{
  guint saved = 0, unsaved = 0;

  if (n_savings == 0 || lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  for (guint i = 0; i < n_savings; i++)
    {
      if (!isfinite (savings[i]))
        return LAB_VERDICT_INCONCLUSIVE;
      saved += savings[i] >= FILES_SAVING;
      unsaved += savings[i] < FILES_NO_SAVING;
    }
  if (saved == n_savings)
    return LAB_VERDICT_HOLDS;
  if (unsaved == n_savings)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c05 (guint  cpus,
                    double fine_speedup)
{
  if (cpus < 2)
    return LAB_VERDICT_CANNOT_CHECK;
  if (!isfinite (fine_speedup))
    return LAB_VERDICT_INCONCLUSIVE;
  if (fine_speedup >= POOL_MAP_EFFICIENCY * cpus)
    return LAB_VERDICT_HOLDS;
  if (fine_speedup < 1)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c06 (guint         cpus,
                    const double *efficiency,
                    guint         n_efficiency,
                    double        spread,
                    guint         failed,
                    double        background_cpu)
{
  gboolean linear = TRUE;

  if (cpus < 2)
    return LAB_VERDICT_CANNOT_CHECK;
  /* efficiency[w − 1] for W = 1 … cpus; cores another program used are
   * not free to scale on. */
  if (n_efficiency < cpus || lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN ||
      background_cpu > LAB_CONTENTION_THRESHOLD)
    return LAB_VERDICT_INCONCLUSIVE;
  for (guint w = 0; w < cpus; w++)
    {
      if (!isfinite (efficiency[w]))
        return LAB_VERDICT_INCONCLUSIVE;
      linear &= efficiency[w] >= LINEAR_EFFICIENCY;
    }
  if (linear)
    return LAB_VERDICT_HOLDS;
  if (efficiency[cpus - 1] < SUBLINEAR_EFFICIENCY)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c07 (double time_ratio,
                    double memory_ratio,
                    double spread,
                    guint  failed)
{
  if (!all_finite (2, time_ratio, memory_ratio) || lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  if (time_ratio >= IO_PROCESSES_SLOWER)
    return LAB_VERDICT_HOLDS;
  if (time_ratio <= IO_PROCESSES_AS_FAST && memory_ratio <= IO_PROCESSES_MEMORY)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c08 (double ratio,
                    double spread)
{
  if (!isfinite (ratio))
    return LAB_VERDICT_INCONCLUSIVE;
  /* Rough repeats matter only near the thresholds. */
  if (spread > LAB_CLAIM_SPREAD_LIMIT && ratio < START_CLEAR)
    return LAB_VERDICT_INCONCLUSIVE;
  if (ratio >= START_SLOWER)
    return LAB_VERDICT_HOLDS;
  if (ratio < START_AS_FAST)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c09 (double ratio)
{
  if (!isfinite (ratio))
    return LAB_VERDICT_INCONCLUSIVE;
  if (ratio >= MEMORY_MORE)
    return LAB_VERDICT_HOLDS;
  if (ratio <= 1)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c10 (double latency_ratio,
                    double throughput_ratio,
                    double spread)
{
  gboolean slower, narrower;

  if (!all_finite (2, latency_ratio, throughput_ratio) || spread > LAB_CLAIM_SPREAD_LIMIT)
    return LAB_VERDICT_INCONCLUSIVE;
  slower = latency_ratio >= IPC_WORSE;
  narrower = throughput_ratio >= IPC_WORSE;
  if (slower && narrower)
    return LAB_VERDICT_HOLDS;
  if (!slower && !narrower)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c11 (guint  tasks,
                    double pool_lost,
                    double threads_lost)
{
  if (!all_finite (2, pool_lost, threads_lost) || tasks == 0)
    return LAB_VERDICT_INCONCLUSIVE;
  /* Nothing lost in the pool: the crash did not happen. */
  if (pool_lost < 1)
    return LAB_VERDICT_INCONCLUSIVE;
  if (pool_lost == 1 && threads_lost == tasks)
    return LAB_VERDICT_HOLDS;
  if (pool_lost > 1 || threads_lost <= 1)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c12 (guint  cpus,
                    double lost_unlocked,
                    double lost_mutex,
                    double lost_atomic)
{
  if (!all_finite (3, lost_unlocked, lost_mutex, lost_atomic))
    return LAB_VERDICT_INCONCLUSIVE;
  /* A lock that loses updates means the measurement is broken. */
  if (lost_mutex > 0 || lost_atomic > 0)
    return LAB_VERDICT_INCONCLUSIVE;
  if (lost_unlocked > 0)
    return LAB_VERDICT_HOLDS;
  /* On one core threads interleave only when preempted: rarely. */
  if (cpus < 2)
    return LAB_VERDICT_INCONCLUSIVE;
  return LAB_VERDICT_DOES_NOT_HOLD;
}

LabVerdict
lab_claim_rule_c13 (double ratio,
                    double processes_mib)
{
  if (!all_finite (2, ratio, processes_mib))
    return LAB_VERDICT_INCONCLUSIVE;
  if (ratio >= HUNDREDS_RATIO && processes_mib >= HUNDREDS_MIB)
    return LAB_VERDICT_HOLDS;
  if (ratio < HUNDREDS_NO_RATIO)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c14 (double sequential_s,
                    double threads_s,
                    double processes_s)
{
  if (!all_finite (3, sequential_s, threads_s, processes_s))
    return LAB_VERDICT_INCONCLUSIVE;
  if (sequential_s <= threads_s || sequential_s <= processes_s)
    return LAB_VERDICT_HOLDS;
  return LAB_VERDICT_DOES_NOT_HOLD;
}

LabVerdict
lab_claim_rule_c15 (double hybrid_s,
                    double best_other_s,
                    double spread,
                    guint  failed)
{
  if (!all_finite (2, hybrid_s, best_other_s) || lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  if (hybrid_s <= HYBRID_BEST * best_other_s)
    return LAB_VERDICT_HOLDS;
  if (hybrid_s > HYBRID_BEATEN * best_other_s)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c16 (double time_ratio,
                    double cpu_ratio,
                    double memory_ratio,
                    double spread,
                    guint  failed)
{
  if (!all_finite (3, time_ratio, cpu_ratio, memory_ratio) ||
      lab_claim_rule_trust (spread, failed) != LAB_VERDICT_NOT_RUN)
    return LAB_VERDICT_INCONCLUSIVE;
  if (time_ratio > ASYNC_SLOWER || (cpu_ratio > 1 && memory_ratio > 1))
    return LAB_VERDICT_DOES_NOT_HOLD;
  if (time_ratio <= ASYNC_AS_FAST && (cpu_ratio <= ASYNC_LESS || memory_ratio <= ASYNC_LESS))
    return LAB_VERDICT_HOLDS;
  return LAB_VERDICT_DEPENDS;
}

LabVerdict
lab_claim_rule_c17 (double threads_stall_ms,
                    double blocking_stall_ms,
                    double background_cpu)
{
  if (!all_finite (2, threads_stall_ms, blocking_stall_ms))
    return LAB_VERDICT_INCONCLUSIVE;
  /* A meter that did not see the main loop blocked cannot tell either. */
  if (blocking_stall_ms < STALL_BLOCKED_MS)
    return LAB_VERDICT_INCONCLUSIVE;
  if (threads_stall_ms < STALL_RESPONSIVE_MS)
    return LAB_VERDICT_HOLDS;
  /* Other programs may have taken the CPU from the main loop. */
  if (background_cpu > STALL_BACKGROUND)
    return LAB_VERDICT_INCONCLUSIVE;
  return LAB_VERDICT_DOES_NOT_HOLD;
}

LabVerdict
lab_claim_rule_c18 (guint  cpus,
                    double time_ratio,
                    double switches_ratio,
                    double spread)
{
  gboolean faster, fewer;

  if (cpus < 2)
    return LAB_VERDICT_CANNOT_CHECK;
  if (!all_finite (2, time_ratio, switches_ratio) || spread > LAB_CLAIM_SPREAD_LIMIT)
    return LAB_VERDICT_INCONCLUSIVE;
  faster = time_ratio <= PINNED_FASTER;
  fewer = switches_ratio <= PINNED_FEWER_SWITCHES;
  if (faster && fewer)
    return LAB_VERDICT_HOLDS;
  if (!faster && !fewer)
    return LAB_VERDICT_DOES_NOT_HOLD;
  return LAB_VERDICT_DEPENDS;
}

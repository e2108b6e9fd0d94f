/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-claim.h"
#include "lab-overhead.h"
#include "lab-run.h"

G_BEGIN_DECLS

/*
 * What the claims' own files provide (lab-claim-<group>.c): a check per
 * claim, measuring on the claim's own thread, and the context it reports
 * through; the rules, pure functions of fixed numbers
 * (lab-claim-rules.c); and the measuring helpers (lab-claim-measure.c).
 */
typedef struct _LabClaimContext LabClaimContext;

/* Measures, blocking, on the claim's thread, and fills @result (values,
 * runtime, extrapolation, verdict, reading). Returns FALSE with @error
 * when the measurement failed or was cancelled (G_IO_ERROR_CANCELLED,
 * within about 200 ms); the values measured so far stay in @result. */
typedef gboolean (*LabClaimCheck) (LabClaimContext  *ctx,
                                   LabClaimResult   *result,
                                   GError          **error);

/* The check of claim @id (as in LabClaimInfo). */
LabClaimCheck lab_claim_check_lookup (const char *id);

gboolean lab_claim_check_c01 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c02 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c03 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c04 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c05 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c06 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c07 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c08 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c09 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c10 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c11 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c12 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c13 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c14 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c15 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c16 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c17 (LabClaimContext *ctx, LabClaimResult *result, GError **error);
gboolean lab_claim_check_c18 (LabClaimContext *ctx, LabClaimResult *result, GError **error);

/* The context (lab-claim.c) */

gboolean      lab_claim_context_get_quick        (LabClaimContext  *ctx);
GCancellable *lab_claim_context_get_cancellable  (LabClaimContext  *ctx);
/* 0–1 of the whole check, for the progress bar; thread-safe,
 * rate-limited. */
void          lab_claim_context_set_progress     (LabClaimContext  *ctx,
                                                  double            fraction);
/* The main context that called lab_claim_run_async(): the window's or
 * the CLI's main loop (C17 measures its stalls). */
GMainContext *lab_claim_context_get_main_context (LabClaimContext  *ctx);
/* The worker executable: the claim's own or the default. */
const char   *lab_claim_context_get_worker_path  (LabClaimContext  *ctx);
/* The embedded server's base URL: the claim's, or one started on first
 * use for this check (stopped when it ends). */
const char   *lab_claim_context_get_server_url   (LabClaimContext  *ctx,
                                                  GError          **error);

/* Measuring (lab-claim-measure.c) */

/* Repeats whose (max − min) ÷ median exceeds this make a figure rough:
 * a verdict resting on it is inconclusive. */
#define LAB_CLAIM_SPREAD_LIMIT 0.30

/**
 * LabClaimRunSpec:
 *
 * One engine run of a check. A size of 0 keeps the workload's default;
 * @delay_ms and @bytes shape the embedded server's answers for
 * io:download.
 */
typedef struct
{
  const char    *workload;
  guint64        size;
  guint          tasks;
  LabRuntime     runtime;
  const LabMode *modes;
  guint          n_modes;
  const guint   *workers;
  guint          n_workers;
  guint          repeat;
  guint          warmup;
  guint          nice;
  guint          delay_ms;
  guint64        bytes;
} LabClaimRunSpec;

/* Builds the run through LabRunBuilder and executes it on this thread
 * with a main context of its own; progress maps onto @from–@to of the
 * check. A run whose tasks failed is returned: the rules judge that. */
LabRun   *lab_claim_measure_run      (LabClaimContext        *ctx,
                                      const LabClaimRunSpec  *spec,
                                      double                  from,
                                      double                  to,
                                      GError                **error);
/* Runs the overheads experiment @kind through LabOverhead on this thread;
 * returns its points (LabOverheadPoint *). */
GPtrArray *lab_claim_measure_overhead (LabClaimContext  *ctx,
                                       LabOverheadKind   kind,
                                       double            from,
                                       double            to,
                                       GError          **error);
/* CPython when a python3 is found, else NULL and why in @reason. */
const LabInterpreter *lab_claim_find_python (char **reason);

/* (max − min) ÷ median of a cell's wall times; NAN with one repetition. */
double    lab_claim_cell_spread      (LabCell                *cell);
/* The run's label of @runtime: "native", "cpython-3.11.2"; mode gil adds
 * " (emulated GIL)". */
char     *lab_claim_runtime_label    (LabRun                 *run,
                                      LabRuntime              runtime,
                                      LabMode                 mode);

/* Adds a value to @result and returns it. */
LabClaimValue *lab_claim_result_add  (LabClaimResult         *result,
                                      const char             *name,
                                      const char             *label,
                                      double                  value,
                                      double                  spread,
                                      const char             *unit,
                                      const char             *runtime);
/* The distinct runtimes of @result's values, as its runtime field. */
void      lab_claim_result_collect_runtimes (LabClaimResult  *result);
/* The larger of two spreads, NAN-aware: what a figure made of both can
 * be trusted to. */
double    lab_claim_spread_max       (double                  a,
                                      double                  b);
/* The spread of a ratio of two measured figures (their spreads add). */
double    lab_claim_spread_ratio     (double                  a,
                                      double                  b);

/* Sets the verdict and the reading: @explanation, then @trust (either
 * may be NULL), and the runtimes of the values. */
void      lab_claim_result_conclude  (LabClaimResult         *result,
                                      LabVerdict              verdict,
                                      const char             *explanation,
                                      const char             *trust);
/* "1.93×", "0.00027×", or "—" when not finite (lab-claim.c). */
char     *lab_claim_format_ratio     (double                  ratio);
/* "340 ms", "1.25 s", "25.2 min" (lab-claim.c). */
char     *lab_claim_format_duration  (double                  seconds);

/* Readings shared by the checks: why a verdict is inconclusive, as a
 * sentence (NULL when nothing is untrustworthy). */
char     *lab_claim_trust_sentence   (double                  spread,
                                      guint                   failed,
                                      double                  background_cpu);

/* The rules (lab-claim-rules.c): pure functions of the figures, with the
 * thresholds the claims' rule texts state. A figure that is NAN was not
 * measured: the verdict is then inconclusive. @spread is the largest
 * spread of the figures the rule uses, @failed the failed tasks. */

/* Inconclusive when @failed > 0 or @spread > LAB_CLAIM_SPREAD_LIMIT,
 * else not-run (meaning: trustworthy). */
LabVerdict lab_claim_rule_trust (double spread,
                                 guint  failed);
LabVerdict lab_claim_rule_c01 (guint cpus, double gil_speedup, double native_speedup,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c02 (double speedup, double time_s, double ideal_s,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c03 (gboolean reached_5x, double seq_10k_s, double threads_10k_s,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c04 (const double *savings, guint n_savings,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c05 (guint cpus, double fine_speedup);
LabVerdict lab_claim_rule_c06 (guint cpus, const double *efficiency, guint n_efficiency,
                               double spread, guint failed, double background_cpu);
LabVerdict lab_claim_rule_c07 (double time_ratio, double memory_ratio,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c08 (double ratio, double spread);
LabVerdict lab_claim_rule_c09 (double ratio);
LabVerdict lab_claim_rule_c10 (double latency_ratio, double throughput_ratio, double spread);
LabVerdict lab_claim_rule_c11 (guint tasks, double pool_lost, double threads_lost);
LabVerdict lab_claim_rule_c12 (guint cpus, double lost_unlocked, double lost_mutex,
                               double lost_atomic);
LabVerdict lab_claim_rule_c13 (double ratio, double processes_mib);
LabVerdict lab_claim_rule_c14 (double sequential_s, double threads_s, double processes_s);
LabVerdict lab_claim_rule_c15 (double hybrid_s, double best_other_s,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c16 (double time_ratio, double cpu_ratio, double memory_ratio,
                               double spread, guint failed);
LabVerdict lab_claim_rule_c17 (double threads_stall_ms, double blocking_stall_ms,
                               double background_cpu);
LabVerdict lab_claim_rule_c18 (guint cpus, double time_ratio, double switches_ratio,
                               double spread);

G_END_DECLS

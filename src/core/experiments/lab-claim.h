/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The claims of the seed articles (CLAIMS.md, C01–C18), each checked by
 * measurement on this machine: the engine's runs and the overheads
 * experiments give the figures, a rule written next to the claim turns
 * them into a verdict. The CLI ("claims") and the window's Claims page
 * check them the same way.
 */

/**
 * LabVerdict:
 * @LAB_VERDICT_NOT_RUN: not checked yet
 * @LAB_VERDICT_HOLDS: the figures meet the rule
 * @LAB_VERDICT_DOES_NOT_HOLD: the figures contradict the rule
 * @LAB_VERDICT_DEPENDS: the rule's middle ground (holds for some sizes,
 *   some storage, …)
 * @LAB_VERDICT_INCONCLUSIVE: measured, but the figures cannot be trusted
 *   (failed tasks, repetitions far apart)
 * @LAB_VERDICT_CANNOT_CHECK: this machine lacks what the check needs
 *   (one core, no python3)
 * @LAB_VERDICT_FAILED: the measurement failed or was stopped
 */
typedef enum
{
  LAB_VERDICT_NOT_RUN,
  LAB_VERDICT_HOLDS,
  LAB_VERDICT_DOES_NOT_HOLD,
  LAB_VERDICT_DEPENDS,
  LAB_VERDICT_INCONCLUSIVE,
  LAB_VERDICT_CANNOT_CHECK,
  LAB_VERDICT_FAILED,
} LabVerdict;

/* "not-run", "holds", "does-not-hold", "depends", "inconclusive",
 * "cannot-check", "failed" */
const char *lab_verdict_to_string   (LabVerdict  verdict);
gboolean    lab_verdict_from_string (const char *name,
                                     LabVerdict *verdict);
/* Translated: "Not run", "Holds", "Does not hold", … */
const char *lab_verdict_title       (LabVerdict  verdict);

/**
 * LabClaimInfo:
 * @id: "C01" … "C18", never translated
 * @sources: which seed articles make the claim
 * @wording: the claim, paraphrased
 * @method: how Concurrency Lab checks it, in one or two sentences
 * @rule: the verdict rule in words, with its thresholds
 *
 * The static description of a claim; every string but @id translated.
 */
typedef struct
{
  const char *id;
  const char *sources;
  const char *wording;
  const char *method;
  const char *rule;
} LabClaimInfo;

/* 18 */
guint               lab_claim_info_count  (void);
const LabClaimInfo *lab_claim_info_nth    (guint       i);
/* Case-insensitive; NULL when @id names no claim. */
const LabClaimInfo *lab_claim_info_lookup (const char *id);

/**
 * LabClaimValue:
 * @name: machine name, e.g. "cpython_threads_speedup"
 * @label: translated, e.g. "CPython threads, W = 2, vs sequential"
 * @value: the figure (the median over the repeats)
 * @spread: (max − min) ÷ median over the repeats; NAN with one repeat
 * @unit: "x", "s", "ms", "us", "ns", "MiB", "KiB", "%", "updates", …
 * @runtime: what produced it: "native", "gil (emulated)", "cpython-3.11.2"
 *
 * One measured figure behind a verdict.
 */
typedef struct
{
  char   *name;
  char   *label;
  double  value;
  double  spread;
  char   *unit;
  char   *runtime;
} LabClaimValue;

LabClaimValue *lab_claim_value_new  (const char          *name,
                                     const char          *label,
                                     double               value,
                                     double               spread,
                                     const char          *unit,
                                     const char          *runtime);
LabClaimValue *lab_claim_value_copy (const LabClaimValue *value);
void           lab_claim_value_free (LabClaimValue       *value);
/* "1.93× ± 2 %", "45.2 ms", "1,000 updates": the value, its unit and its
 * spread when there is one; translated. */
char          *lab_claim_value_format (const LabClaimValue *value);

/**
 * LabClaimResult:
 * @id: the claim's id
 * @verdict: the verdict
 * @reading: translated sentences computed from @values: why this
 *   verdict, or why the claim cannot be checked or the check failed
 * @runtime: the runtimes that produced the numbers, e.g.
 *   "native, cpython-3.11.2"
 * @extrapolation: (nullable): the formula and the inputs of an
 *   extrapolated figure (C03), else %NULL
 * @values: (element-type LabClaimValue): the figures
 * @duration_s: how long the check took
 *
 * The outcome of checking one claim. A boxed type.
 */
typedef struct
{
  char       *id;
  LabVerdict  verdict;
  char       *reading;
  char       *runtime;
  char       *extrapolation;
  GPtrArray  *values;
  double      duration_s;
} LabClaimResult;

#define LAB_TYPE_CLAIM_RESULT (lab_claim_result_get_type ())
GType           lab_claim_result_get_type (void) G_GNUC_CONST;
LabClaimResult *lab_claim_result_new      (const char           *id);
LabClaimResult *lab_claim_result_copy     (const LabClaimResult *result);
void            lab_claim_result_free     (LabClaimResult       *result);
/* The value named @name, or NULL. */
const LabClaimValue *lab_claim_result_lookup_value (const LabClaimResult *result,
                                                    const char           *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabClaimValue, lab_claim_value_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabClaimResult, lab_claim_result_free)

typedef enum
{
  LAB_CLAIM_IDLE,
  LAB_CLAIM_RUNNING,
  LAB_CLAIM_DONE,
} LabClaimState;

#define LAB_TYPE_CLAIM (lab_claim_get_type ())
G_DECLARE_FINAL_TYPE (LabClaim, lab_claim, LAB, CLAIM, GObject)

/**
 * LabClaim:
 *
 * The check of one claim. It measures on a thread of its own; progress,
 * state and the result reach the main context that was the thread-default
 * one when lab_claim_run_async() was called. A cancelled check returns
 * within about 200 ms and leaves no worker process or thread behind.
 *
 * Properties: "state" (LabClaimState), "running", "progress" (0–1),
 * "result" (LabClaimResult, NULL before the first check ends).
 */
LabClaim             *lab_claim_new             (const char   *id);
const LabClaimInfo   *lab_claim_get_info        (LabClaim     *self);
const char           *lab_claim_get_id          (LabClaim     *self);
/* Quick settings: fewer repeats and smaller counts, so that every claim
 * checked in a row takes minutes, not tens of minutes. */
void                  lab_claim_set_quick       (LabClaim     *self,
                                                 gboolean      quick);
gboolean              lab_claim_get_quick       (LabClaim     *self);
/* The embedded server to download from ("http://127.0.0.1:PORT/"); NULL
 * starts one for each check that needs it. */
void                  lab_claim_set_server_url  (LabClaim     *self,
                                                 const char   *url);
/* The concurrency-lab-worker to start; NULL for the installed one (or
 * $CONCURRENCY_LAB_WORKER). */
void                  lab_claim_set_worker_path (LabClaim     *self,
                                                 const char   *path);
LabClaimState         lab_claim_get_state       (LabClaim     *self);
double                lab_claim_get_progress    (LabClaim     *self);
gboolean              lab_claim_get_running     (LabClaim     *self);
/* NULL before the first check has ended. */
const LabClaimResult *lab_claim_get_result      (LabClaim     *self);

/* Forgets the earlier result and checks again. A claim that cannot be
 * checked or whose measurement failed still finishes with a result;
 * lab_claim_run_finish() returns FALSE only when it was cancelled (the
 * result is then FAILED, its reading "Stopped before the end. …"). */
void                  lab_claim_run_async       (LabClaim            *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean              lab_claim_run_finish      (LabClaim            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Iterates the thread-default main context until the check is over
 * (CLI, tests). */
gboolean              lab_claim_run             (LabClaim            *self,
                                                 GCancellable        *cancellable,
                                                 GError             **error);

/* Export, one row (object) per result: id, verdict, rule, values,
 * runtime, extrapolation, reading and the machine. @results holds
 * LabClaimResult *. CSV as RFC 4180 through LabCsv; JSON with the
 * machine first, then the claims. */
char     *lab_claims_to_csv     (GPtrArray   *results);
gboolean  lab_claims_write_csv  (GPtrArray   *results,
                                 const char  *path,
                                 GError     **error);
char     *lab_claims_to_json    (GPtrArray   *results);
gboolean  lab_claims_write_json (GPtrArray   *results,
                                 const char  *path,
                                 GError     **error);

G_END_DECLS

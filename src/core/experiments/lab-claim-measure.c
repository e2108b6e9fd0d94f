/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-claim-private.h"
#include "lab-format.h"
#include "lab-run-builder.h"
#include "lab-stats.h"

/*
 * How the checks measure: engine runs through LabRunBuilder and LabRun,
 * overheads experiments through LabOverhead, each on the claim's thread
 * with a main context of its own, so that their events never touch the
 * caller's main loop.
 */

typedef struct
{
  LabClaimContext *ctx;
  double           from;
  double           to;
} Progress;

static void
run_progress (LabRun     *run,
              GParamSpec *pspec,
              Progress   *progress)
{
  guint total = lab_run_get_tasks_total (run);

  if (total > 0)
    lab_claim_context_set_progress (progress->ctx, progress->from + (progress->to - progress->from) *
                                    lab_run_get_tasks_done (run) / total);
}

static LabRunConfig *
build_config (LabClaimContext        *ctx,
              const LabClaimRunSpec  *spec,
              GError                **error)
{
  g_autoptr(LabRunBuilder) builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);

  if (!lab_run_builder_set_workload (builder, spec->workload, error))
    return NULL;
  if (spec->size != 0)
    lab_run_builder_set_number (builder, LAB_PARAM_SIZE, spec->size);
  lab_run_builder_set_runtimes (builder, &spec->runtime, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_TASKS, spec->tasks);
  lab_run_builder_set_modes (builder, spec->modes, spec->n_modes);
  lab_run_builder_set_workers (builder, spec->workers, spec->n_workers);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, spec->repeat);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, spec->warmup);
  lab_run_builder_set_number (builder, LAB_PARAM_NICE, spec->nice);
  lab_run_builder_set_worker_path (builder, lab_claim_context_get_worker_path (ctx));
  if (lab_run_builder_needs_server (builder))
    {
      const char *url = lab_claim_context_get_server_url (ctx, error);

      if (url == NULL)
        return NULL;
      lab_run_builder_set_server (builder, url);
      if (spec->delay_ms != 0)
        lab_run_builder_set_number (builder, LAB_PARAM_DELAY_MS, spec->delay_ms);
      if (spec->bytes != 0)
        lab_run_builder_set_number (builder, LAB_PARAM_BYTES, spec->bytes);
    }
  return lab_run_builder_build (builder, error);
}

/**
 * lab_claim_measure_run:
 *
 * Returns: (transfer full) (nullable): the finished run
 */
LabRun *
lab_claim_measure_run (LabClaimContext        *ctx,
                       const LabClaimRunSpec  *spec,
                       double                  from,
                       double                  to,
                       GError                **error)
{
  g_autoptr(LabRunConfig) config = build_config (ctx, spec, error);
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(LabRun) run = NULL;
  Progress progress = { ctx, from, to };
  gboolean ok;

  if (config == NULL)
    return NULL;
  context = g_main_context_new ();
  run = lab_run_new (config);
  g_signal_connect (run, "notify::tasks-done", G_CALLBACK (run_progress), &progress);
  g_main_context_push_thread_default (context);
  ok = lab_run_execute (run, lab_claim_context_get_cancellable (ctx), error);
  g_main_context_pop_thread_default (context);
  g_signal_handlers_disconnect_by_data (run, &progress);
  lab_claim_context_set_progress (ctx, to);
  return ok ? g_steal_pointer (&run) : NULL;
}

static void
overhead_progress (LabOverhead *overhead,
                   GParamSpec  *pspec,
                   Progress    *progress)
{
  lab_claim_context_set_progress (progress->ctx, progress->from + (progress->to - progress->from) *
                                  lab_overhead_get_progress (overhead));
}

/**
 * lab_claim_measure_overhead:
 *
 * Returns: (transfer full) (nullable) (element-type LabOverheadPoint):
 *   the points
 */
GPtrArray *
lab_claim_measure_overhead (LabClaimContext  *ctx,
                            LabOverheadKind   kind,
                            double            from,
                            double            to,
                            GError          **error)
{
  LabOverheadOptions options = { .worker_path = (char *) lab_claim_context_get_worker_path (ctx) };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LabOverhead) overhead = NULL;
  Progress progress = { ctx, from, to };
  gboolean ok;

  /* Only the experiments that download need the server. */
  if (kind == LAB_OVERHEAD_POOLS && (options.server_url = (char *) lab_claim_context_get_server_url (ctx, error)) == NULL)
    return NULL;
  overhead = lab_overhead_new (kind, &options);
  g_signal_connect (overhead, "notify::progress", G_CALLBACK (overhead_progress), &progress);
  g_main_context_push_thread_default (context);
  ok = lab_overhead_run (overhead, lab_claim_context_get_cancellable (ctx), error);
  g_main_context_pop_thread_default (context);
  g_signal_handlers_disconnect_by_data (overhead, &progress);
  if (!ok)
    return NULL;
  return g_ptr_array_ref (lab_overhead_get_points (overhead));
}

const LabInterpreter *
lab_claim_find_python (char **reason)
{
  g_autoptr(GError) error = NULL;
  const LabInterpreter *interpreter = lab_interpreter_find (LAB_RUNTIME_CPYTHON, &error);

  if (interpreter == NULL && reason != NULL)
    *reason = g_strdup (error->message);
  return interpreter;
}

double
lab_claim_cell_spread (LabCell *cell)
{
  GPtrArray *reps;
  double median;

  if (cell == NULL)
    return NAN;
  reps = lab_cell_get_repetitions (cell);
  median = lab_cell_get_median_s (cell);
  if (reps->len < 2 || !(median > 0))
    return NAN;
  return (lab_cell_get_max_s (cell) - lab_cell_get_min_s (cell)) / median;
}

char *
lab_claim_runtime_label (LabRun     *run,
                         LabRuntime  runtime,
                         LabMode     mode)
{
  g_autofree char *label = lab_run_config_dup_runtime_label (lab_run_get_config (run), runtime);

  if (mode == LAB_MODE_GIL)
    /* TRANSLATORS: %s is a runtime, "native" */
    return g_strdup_printf (_("%s (emulated GIL)"), label);
  return g_steal_pointer (&label);
}

LabClaimValue *
lab_claim_result_add (LabClaimResult *result,
                      const char     *name,
                      const char     *label,
                      double          value,
                      double          spread,
                      const char     *unit,
                      const char     *runtime)
{
  LabClaimValue *added = lab_claim_value_new (name, label, value, spread, unit, runtime);

  g_ptr_array_add (result->values, added);
  return added;
}

void
lab_claim_result_collect_runtimes (LabClaimResult *result)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  for (guint i = 0; i < result->values->len; i++)
    {
      const LabClaimValue *value = result->values->pdata[i];

      if (value->runtime != NULL &&
          !g_ptr_array_find_with_equal_func (seen, value->runtime, g_str_equal, NULL))
        g_ptr_array_add (seen, value->runtime);
    }
  g_ptr_array_add (seen, NULL);
  g_free (result->runtime);
  result->runtime = g_strjoinv (", ", (char **) seen->pdata);
}

double
lab_claim_spread_max (double a,
                      double b)
{
  if (isnan (a))
    return b;
  if (isnan (b))
    return a;
  return MAX (a, b);
}

double
lab_claim_spread_ratio (double a,
                        double b)
{
  if (isnan (a))
    return b;
  if (isnan (b))
    return a;
  return a + b;
}

char *
lab_claim_trust_sentence (double spread,
                          guint  failed,
                          double background_cpu)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (failed > 0)
    g_string_append_printf (text,
                            /* TRANSLATORS: %u is a number of tasks */
                            ngettext ("%u task failed, so the figures are incomplete.",
                                      "%u tasks failed, so the figures are incomplete.", failed),
                            failed);
  if (spread > LAB_CLAIM_SPREAD_LIMIT)
    {
      g_autofree char *percent = lab_format_number (100 * spread);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* TRANSLATORS: %s is a percentage without its sign */
      g_string_append_printf (text, _("The repeats lie up to %s %% apart, too far for a verdict."), percent);
    }
  if (background_cpu > LAB_CONTENTION_THRESHOLD)
    {
      g_autofree char *percent = lab_format_number (100 * background_cpu);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* TRANSLATORS: %s is a percentage without its sign */
      g_string_append_printf (text, _("Other programs used %s %% of the CPU meanwhile."), percent);
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

void
lab_claim_result_conclude (LabClaimResult *result,
                           LabVerdict      verdict,
                           const char     *explanation,
                           const char     *trust)
{
  result->verdict = verdict;
  g_free (result->reading);
  if (trust != NULL && explanation != NULL)
    result->reading = g_strconcat (explanation, " ", trust, NULL);
  else
    result->reading = g_strdup (explanation != NULL ? explanation : trust);
  lab_claim_result_collect_runtimes (result);
}


/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lab-async.h"
#include "lab-machine.h"
#include "lab-run-private.h"

G_DEFINE_FINAL_TYPE (LabRun, lab_run, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TASKS_DONE,
  PROP_TASKS_TOTAL,
  PROP_REPETITIONS_DONE,
  PROP_REPETITIONS_TOTAL,
  PROP_RUNNING,
  PROP_BASELINE,
  N_PROPS
};

enum {
  REPETITION_STARTED,
  SPANS_ADDED,
  REPETITION_FINISHED,
  CELL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
event_free (Event *event)
{
  g_clear_pointer (&event->rep, lab_repetition_unref);
  g_clear_pointer (&event->spans, g_array_unref);
  g_clear_pointer (&event->measured.gil_intervals, g_array_unref);
  g_clear_pointer (&event->measured.queue_samples, g_array_unref);
  g_clear_error (&event->error);
  g_free (event);
}

static void
lab_run_machine_free (LabRunMachine *machine)
{
  g_free (machine->cpu_model);
  g_free (machine->kernel);
  g_free (machine->app_version);
  g_free (machine);
}

static void
lab_run_dispose (GObject *object)
{
  LabRun *self = (LabRun *) object;

  /* The coordinator holds a reference until it is done: no thread to join here. */
  g_assert (self->thread == NULL);
  g_clear_object (&self->cells);
  for (guint i = 0; i < LAB_N_RUNTIMES; i++)
    g_clear_object (&self->baselines[i]);
  g_clear_pointer (&self->repetitions, g_ptr_array_unref);
  g_clear_object (&self->recorder);

  G_OBJECT_CLASS (lab_run_parent_class)->dispose (object);
}

static void
lab_run_finalize (GObject *object)
{
  LabRun *self = (LabRun *) object;

  g_queue_clear_full (&self->events, (GDestroyNotify) event_free);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->config, lab_run_config_free);
  g_clear_pointer (&self->plan, g_array_unref);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->machine, lab_run_machine_free);
  g_free (self->id);

  G_OBJECT_CLASS (lab_run_parent_class)->finalize (object);
}

static void
lab_run_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  LabRun *self = LAB_RUN (object);

  switch (prop_id)
    {
    case PROP_TASKS_DONE:
      g_value_set_uint (value, self->tasks_done);
      break;
    case PROP_TASKS_TOTAL:
      g_value_set_uint (value, self->tasks_total);
      break;
    case PROP_REPETITIONS_DONE:
      g_value_set_uint (value, self->repetitions_done);
      break;
    case PROP_REPETITIONS_TOTAL:
      g_value_set_uint (value, self->repetitions_total);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_BASELINE:
      g_value_set_object (value, lab_run_get_baseline (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_run_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  LabRun *self = LAB_RUN (object);

  switch (prop_id)
    {
    case PROP_BASELINE:
      lab_run_set_baseline (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_run_class_init (LabRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lab_run_dispose;
  object_class->finalize = lab_run_finalize;
  object_class->get_property = lab_run_get_property;
  object_class->set_property = lab_run_set_property;

  properties[PROP_TASKS_DONE] = g_param_spec_uint ("tasks-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TASKS_TOTAL] = g_param_spec_uint ("tasks-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_REPETITIONS_DONE] = g_param_spec_uint ("repetitions-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_REPETITIONS_TOTAL] = g_param_spec_uint ("repetitions-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_BASELINE] = g_param_spec_object ("baseline", NULL, NULL, LAB_TYPE_CELL,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REPETITION_STARTED] =
    g_signal_new ("repetition-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LAB_TYPE_REPETITION);
  signals[SPANS_ADDED] =
    g_signal_new ("spans-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, LAB_TYPE_REPETITION, G_TYPE_UINT, G_TYPE_UINT);
  signals[REPETITION_FINISHED] =
    g_signal_new ("repetition-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LAB_TYPE_REPETITION);
  signals[CELL_FINISHED] =
    g_signal_new ("cell-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LAB_TYPE_CELL);
}

static void
lab_run_init (LabRun *self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->events);
  self->cells = g_list_store_new (LAB_TYPE_CELL);
  self->repetitions = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_repetition_unref);
  self->plan = g_array_new (FALSE, FALSE, sizeof (CellKey));
  self->id = g_uuid_string_random ();
  self->ui_max_stall_ms = self->ui_cpu_s = NAN;
}

/* Runtime by runtime: sequential first (it is the runtime's baseline),
 * once, with one worker; then each other mode the runtime has with each
 * worker count. */
static void
build_plan (LabRun *self)
{
  const LabRunConfig *config = self->config;

  for (guint r = 0; r < config->runtimes->len; r++)
    for (guint pass = 0; pass < 2; pass++)
      for (guint m = 0; m < config->modes->len; m++)
        {
          LabRuntime runtime = g_array_index (config->runtimes, LabRuntime, r);
          LabMode mode = g_array_index (config->modes, LabMode, m);

          if ((pass == 0) != (mode == LAB_MODE_SEQUENTIAL) || !lab_runtime_accepts_mode (runtime, mode))
            continue;
          if (mode == LAB_MODE_SEQUENTIAL)
            {
              CellKey key = { runtime, mode, 1 };

              g_array_append_val (self->plan, key);
              continue;
            }
          for (guint w = 0; w < config->workers->len; w++)
            {
              CellKey key = { runtime, mode, g_array_index (config->workers, guint, w) };
              gboolean seen = FALSE;

              for (guint k = 0; k < self->plan->len; k++)
                seen |= memcmp (&g_array_index (self->plan, CellKey, k), &key, sizeof key) == 0;
              if (!seen)
                g_array_append_val (self->plan, key);
            }
        }

  self->repetitions_total = self->plan->len * (config->repeat + config->warmup);
  self->tasks_total = self->repetitions_total * config->workload->tasks;
}

/**
 * lab_run_new:
 * @config: a configuration made by a #LabRunBuilder, which checked it
 *
 * Returns: (transfer full): a run that has not started
 */
LabRun *
lab_run_new (const LabRunConfig *config)
{
  LabRun *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (LAB_TYPE_RUN, NULL);
  self->config = lab_run_config_copy (config);
  build_plan (self);
  return self;
}

const LabRunConfig *
lab_run_get_config (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->config;
}

const char *
lab_run_get_id (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->id;
}

/**
 * lab_run_get_started_at:
 *
 * Returns: (transfer none) (nullable): when the run started (UTC)
 */
GDateTime *
lab_run_get_started_at (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->started_at;
}

/**
 * lab_run_get_machine:
 *
 * Returns: (transfer none): the machine the run was measured on: this
 *   one, unless the run was rebuilt from a record
 *   (lab_run_new_recorded())
 */
const LabRunMachine *
lab_run_get_machine (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  if (self->machine == NULL)
    {
      self->machine = g_new0 (LabRunMachine, 1);
      self->machine->n_cpus = lab_machine_n_cpus ();
      self->machine->cpu_model = lab_machine_cpu_model ();
      self->machine->kernel = lab_machine_kernel ();
      self->machine->app_version = g_strdup (PACKAGE_VERSION);
    }
  return self->machine;
}

/**
 * lab_run_get_cells:
 *
 * Returns: (transfer none): a #GListModel of #LabCell, in execution order,
 *   growing as cells start
 */
GListModel *
lab_run_get_cells (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return G_LIST_MODEL (self->cells);
}

/**
 * lab_run_get_repetitions:
 *
 * Returns: (transfer none) (element-type LabRepetition): every repetition
 *   started so far, warm-ups included
 */
GPtrArray *
lab_run_get_repetitions (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->repetitions;
}

/**
 * lab_run_find_variant_cell:
 *
 * Returns: (transfer none) (nullable): the cell of @mode run by @runtime
 *   with @workers, once it has started
 */
LabCell *
lab_run_find_variant_cell (LabRun     *self,
                           LabRuntime  runtime,
                           LabMode     mode,
                           guint       workers)
{
  guint n;

  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->cells));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (G_LIST_MODEL (self->cells), i);

      if (lab_cell_get_runtime (cell) == runtime && lab_cell_get_mode (cell) == mode &&
          lab_cell_get_workers (cell) == workers)
        return cell;
    }
  return NULL;
}

/* The runtime a run names first: the one of most runs, which have one. */
static LabRuntime
first_runtime (LabRun *self)
{
  return g_array_index (self->config->runtimes, LabRuntime, 0);
}

/**
 * lab_run_find_cell:
 *
 * Returns: (transfer none) (nullable): the cell of @mode with @workers
 *   run by the run's first runtime, once it has started
 */
LabCell *
lab_run_find_cell (LabRun  *self,
                   LabMode  mode,
                   guint    workers)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return lab_run_find_variant_cell (self, first_runtime (self), mode, workers);
}

/**
 * lab_run_dup_measured_repetitions:
 *
 * Returns: (transfer container): the measured repetitions of every cell
 *   (no warm-ups), in the run's order
 */
GPtrArray *
lab_run_dup_measured_repetitions (LabRun *self)
{
  GPtrArray *reps = g_ptr_array_new ();

  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  for (guint c = 0; c < g_list_model_get_n_items (G_LIST_MODEL (self->cells)); c++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (G_LIST_MODEL (self->cells), c);
      GPtrArray *cell_reps = lab_cell_get_repetitions (cell);

      for (guint r = 0; r < cell_reps->len; r++)
        g_ptr_array_add (reps, g_ptr_array_index (cell_reps, r));
    }
  return reps;
}

guint
lab_run_get_tasks_done (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->tasks_done;
}

guint
lab_run_get_tasks_total (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->tasks_total;
}

guint
lab_run_get_repetitions_done (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->repetitions_done;
}

guint
lab_run_get_repetitions_total (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->repetitions_total;
}

gboolean
lab_run_get_running (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);
  return self->running;
}

/**
 * lab_run_get_failed_tasks:
 *
 * Counts what the cells count: the tasks that did not succeed in the
 * finished measured repetitions, warm-ups excluded. It is the sum of the
 * cells' #LabCell:failed-tasks.
 *
 * Returns: the number of failed tasks
 */
guint
lab_run_get_failed_tasks (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->failed_tasks;
}

/**
 * lab_run_set_ui_cost:
 * @max_stall_ms: the longest stall of the observing window's main loop
 * @cpu_s: the CPU time the window's own threads used during the run
 *
 * Records what a window watching the run cost, for the export (the
 * results CSV's ui_* columns). NAN: not measured.
 */
void
lab_run_set_ui_cost (LabRun *self,
                     double  max_stall_ms,
                     double  cpu_s)
{
  g_return_if_fail (LAB_IS_RUN (self));
  self->ui_max_stall_ms = max_stall_ms;
  self->ui_cpu_s = cpu_s;
  if (self->recorder != NULL && LAB_RUN_RECORDER_GET_IFACE (self->recorder)->ui_cost_set != NULL)
    LAB_RUN_RECORDER_GET_IFACE (self->recorder)->ui_cost_set (self->recorder, self);
}

/* Returns: whether a window recorded its cost; NAN in the figures it did not */
gboolean
lab_run_get_ui_cost (LabRun *self,
                     double *max_stall_ms,
                     double *cpu_s)
{
  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);
  *max_stall_ms = self->ui_max_stall_ms;
  *cpu_s = self->ui_cpu_s;
  return isfinite (self->ui_max_stall_ms) || isfinite (self->ui_cpu_s);
}

/**
 * lab_run_get_warmup_failed_tasks:
 *
 * Returns: the number of tasks that did not succeed in the finished
 *   warm-up repetitions, which no cell counts
 */
guint
lab_run_get_warmup_failed_tasks (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->warmup_failed_tasks;
}

void
lab_error_kind_free (LabErrorKind *kind)
{
  if (kind == NULL)
    return;
  g_free (kind->message);
  g_free (kind);
}

static int
compare_span_start (gconstpointer a,
                    gconstpointer b)
{
  const LabSpan *span_a = *(const LabSpan * const *) a;
  const LabSpan *span_b = *(const LabSpan * const *) b;

  if (span_a->start_us != span_b->start_us)
    return span_a->start_us < span_b->start_us ? -1 : 1;
  return span_a->task < span_b->task ? -1 : span_a->task > span_b->task;
}

/* The failed spans of @rep in the order they started; spans arrive in
 * the order they finished. */
static GPtrArray *
dup_failed_spans (LabRepetition *rep)
{
  GPtrArray *failed = g_ptr_array_new ();

  for (guint i = 0; i < rep->spans->len; i++)
    {
      LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

      if (span->status == LAB_TASK_FAILED)
        g_ptr_array_add (failed, span);
    }
  g_ptr_array_sort (failed, compare_span_start);
  return failed;
}

/**
 * lab_repetitions_dup_error_kinds:
 * @repetitions: (element-type LabRepetition): repetitions in the order
 *   they ran
 *
 * Groups the errors of the failed tasks (not the cancelled ones) of the
 * finished measured repetitions among @repetitions by message, in the
 * order each message first occurred: element 0 holds the first error.
 *
 * Returns: (transfer container) (element-type LabErrorKind): the kinds of
 *   error, freed with the array; empty when no task failed
 */
GPtrArray *
lab_repetitions_dup_error_kinds (GPtrArray *repetitions)
{
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GHashTable) by_message = NULL;

  g_return_val_if_fail (repetitions != NULL, NULL);

  kinds = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_error_kind_free);
  by_message = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint r = 0; r < repetitions->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (repetitions, r);
      g_autoptr(GPtrArray) failed = NULL;

      if (rep->warmup || !rep->finished)
        continue;
      failed = dup_failed_spans (rep);
      for (guint i = 0; i < failed->len; i++)
        {
          const LabSpan *span = g_ptr_array_index (failed, i);
          const char *message = span->error != NULL ? span->error : _("Unknown error");
          LabErrorKind *kind = g_hash_table_lookup (by_message, message);

          if (kind == NULL)
            {
              kind = g_new0 (LabErrorKind, 1);
              kind->message = g_strdup (message);
              g_ptr_array_add (kinds, kind);
              g_hash_table_insert (by_message, kind->message, kind);
            }
          kind->count++;
        }
    }
  return g_steal_pointer (&kinds);
}

/**
 * lab_run_dup_error_kinds:
 *
 * lab_repetitions_dup_error_kinds() over the run's repetitions: element 0
 * holds the run's first error.
 *
 * Returns: (transfer container) (element-type LabErrorKind): the kinds of
 *   error, freed with the array; empty when no task failed
 */
GPtrArray *
lab_run_dup_error_kinds (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  /* self->repetitions is in the order they ran. */
  return lab_repetitions_dup_error_kinds (self->repetitions);
}

/* ---- main context side ---- */

/* The sequential median that speed-ups are relative to: the run's own
 * sequential cell once it has measured repetitions, else the external
 * baseline. NAN when there is neither, or when the baseline has failed
 * tasks: the time of work that was not all done compares with nothing. */
static double
baseline_median (LabRun     *self,
                 LabRuntime  runtime)
{
  LabCell *baseline = lab_run_find_variant_cell (self, runtime, LAB_MODE_SEQUENTIAL, 1);

  if (baseline == NULL || lab_cell_get_repetitions (baseline)->len == 0)
    baseline = self->baselines[runtime];
  if (baseline == NULL || lab_cell_get_failed_tasks (baseline) > 0)
    return NAN;
  return lab_cell_get_median_s (baseline);
}

/* Every cell of @runtime, or of every runtime when it is LAB_N_RUNTIMES. */
static void
update_all_cells (LabRun     *self,
                  LabRuntime  runtime)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->cells));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (G_LIST_MODEL (self->cells), i);
      LabRuntime own = lab_cell_get_runtime (cell);

      if (runtime == LAB_N_RUNTIMES || own == runtime)
        lab_cell_update (cell, baseline_median (self, own));
    }
}

static void
update_cells (LabRun  *self,
              LabCell *changed)
{
  LabRuntime runtime = lab_cell_get_runtime (changed);

  if (lab_cell_get_mode (changed) != LAB_MODE_SEQUENTIAL)
    {
      lab_cell_update (changed, baseline_median (self, runtime));
      return;
    }

  /* A new baseline changes the speedup of every cell of its runtime, its
   * own included. */
  lab_cell_update (changed, NAN);
  update_all_cells (self, runtime);
}

/**
 * lab_run_set_baseline:
 * @sequential: (nullable): the sequential cell of an earlier run with the
 *   same settings (lab_run_config_dup_settings_key()), or %NULL
 *
 * Gives speed-ups to a run without a sequential cell of its own: while
 * the run has no measured sequential repetition of a runtime, that
 * runtime's cells and repetitions are compared with the median of the
 * sequential cell of the same runtime given here. Its own sequential cell
 * wins once it has one. A baseline with failed tasks gives its runtime's
 * cells a NAN speed-up. %NULL forgets every runtime's. Recomputes the
 * cells.
 */
void
lab_run_set_baseline (LabRun  *self,
                      LabCell *sequential)
{
  gboolean changed = FALSE;

  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (sequential == NULL || LAB_IS_CELL (sequential));
  g_return_if_fail (sequential == NULL || lab_cell_get_mode (sequential) == LAB_MODE_SEQUENTIAL);

  if (sequential != NULL)
    changed = g_set_object (&self->baselines[lab_cell_get_runtime (sequential)], sequential);
  else
    for (guint i = 0; i < LAB_N_RUNTIMES; i++)
      changed |= g_set_object (&self->baselines[i], NULL);
  if (!changed)
    return;
  update_all_cells (self, sequential != NULL ? lab_cell_get_runtime (sequential) : LAB_N_RUNTIMES);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASELINE]);
}

/**
 * lab_run_get_baseline:
 *
 * Returns: (transfer none) (nullable): the baseline of the run's first
 *   runtime set by lab_run_set_baseline()
 */
LabCell *
lab_run_get_baseline (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->baselines[first_runtime (self)];
}

/* Lists @rep among the run's repetitions, with a cell of its own if it
 * is the first of its runtime, mode and workers. */
static void
add_repetition (LabRun        *self,
                LabRepetition *rep)
{
  g_ptr_array_add (self->repetitions, lab_repetition_ref (rep));
  if (lab_run_find_variant_cell (self, rep->runtime, rep->mode, rep->workers) == NULL)
    {
      g_autoptr(LabCell) cell = lab_cell_new (rep->runtime, rep->mode, rep->workers);

      g_list_store_append (self->cells, cell);
    }
}

static void
handle_rep_started (LabRun        *self,
                    LabRepetition *rep)
{
  add_repetition (self, rep);
  g_signal_emit (self, signals[REPETITION_STARTED], 0, rep);
}

static void
handle_spans (LabRun        *self,
              LabRepetition *rep,
              GArray        *spans)
{
  guint first = rep->spans->len;

  /* The error strings change owner: the batch must not free them. */
  g_array_append_vals (rep->spans, spans->data, spans->len);
  g_array_set_clear_func (spans, NULL);

  /* Progress counts tasks (the pipeline's documents), not spans. */
  for (guint i = 0; i < spans->len; i++)
    self->tasks_done += lab_span_ends_task (&g_array_index (spans, LabSpan, i));
  g_signal_emit (self, signals[SPANS_ADDED], 0, rep, first, spans->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_DONE]);
}

/* Failures are counted where the cells count them: a repetition that
 * never finishes (a cancelled run) is in no cell and counts nowhere. */
static void
count_finished (LabRun        *self,
                LabRepetition *rep,
                LabCell       *cell)
{
  if (rep->warmup)
    self->warmup_failed_tasks += rep->failed_tasks;
  else
    {
      self->failed_tasks += rep->failed_tasks;
      lab_cell_add_repetition (cell, rep);
      update_cells (self, cell);
    }
  self->repetitions_done++;
}

static void
handle_rep_finished (LabRun              *self,
                     LabRepetition       *rep,
                     const LabRepetition *measured)
{
  LabCell *cell = lab_run_find_variant_cell (self, rep->runtime, rep->mode, rep->workers);

  rep->wall_s = measured->wall_s;
  rep->startup_s = measured->startup_s;
  rep->user_s = measured->user_s;
  rep->sys_s = measured->sys_s;
  rep->cpu_util = measured->cpu_util;
  rep->background_busy_s = measured->background_busy_s;
  rep->background_cpu = measured->background_cpu;
  rep->peak_rss_kib = measured->peak_rss_kib;
  rep->checksum = measured->checksum;
  rep->bytes = measured->bytes;
  rep->cached_bytes = measured->cached_bytes;
  rep->files_fs = measured->files_fs;
  rep->ok_tasks = measured->ok_tasks;
  rep->failed_tasks = measured->failed_tasks;
  rep->tasks = measured->tasks;
  if (measured->gil_intervals != NULL)
    g_array_append_vals (rep->gil_intervals, measured->gil_intervals->data, measured->gil_intervals->len);
  memcpy (rep->stage_busy_s, measured->stage_busy_s, sizeof rep->stage_busy_s);
  if (measured->queue_samples != NULL)
    g_array_append_vals (rep->queue_samples, measured->queue_samples->data, measured->queue_samples->len);
  memcpy (rep->queue_capacity, measured->queue_capacity, sizeof rep->queue_capacity);
  rep->finished = TRUE;
  count_finished (self, rep, cell);

  /* Recorded before anyone is told: what a window shows is in the history. */
  if (self->recorder != NULL && LAB_RUN_RECORDER_GET_IFACE (self->recorder)->repetition_finished != NULL)
    LAB_RUN_RECORDER_GET_IFACE (self->recorder)->repetition_finished (self->recorder, self, rep);
  g_signal_emit (self, signals[REPETITION_FINISHED], 0, rep);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPETITIONS_DONE]);

  if (!rep->warmup && rep->repeat == self->config->repeat)
    g_signal_emit (self, signals[CELL_FINISHED], 0, cell);
}

/* The run stopped during @rep: its spans stay, marked, in no cell. */
static void
handle_rep_interrupted (LabRun              *self,
                        LabRepetition       *rep,
                        const LabRepetition *counted)
{
  rep->wall_s = rep->user_s = rep->sys_s = rep->cpu_util = NAN;
  rep->checksum = counted->checksum;
  rep->bytes = counted->bytes;
  rep->cached_bytes = counted->cached_bytes;
  rep->ok_tasks = counted->ok_tasks;
  rep->failed_tasks = counted->failed_tasks;
  rep->tasks = counted->tasks;
  memcpy (rep->stage_busy_s, counted->stage_busy_s, sizeof rep->stage_busy_s);
  rep->interrupted = TRUE;
}

static void
handle_done (LabRun *self,
             GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_thread_join (g_steal_pointer (&self->thread));
  if (self->recorder != NULL && LAB_RUN_RECORDER_GET_IFACE (self->recorder)->finished != NULL)
    LAB_RUN_RECORDER_GET_IFACE (self->recorder)->finished (self->recorder, self, error);
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
dispatch_events (gpointer user_data)
{
  g_autoptr(LabRun) self = user_data;

  for (;;)
    {
      Event *event;

      g_mutex_lock (&self->lock);
      event = g_queue_pop_head (&self->events);
      if (event == NULL)
        self->dispatch_pending = FALSE;
      g_mutex_unlock (&self->lock);

      if (event == NULL)
        break;

      switch (event->type)
        {
        case EVENT_REP_STARTED:
          handle_rep_started (self, event->rep);
          break;
        case EVENT_SPANS:
          handle_spans (self, event->rep, event->spans);
          break;
        case EVENT_REP_FINISHED:
          handle_rep_finished (self, event->rep, &event->measured);
          break;
        case EVENT_REP_INTERRUPTED:
          handle_rep_interrupted (self, event->rep, &event->measured);
          break;
        case EVENT_DONE:
          handle_done (self, g_steal_pointer (&event->error));
          break;
        default:
          g_assert_not_reached ();
        }
      event_free (event);
    }

  return G_SOURCE_REMOVE;
}

/* From the coordinator thread: queues @event for the caller's context. */
void
lab_run_post_event (LabRun *self,
                    Event  *event)
{
  gboolean schedule;

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->events, event);
  schedule = !self->dispatch_pending;
  self->dispatch_pending = TRUE;
  g_mutex_unlock (&self->lock);

  /* Always through a source: g_main_context_invoke() would run the events
   * right here when the caller's context is the global default one and happens
   * to be free, and the handlers must run on the caller's thread (handle_done()
   * joins this very thread). */
  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, dispatch_events, g_object_ref (self), NULL);
      g_source_set_static_name (source, "[lab] run events");
      g_source_attach (source, self->context);
    }
}

/**
 * lab_run_execute_async:
 *
 * Starts the run on a coordinator thread. Events and the callback arrive on
 * the thread-default main context of the caller. A run executes once.
 */
void
lab_run_execute_async (LabRun              *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (self->task == NULL && self->started_at == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_run_execute_async);

  self->context = g_main_context_ref_thread_default ();
  self->started_at = g_date_time_new_now_utc ();
  self->task = g_steal_pointer (&task);
  self->running = TRUE;
  if (self->recorder != NULL && LAB_RUN_RECORDER_GET_IFACE (self->recorder)->started != NULL)
    LAB_RUN_RECORDER_GET_IFACE (self->recorder)->started (self->recorder, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPETITIONS_TOTAL]);

  self->thread = g_thread_new ("lab-run", lab_run_coordinator_thread, g_object_ref (self));
}

gboolean
lab_run_execute_finish (LabRun        *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lab_run_execute (LabRun        *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);

  lab_run_execute_async (self, cancellable, lab_async_keep_result, &result);
  lab_async_wait (&result);
  return lab_run_execute_finish (self, result, error);
}

/* ---- recorders and recorded runs (lab-run-recorder.h) ---- */

void
lab_run_set_recorder (LabRun         *self,
                      LabRunRecorder *recorder)
{
  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (recorder == NULL || LAB_IS_RUN_RECORDER (recorder));
  g_return_if_fail (self->started_at == NULL);

  g_set_object (&self->recorder, recorder);
}

LabRunRecorder *
lab_run_get_recorder (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->recorder;
}

/**
 * lab_run_new_recorded:
 * @config: the recorded run's parameters
 * @run_id: its id in the CSV files
 * @started_at: when it started (UTC)
 * @machine: (nullable): the machine it ran on; %NULL: this one
 *
 * Returns: (transfer full): a run that is not running and never executes
 */
LabRun *
lab_run_new_recorded (const LabRunConfig  *config,
                      const char          *run_id,
                      GDateTime           *started_at,
                      const LabRunMachine *machine)
{
  LabRun *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (run_id != NULL, NULL);
  g_return_val_if_fail (started_at != NULL, NULL);

  self = lab_run_new (config);
  g_free (self->id);
  self->id = g_strdup (run_id);
  self->started_at = g_date_time_ref (started_at);
  if (machine != NULL)
    {
      self->machine = g_new0 (LabRunMachine, 1);
      self->machine->n_cpus = machine->n_cpus;
      self->machine->cpu_model = g_strdup (machine->cpu_model);
      self->machine->kernel = g_strdup (machine->kernel);
      self->machine->app_version = g_strdup (machine->app_version);
    }
  return self;
}

void
lab_run_add_recorded_repetition (LabRun        *self,
                                 LabRepetition *rep)
{
  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (rep != NULL);
  g_return_if_fail (self->task == NULL);

  add_repetition (self, rep);
  for (guint i = 0; i < rep->spans->len; i++)
    self->tasks_done += lab_span_ends_task (&g_array_index (rep->spans, LabSpan, i));
  if (rep->finished)
    count_finished (self, rep, lab_run_find_variant_cell (self, rep->runtime, rep->mode, rep->workers));
}

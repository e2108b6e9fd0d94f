/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "lab-result-set.h"

struct _LabResultSet
{
  GObject     parent_instance;

  char       *key;
  char       *caption;
  gboolean    io;
  GPtrArray  *runs;      /* LabRun, in the order they were added */
  GListStore *cells;     /* LabCell, the latest per mode × workers */
};

G_DEFINE_FINAL_TYPE (LabResultSet, lab_result_set, G_TYPE_OBJECT)

/**
 * lab_result_set_new:
 * @config: the settings of the set's first run
 *
 * Returns: (transfer full): an empty set for runs with the settings of @config
 */
LabResultSet *
lab_result_set_new (const LabRunConfig *config)
{
  LabResultSet *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (LAB_TYPE_RESULT_SET, NULL);
  self->key = lab_run_config_dup_settings_key (config);
  self->caption = lab_run_config_describe_settings (config);
  self->io = config->workload->kind != LAB_WORKLOAD_CPU;
  return self;
}

/* A short description of the settings, for a caption. */
const char *
lab_result_set_get_caption (LabResultSet *self)
{
  g_return_val_if_fail (LAB_IS_RESULT_SET (self), NULL);
  return self->caption;
}

/* Whether the tasks mostly wait (downloads, sleeps) rather than compute. */
gboolean
lab_result_set_get_io (LabResultSet *self)
{
  g_return_val_if_fail (LAB_IS_RESULT_SET (self), FALSE);
  return self->io;
}

/* Whether a run of @config belongs to this set. */
gboolean
lab_result_set_accepts (LabResultSet       *self,
                        const LabRunConfig *config)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (LAB_IS_RESULT_SET (self), FALSE);

  key = lab_run_config_dup_settings_key (config);
  return g_str_equal (key, self->key);
}

/**
 * lab_result_set_get_cells:
 *
 * Returns: (transfer none): a #GListModel of #LabCell
 */
GListModel *
lab_result_set_get_cells (LabResultSet *self)
{
  g_return_val_if_fail (LAB_IS_RESULT_SET (self), NULL);
  return G_LIST_MODEL (self->cells);
}

/**
 * lab_result_set_get_runs:
 *
 * Returns: (transfer none) (element-type LabRun): the runs, oldest first
 */
GPtrArray *
lab_result_set_get_runs (LabResultSet *self)
{
  g_return_val_if_fail (LAB_IS_RESULT_SET (self), NULL);
  return self->runs;
}

static LabCell *
find_shown_cell (LabResultSet *self,
                 LabRuntime    runtime,
                 LabMode       mode,
                 guint         workers,
                 guint        *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->cells));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (G_LIST_MODEL (self->cells), i);

      if (lab_cell_get_runtime (cell) == runtime && lab_cell_get_mode (cell) == mode &&
          lab_cell_get_workers (cell) == workers)
        {
          if (position != NULL)
            *position = i;
          return cell;
        }
    }
  return NULL;
}

/* The sequential cell speed-ups of @runtime are measured against: the one
 * shown. */
static LabCell *
shown_baseline (LabResultSet *self,
                LabRuntime    runtime)
{
  return find_shown_cell (self, runtime, LAB_MODE_SEQUENTIAL, 1, NULL);
}

/* A new cell replaces the one of the same runtime × mode × workers. */
static void
on_run_cells_changed (LabResultSet *self,
                      guint         position,
                      guint         removed,
                      guint         added,
                      GListModel   *run_cells)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (run_cells, i);
      guint shown;

      if (find_shown_cell (self, lab_cell_get_runtime (cell), lab_cell_get_mode (cell),
                           lab_cell_get_workers (cell), &shown) != NULL)
        g_list_store_splice (self->cells, shown, 1, (gpointer *) &cell, 1);
      else
        g_list_store_append (self->cells, cell);
    }
}

/* A new sequential cell is the baseline of its runtime in every other run
 * of the set. */
static void
on_cell_finished (LabResultSet *self,
                  LabCell      *cell,
                  LabRun       *run)
{
  if (lab_cell_get_mode (cell) != LAB_MODE_SEQUENTIAL ||
      shown_baseline (self, lab_cell_get_runtime (cell)) != cell)
    return;

  for (guint i = 0; i < self->runs->len; i++)
    {
      LabRun *other = g_ptr_array_index (self->runs, i);

      if (other != run && !lab_run_get_running (other))
        lab_run_set_baseline (other, cell);
    }
}

/**
 * lab_result_set_add_run:
 * @run: a run not started yet, with the set's settings
 *
 * Adds @run: its cells replace the shown ones of the same runtime × mode × workers
 * as they appear, and without a sequential cell of its own it measures
 * its speed-ups against the set's.
 */
void
lab_result_set_add_run (LabResultSet *self,
                        LabRun       *run)
{
  GListModel *run_cells;

  g_return_if_fail (LAB_IS_RESULT_SET (self));
  g_return_if_fail (LAB_IS_RUN (run));
  g_return_if_fail (lab_result_set_accepts (self, lab_run_get_config (run)));

  g_ptr_array_add (self->runs, g_object_ref (run));
  for (LabRuntime r = 0; r < LAB_N_RUNTIMES; r++)
    if (shown_baseline (self, r) != NULL)
      lab_run_set_baseline (run, shown_baseline (self, r));

  run_cells = lab_run_get_cells (run);
  g_signal_connect_object (run_cells, "items-changed", G_CALLBACK (on_run_cells_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (run, "cell-finished", G_CALLBACK (on_cell_finished), self, G_CONNECT_SWAPPED);
  on_run_cells_changed (self, 0, 0, g_list_model_get_n_items (run_cells), run_cells);
}

/* Failed tasks of the shown cells' measured repetitions. */
guint
lab_result_set_get_failed_tasks (LabResultSet *self)
{
  guint n, failed = 0;

  g_return_val_if_fail (LAB_IS_RESULT_SET (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->cells));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (G_LIST_MODEL (self->cells), i);

      failed += lab_cell_get_failed_tasks (cell);
    }
  return failed;
}

static int
compare_started_at (gconstpointer a,
                    gconstpointer b)
{
  const LabRepetition *rep_a = *(LabRepetition * const *) a;
  const LabRepetition *rep_b = *(LabRepetition * const *) b;

  return g_date_time_compare (rep_a->started_at, rep_b->started_at);
}

/**
 * lab_result_set_dup_error_kinds:
 *
 * The errors of the shown cells' failed tasks, the ones
 * lab_result_set_get_failed_tasks() counts, grouped by message in the
 * order they occurred (see lab_repetitions_dup_error_kinds()).
 *
 * Returns: (transfer container) (element-type LabErrorKind): the kinds of
 *   error; empty when no task failed
 */
GPtrArray *
lab_result_set_dup_error_kinds (LabResultSet *self)
{
  g_autoptr(GPtrArray) reps = g_ptr_array_new ();
  guint n;

  g_return_val_if_fail (LAB_IS_RESULT_SET (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->cells));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (G_LIST_MODEL (self->cells), i);
      GPtrArray *cell_reps = lab_cell_get_repetitions (cell);

      g_ptr_array_extend (reps, cell_reps, NULL, NULL);
    }
  /* Cells of several runs: in the order the repetitions ran. */
  g_ptr_array_sort (reps, compare_started_at);
  return lab_repetitions_dup_error_kinds (reps);
}

static void
lab_result_set_finalize (GObject *object)
{
  LabResultSet *self = LAB_RESULT_SET (object);

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_object (&self->cells);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->caption, g_free);

  G_OBJECT_CLASS (lab_result_set_parent_class)->finalize (object);
}

static void
lab_result_set_class_init (LabResultSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lab_result_set_finalize;
}

static void
lab_result_set_init (LabResultSet *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->cells = g_list_store_new (LAB_TYPE_CELL);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lab-cell.h"
#include "lab-machine.h"
#include "lab-stats.h"

struct _LabCell
{
  GObject    parent_instance;

  LabRuntime runtime;
  LabMode    mode;
  guint      workers;
  GPtrArray *repetitions;   /* measured LabRepetition, in order */

  double     median_s;
  double     min_s;
  double     max_s;
  double     mad_s;
  double     speedup;
  double     efficiency;
  double     cpu_util;
  double     background_cpu;
  gboolean   unstable;
  double     throughput_mib_s;
  guint64    checksum;
  gboolean   checksum_consistent;
  guint      ok_tasks;
  guint      failed_tasks;
  guint64    bytes;
  GArray    *latencies_ms;  /* double, of every successful measured task */
};

G_DEFINE_FINAL_TYPE (LabCell, lab_cell, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODE,
  PROP_WORKERS,
  PROP_N_REPETITIONS,
  PROP_MEDIAN_S,
  PROP_MIN_S,
  PROP_MAX_S,
  PROP_MAD_S,
  PROP_SPEEDUP,
  PROP_EFFICIENCY,
  PROP_CPU_UTIL,
  PROP_CHECKSUM,
  PROP_FAILED_TASKS,
  PROP_BACKGROUND_CPU,
  PROP_UNSTABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lab_cell_finalize (GObject *object)
{
  LabCell *self = (LabCell *) object;

  g_clear_pointer (&self->repetitions, g_ptr_array_unref);
  g_clear_pointer (&self->latencies_ms, g_array_unref);

  G_OBJECT_CLASS (lab_cell_parent_class)->finalize (object);
}

static void
lab_cell_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  LabCell *self = LAB_CELL (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_uint (value, self->mode);
      break;
    case PROP_WORKERS:
      g_value_set_uint (value, self->workers);
      break;
    case PROP_N_REPETITIONS:
      g_value_set_uint (value, self->repetitions->len);
      break;
    case PROP_MEDIAN_S:
      g_value_set_double (value, self->median_s);
      break;
    case PROP_MIN_S:
      g_value_set_double (value, self->min_s);
      break;
    case PROP_MAX_S:
      g_value_set_double (value, self->max_s);
      break;
    case PROP_MAD_S:
      g_value_set_double (value, self->mad_s);
      break;
    case PROP_SPEEDUP:
      g_value_set_double (value, self->speedup);
      break;
    case PROP_EFFICIENCY:
      g_value_set_double (value, self->efficiency);
      break;
    case PROP_CPU_UTIL:
      g_value_set_double (value, self->cpu_util);
      break;
    case PROP_CHECKSUM:
      g_value_set_uint64 (value, self->checksum);
      break;
    case PROP_FAILED_TASKS:
      g_value_set_uint (value, self->failed_tasks);
      break;
    case PROP_BACKGROUND_CPU:
      g_value_set_double (value, self->background_cpu);
      break;
    case PROP_UNSTABLE:
      g_value_set_boolean (value, self->unstable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cell_class_init (LabCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lab_cell_finalize;
  object_class->get_property = lab_cell_get_property;

  properties[PROP_MODE] = g_param_spec_uint ("mode", NULL, NULL, 0, LAB_N_MODES - 1, 0, flags);
  properties[PROP_WORKERS] = g_param_spec_uint ("workers", NULL, NULL, 1, G_MAXUINT, 1, flags);
  properties[PROP_N_REPETITIONS] = g_param_spec_uint ("n-repetitions", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MEDIAN_S] = g_param_spec_double ("median-s", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_MIN_S] = g_param_spec_double ("min-s", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_MAX_S] = g_param_spec_double ("max-s", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_MAD_S] = g_param_spec_double ("mad-s", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_SPEEDUP] = g_param_spec_double ("speedup", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_EFFICIENCY] = g_param_spec_double ("efficiency", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_CPU_UTIL] = g_param_spec_double ("cpu-util", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  properties[PROP_CHECKSUM] = g_param_spec_uint64 ("checksum", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_FAILED_TASKS] = g_param_spec_uint ("failed-tasks", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /**
   * LabCell:background-cpu:
   *
   * The share (0..1) of the machine's CPU that other programs used while
   * the cell was measured; NAN when unknown.
   */
  properties[PROP_BACKGROUND_CPU] = g_param_spec_double ("background-cpu", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
  /**
   * LabCell:unstable:
   *
   * Whether the repetitions' wall times disagree too much: at least two
   * of them, and MAD ÷ median above %LAB_UNSTABLE_THRESHOLD.
   */
  properties[PROP_UNSTABLE] = g_param_spec_boolean ("unstable", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lab_cell_init (LabCell *self)
{
  self->repetitions = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_repetition_unref);
  self->latencies_ms = g_array_new (FALSE, FALSE, sizeof (double));
  self->median_s = self->min_s = self->max_s = self->mad_s = NAN;
  self->speedup = self->efficiency = self->cpu_util = self->throughput_mib_s = NAN;
  self->background_cpu = NAN;
}

/**
 * lab_cell_new:
 *
 * Returns: (transfer full): an empty cell
 */
LabCell *
lab_cell_new (LabRuntime runtime,
              LabMode    mode,
              guint      workers)
{
  LabCell *self = g_object_new (LAB_TYPE_CELL, NULL);

  self->runtime = runtime;
  self->mode = mode;
  self->workers = workers;
  return self;
}

LabRuntime
lab_cell_get_runtime (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->runtime;
}

const char *
lab_cell_get_title (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NULL);
  return lab_variant_title (self->runtime, self->mode);
}

double
lab_cell_get_startup_s (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);

  /* One executor ran the cell: its repetitions carry the same figure. */
  if (self->repetitions->len == 0)
    return NAN;
  return ((LabRepetition *) g_ptr_array_index (self->repetitions, 0))->startup_s;
}

LabMode
lab_cell_get_mode (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->mode;
}

guint
lab_cell_get_workers (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->workers;
}

/**
 * lab_cell_add_repetition:
 *
 * Adds a finished, measured repetition. Call lab_cell_update() after.
 */
void
lab_cell_add_repetition (LabCell       *self,
                         LabRepetition *rep)
{
  g_return_if_fail (LAB_IS_CELL (self));
  g_return_if_fail (rep != NULL && !rep->warmup);

  g_ptr_array_add (self->repetitions, lab_repetition_ref (rep));
}

/**
 * lab_cell_get_repetitions:
 *
 * Returns: (transfer none) (element-type LabRepetition): the measured repetitions
 */
GPtrArray *
lab_cell_get_repetitions (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NULL);
  return self->repetitions;
}

static void
update_latencies (LabCell *self)
{
  g_array_set_size (self->latencies_ms, 0);
  for (guint r = 0; r < self->repetitions->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (self->repetitions, r);

      for (guint i = 0; i < rep->spans->len; i++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);
          double ms = (span->end_us - span->start_us) / 1000.0;

          /* A pipeline's latency is its downloads'. */
          if (span->status == LAB_TASK_OK && (span->stage == LAB_STAGE_TASK || span->stage == LAB_STAGE_DOWNLOAD))
            g_array_append_val (self->latencies_ms, ms);
        }
    }
}

/* Background CPU of the whole cell: the other programs' busy seconds over
 * all repetitions ÷ the CPU capacity of all of them (wall × CPUs), so that
 * the clock-tick rounding of each repetition averages out instead of
 * being clamped away one repetition at a time. NAN when no repetition knows,
 * or when the repetitions are so short that one tick per CPU per
 * repetition could reach LAB_CONTENTION_THRESHOLD on its own. */
static double
background_cpu (GPtrArray *repetitions)
{
  double n_cpus = lab_machine_n_cpus ();
  double busy_s = 0, capacity_s = 0;
  guint known = 0;

  for (guint i = 0; i < repetitions->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (repetitions, i);

      if (!isfinite (rep->background_busy_s) || !(rep->wall_s > 0))
        continue;
      busy_s += rep->background_busy_s;
      capacity_s += rep->wall_s * n_cpus;
      known++;
    }
  if (known == 0 || known * n_cpus * lab_machine_tick_s () > LAB_CONTENTION_THRESHOLD * capacity_s)
    return NAN;
  return CLAMP (busy_s / capacity_s, 0.0, 1.0);
}

/**
 * lab_cell_update:
 * @baseline_median_s: the sequential median wall time, or NAN when unknown
 *
 * Recomputes the statistics: median, min, max and MAD of the wall times,
 * outliers (modified z-score > 3.5), speedup and efficiency of the cell and
 * of each repetition, the background CPU and whether the cell is unstable.
 * A cell with failed tasks has no speedup (NAN), nor have its
 * repetitions: it did less work than its baseline.
 */
void
lab_cell_update (LabCell *self,
                 double   baseline_median_s)
{
  guint n;
  g_autofree double *walls = NULL;
  g_autofree double *utils = NULL;
  g_autofree double *throughputs = NULL;
  g_autofree gboolean *outliers = NULL;

  g_return_if_fail (LAB_IS_CELL (self));

  n = self->repetitions->len;
  walls = g_new0 (double, MAX (n, 1));
  utils = g_new0 (double, MAX (n, 1));
  throughputs = g_new0 (double, MAX (n, 1));
  outliers = g_new0 (gboolean, MAX (n, 1));

  self->ok_tasks = 0;
  self->failed_tasks = 0;
  self->checksum_consistent = TRUE;
  for (guint i = 0; i < n; i++)
    {
      LabRepetition *rep = g_ptr_array_index (self->repetitions, i);

      walls[i] = rep->wall_s;
      utils[i] = rep->cpu_util;
      throughputs[i] = rep->wall_s > 0 ? rep->bytes / rep->wall_s / (1024.0 * 1024.0) : NAN;
      self->ok_tasks += rep->ok_tasks;
      self->failed_tasks += rep->failed_tasks;
      if (i == 0)
        {
          self->checksum = rep->checksum;
          self->bytes = rep->bytes;
        }
      else if (rep->checksum != self->checksum)
        self->checksum_consistent = FALSE;
    }

  self->median_s = lab_stats_median (walls, n);
  self->min_s = lab_stats_min (walls, n);
  self->max_s = lab_stats_max (walls, n);
  self->mad_s = lab_stats_mad (walls, n);
  self->cpu_util = lab_stats_median (utils, n);
  self->throughput_mib_s = lab_stats_median (throughputs, n);
  if (self->failed_tasks > 0)
    baseline_median_s = NAN;
  self->speedup = baseline_median_s / self->median_s;
  self->efficiency = self->speedup / self->workers;
  self->background_cpu = background_cpu (self->repetitions);
  self->unstable = n >= 2 && self->mad_s / self->median_s > LAB_UNSTABLE_THRESHOLD;

  lab_stats_flag_outliers (walls, n, outliers);
  for (guint i = 0; i < n; i++)
    {
      LabRepetition *rep = g_ptr_array_index (self->repetitions, i);

      rep->outlier = outliers[i];
      rep->speedup = baseline_median_s / rep->wall_s;
      rep->efficiency = rep->speedup / self->workers;
    }

  update_latencies (self);

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_N_REPETITIONS; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

double
lab_cell_get_median_s (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->median_s;
}

double
lab_cell_get_min_s (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->min_s;
}

double
lab_cell_get_max_s (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->max_s;
}

double
lab_cell_get_mad_s (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->mad_s;
}

double
lab_cell_get_speedup (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->speedup;
}

double
lab_cell_get_efficiency (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->efficiency;
}

double
lab_cell_get_cpu_util (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->cpu_util;
}

/**
 * lab_cell_get_background_cpu:
 *
 * The share of the machine's CPU (0..1) that other programs used while the
 * cell's repetitions ran, weighted by their length. Above
 * %LAB_CONTENTION_THRESHOLD the cell measured contention.
 *
 * Returns: the share, or NAN when /proc/stat could not be read or the
 *   repetitions were too short for its clock ticks to tell
 */
double
lab_cell_get_background_cpu (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->background_cpu;
}

/**
 * lab_cell_get_unstable:
 *
 * Returns: %TRUE when the cell has at least two repetitions and the MAD of
 *   their wall times exceeds %LAB_UNSTABLE_THRESHOLD of the median
 */
gboolean
lab_cell_get_unstable (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), FALSE);
  return self->unstable;
}

guint64
lab_cell_get_checksum (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->checksum;
}

gboolean
lab_cell_get_checksum_consistent (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), FALSE);
  return self->checksum_consistent;
}

guint
lab_cell_get_failed_tasks (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->failed_tasks;
}

guint
lab_cell_get_ok_tasks (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->ok_tasks;
}

guint64
lab_cell_get_bytes (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), 0);
  return self->bytes;
}

double
lab_cell_get_throughput_mib_s (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return self->throughput_mib_s;
}

double
lab_cell_get_latency_ms (LabCell *self,
                         double   percentile)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  return lab_stats_percentile ((const double *) self->latencies_ms->data, self->latencies_ms->len, percentile);
}

/**
 * lab_cell_get_stage_busy_s:
 *
 * Returns: the median over the measured repetitions of the time spans
 *   of @stage took together (LabRepetition:stage_busy_s); NAN before any
 */
double
lab_cell_get_stage_busy_s (LabCell  *self,
                           LabStage  stage)
{
  g_autofree double *busy = NULL;

  g_return_val_if_fail (LAB_IS_CELL (self), NAN);
  g_return_val_if_fail (stage < LAB_N_STAGES, NAN);

  busy = g_new (double, MAX (self->repetitions->len, 1));
  for (guint r = 0; r < self->repetitions->len; r++)
    busy[r] = ((LabRepetition *) g_ptr_array_index (self->repetitions, r))->stage_busy_s[stage];
  return lab_stats_median (busy, self->repetitions->len);
}

/**
 * lab_cell_dup_first_error:
 *
 * Returns: (transfer full) (nullable): the error of the first failed task
 */
char *
lab_cell_dup_first_error (LabCell *self)
{
  g_return_val_if_fail (LAB_IS_CELL (self), NULL);

  for (guint r = 0; r < self->repetitions->len; r++)
    {
      LabRepetition *rep = g_ptr_array_index (self->repetitions, r);

      for (guint i = 0; i < rep->spans->len; i++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, i);

          if (span->status != LAB_TASK_OK && span->error != NULL)
            return g_strdup (span->error);
        }
    }
  return NULL;
}

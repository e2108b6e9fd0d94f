/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-history-private.h"

struct _LabHistoryEntry
{
  GObject           parent_instance;

  gint64            id;
  char             *run_id;
  LabHistoryStatus  status;
  GDateTime        *started_at;
  LabRunConfig     *config;
  char             *workload;
  char             *settings;
  char             *modes;
  char             *workers;
  char             *title;
  double            runtime_s;
  guint             repetitions_done;
  guint             repetitions_total;
  guint             failed_tasks;
  double            best_speedup;
  char             *best_variant;
  char             *error;
  guint             host_cpus;
  char             *cpu_model;
  char             *app_version;
};

G_DEFINE_FINAL_TYPE (LabHistoryEntry, lab_history_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_STATUS,
  PROP_STARTED_AT,
  PROP_TITLE,
  PROP_SETTINGS,
  PROP_MODES,
  PROP_WORKERS,
  PROP_REPETITIONS_DONE,
  PROP_REPETITIONS_TOTAL,
  PROP_BEST_SPEEDUP,
  PROP_BEST_VARIANT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const status_names[] = {
  [LAB_HISTORY_RUNNING] = "running",
  [LAB_HISTORY_FINISHED] = "finished",
  [LAB_HISTORY_CANCELLED] = "cancelled",
  [LAB_HISTORY_FAILED] = "failed",
  [LAB_HISTORY_INTERRUPTED] = "interrupted",
};

const char *
lab_history_status_to_string (LabHistoryStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (status_names), "unknown");
  return status_names[status];
}

gboolean
lab_history_status_from_string (const char       *name,
                                LabHistoryStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (name, status_names[i]) == 0)
      {
        *status = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lab_history_status_title (LabHistoryStatus status)
{
  switch (status)
    {
    case LAB_HISTORY_RUNNING:
      /* Translators: the state of a run in the history */
      return _("Running");
    case LAB_HISTORY_FINISHED:
      /* Translators: the state of a run in the history */
      return _("Finished");
    case LAB_HISTORY_CANCELLED:
      /* Translators: the state of a run in the history: it was stopped */
      return _("Stopped");
    case LAB_HISTORY_FAILED:
      /* Translators: the state of a run in the history */
      return _("Failed");
    case LAB_HISTORY_INTERRUPTED:
      /* Translators: the state of a run in the history: its program was killed or crashed */
      return _("Interrupted");
    default:
      g_return_val_if_reached ("");
    }
}

static void
lab_history_entry_finalize (GObject *object)
{
  LabHistoryEntry *self = (LabHistoryEntry *) object;

  g_free (self->run_id);
  g_clear_pointer (&self->started_at, g_date_time_unref);
  g_clear_pointer (&self->config, lab_run_config_free);
  g_free (self->workload);
  g_free (self->settings);
  g_free (self->modes);
  g_free (self->workers);
  g_free (self->title);
  g_free (self->best_variant);
  g_free (self->error);
  g_free (self->cpu_model);
  g_free (self->app_version);

  G_OBJECT_CLASS (lab_history_entry_parent_class)->finalize (object);
}

static void
lab_history_entry_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LabHistoryEntry *self = LAB_HISTORY_ENTRY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_STATUS:
      g_value_set_uint (value, self->status);
      break;
    case PROP_STARTED_AT:
      g_value_set_boxed (value, self->started_at);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SETTINGS:
      g_value_set_string (value, self->settings);
      break;
    case PROP_MODES:
      g_value_set_string (value, self->modes);
      break;
    case PROP_WORKERS:
      g_value_set_string (value, self->workers);
      break;
    case PROP_REPETITIONS_DONE:
      g_value_set_uint (value, self->repetitions_done);
      break;
    case PROP_REPETITIONS_TOTAL:
      g_value_set_uint (value, self->repetitions_total);
      break;
    case PROP_BEST_SPEEDUP:
      g_value_set_double (value, self->best_speedup);
      break;
    case PROP_BEST_VARIANT:
      g_value_set_string (value, self->best_variant);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_history_entry_class_init (LabHistoryEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lab_history_entry_finalize;
  object_class->get_property = lab_history_entry_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATUS] = g_param_spec_uint ("status", NULL, NULL, 0, LAB_HISTORY_INTERRUPTED, 0, flags);
  properties[PROP_STARTED_AT] = g_param_spec_boxed ("started-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_SETTINGS] = g_param_spec_string ("settings", NULL, NULL, NULL, flags);
  properties[PROP_MODES] = g_param_spec_string ("modes", NULL, NULL, NULL, flags);
  properties[PROP_WORKERS] = g_param_spec_string ("workers", NULL, NULL, NULL, flags);
  properties[PROP_REPETITIONS_DONE] = g_param_spec_uint ("repetitions-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_REPETITIONS_TOTAL] = g_param_spec_uint ("repetitions-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_BEST_SPEEDUP] = g_param_spec_double ("best-speedup", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE,
                                                       0, flags);
  properties[PROP_BEST_VARIANT] = g_param_spec_string ("best-variant", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lab_history_entry_init (LabHistoryEntry *self)
{
  self->runtime_s = NAN;
  self->best_speedup = NAN;
}

/* "sequential, threads, cpython/processes": what the run ran, in its order */
static char *
describe_variants (const LabRunConfig *config)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint r = 0; r < config->runtimes->len; r++)
    for (guint m = 0; m < config->modes->len; m++)
      {
        LabRuntime runtime = g_array_index (config->runtimes, LabRuntime, r);
        LabMode mode = g_array_index (config->modes, LabMode, m);

        if (lab_runtime_accepts_mode (runtime, mode))
          g_ptr_array_add (names, lab_variant_to_string (runtime, mode));
      }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static char *
describe_workers (const LabRunConfig *config)
{
  GString *text = g_string_new (NULL);

  for (guint w = 0; w < config->workers->len; w++)
    g_string_append_printf (text, "%s%u", w > 0 ? ", " : "", g_array_index (config->workers, guint, w));
  return g_string_free (text, FALSE);
}

LabHistoryEntry *
lab_history_entry_new (gint64              id,
                       const char         *run_id,
                       LabHistoryStatus    status,
                       GDateTime          *started_at,
                       const LabRunConfig *config)
{
  LabHistoryEntry *self = g_object_new (LAB_TYPE_HISTORY_ENTRY, NULL);

  self->id = id;
  self->run_id = g_strdup (run_id);
  self->status = status;
  self->started_at = g_date_time_ref (started_at);
  self->config = lab_run_config_copy (config);
  self->workload = lab_workload_to_spec (config->workload);
  self->settings = lab_run_config_describe_settings (config);
  self->modes = describe_variants (config);
  self->workers = describe_workers (config);
  /* Translators: a run in the history: its settings, "Prime count · size
   * 2,000,000 · 16 tasks", then its modes, "sequential, threads", then its
   * worker counts, "1, 2" */
  self->title = g_strdup_printf (_("%s · %s · workers %s"), self->settings, self->modes, self->workers);
  return self;
}

/* The cell with the highest speed-up over its runtime's sequential cell,
 * from @run's cells as the engine computes them. */
static void
find_best (LabHistoryEntry *self,
           LabRun          *run)
{
  GListModel *cells = lab_run_get_cells (run);

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      double speedup = lab_cell_get_speedup (cell);
      g_autofree char *variant = NULL;

      if (lab_cell_get_mode (cell) == LAB_MODE_SEQUENTIAL || !isfinite (speedup) ||
          (isfinite (self->best_speedup) && speedup <= self->best_speedup))
        continue;
      self->best_speedup = speedup;
      variant = lab_variant_to_string (lab_cell_get_runtime (cell), lab_cell_get_mode (cell));
      g_free (self->best_variant);
      self->best_variant = g_strdup_printf ("%s ×%u", variant, lab_cell_get_workers (cell));
    }
}

void
lab_history_entry_set_results (LabHistoryEntry *self,
                               double           runtime_s,
                               guint            repetitions_done,
                               guint            repetitions_total,
                               LabRun          *run)
{
  self->runtime_s = runtime_s;
  self->repetitions_done = repetitions_done;
  self->repetitions_total = repetitions_total;
  self->failed_tasks = lab_run_get_failed_tasks (run);
  find_best (self, run);
}

void
lab_history_entry_set_machine (LabHistoryEntry *self,
                               guint            host_cpus,
                               const char      *cpu_model,
                               const char      *app_version)
{
  self->host_cpus = host_cpus;
  g_free (self->cpu_model);
  self->cpu_model = g_strdup (cpu_model);
  g_free (self->app_version);
  self->app_version = g_strdup (app_version);
}

void
lab_history_entry_set_error (LabHistoryEntry *self,
                             const char      *error)
{
  g_free (self->error);
  self->error = g_strdup (error);
}

gint64
lab_history_entry_get_id (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), 0);
  return self->id;
}

const char *
lab_history_entry_get_run_id (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->run_id;
}

LabHistoryStatus
lab_history_entry_get_status (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), LAB_HISTORY_FINISHED);
  return self->status;
}

GDateTime *
lab_history_entry_get_started_at (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->started_at;
}

double
lab_history_entry_get_runtime_s (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NAN);
  return self->runtime_s;
}

const LabRunConfig *
lab_history_entry_get_config (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->config;
}

const char *
lab_history_entry_get_workload (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->workload;
}

const char *
lab_history_entry_get_settings (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->settings;
}

const char *
lab_history_entry_get_modes (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->modes;
}

const char *
lab_history_entry_get_workers (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->workers;
}

const char *
lab_history_entry_get_title (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->title;
}

guint
lab_history_entry_get_repetitions_done (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), 0);
  return self->repetitions_done;
}

guint
lab_history_entry_get_repetitions_total (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), 0);
  return self->repetitions_total;
}

guint
lab_history_entry_get_failed_tasks (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), 0);
  return self->failed_tasks;
}

double
lab_history_entry_get_best_speedup (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NAN);
  return self->best_speedup;
}

const char *
lab_history_entry_get_best_variant (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->best_variant;
}

const char *
lab_history_entry_get_error (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->error;
}

guint
lab_history_entry_get_host_cpus (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), 0);
  return self->host_cpus;
}

const char *
lab_history_entry_get_cpu_model (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->cpu_model;
}

const char *
lab_history_entry_get_app_version (LabHistoryEntry *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ENTRY (self), NULL);
  return self->app_version;
}

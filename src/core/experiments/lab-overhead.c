/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-async.h"
#include "lab-format.h"
#include "lab-http-server.h"
#include "lab-overhead-private.h"
#include "lab-stats.h"
#include "lab-run-config.h"

/* Progress travels to the main context at most this often. */
#define PROGRESS_US  (50 * 1000)

static const LabOverheadExperiment *classes[LAB_N_OVERHEADS] = {
  [LAB_OVERHEAD_STARTUP] = &lab_overhead_startup_experiment,
  [LAB_OVERHEAD_MEMORY] = &lab_overhead_memory_experiment,
  [LAB_OVERHEAD_COMMUNICATION] = &lab_overhead_communication_experiment,
  [LAB_OVERHEAD_CRASH] = &lab_overhead_crash_experiment,
  [LAB_OVERHEAD_RACE] = &lab_overhead_race_experiment,
  [LAB_OVERHEAD_GRANULARITY] = &lab_overhead_granularity_experiment,
  [LAB_OVERHEAD_AFFINITY] = &lab_overhead_affinity_experiment,
  [LAB_OVERHEAD_POOLS] = &lab_overhead_pools_experiment,
};

const LabOverheadExperiment *
lab_overhead_experiment_get (LabOverheadKind kind)
{
  g_return_val_if_fail (kind < LAB_N_OVERHEADS, NULL);
  g_assert (classes[kind]->kind == kind);
  return classes[kind];
}

const char *
lab_overhead_kind_to_string (LabOverheadKind kind)
{
  return lab_overhead_experiment_get (kind)->name;
}

gboolean
lab_overhead_kind_from_string (const char      *name,
                               LabOverheadKind *kind)
{
  for (guint i = 0; i < LAB_N_OVERHEADS; i++)
    if (g_strcmp0 (name, classes[i]->name) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lab_overhead_kind_title (LabOverheadKind kind)
{
  return _(lab_overhead_experiment_get (kind)->title);
}

const char *
lab_overhead_kind_description (LabOverheadKind kind)
{
  return _(lab_overhead_experiment_get (kind)->description);
}

LabOverheadPoint *
lab_overhead_point_new (LabOverheadKind  kind,
                        const char      *variant,
                        const char      *metric,
                        const char      *parameter,
                        double           parameter_value,
                        double           value,
                        const char      *unit,
                        guint            repeat)
{
  LabOverheadPoint *point = g_new0 (LabOverheadPoint, 1);

  point->kind = kind;
  point->variant = g_strdup (variant);
  point->metric = g_strdup (metric);
  point->parameter = g_strdup (parameter);
  point->parameter_value = parameter_value;
  point->value = value;
  point->unit = g_strdup (unit);
  point->repeat = repeat;
  return point;
}

void
lab_overhead_point_free (LabOverheadPoint *point)
{
  if (point == NULL)
    return;
  g_free (point->variant);
  g_free (point->metric);
  g_free (point->parameter);
  g_free (point->unit);
  g_free (point);
}

char *
lab_overhead_format_value (double      value,
                           const char *unit)
{
  g_autofree char *number = NULL;

  if (!isfinite (value))
    return g_strdup (LAB_FORMAT_NONE);
  if (g_strcmp0 (unit, "s") == 0)
    return lab_format_duration_scaled (value, fabs (value));
  if (g_strcmp0 (unit, "us") == 0)
    return lab_format_duration_scaled (value / G_USEC_PER_SEC, fabs (value) / G_USEC_PER_SEC);
  if (g_strcmp0 (unit, "KiB") == 0)
    return lab_format_bytes ((guint64) MAX (round (value * 1024), 0));
  if (g_strcmp0 (unit, "bytes") == 0)
    return lab_format_bytes ((guint64) MAX (round (value), 0));
  if (g_strcmp0 (unit, "ns") == 0)
    {
      number = lab_format_number (value);
      /* TRANSLATORS: nanoseconds */
      return g_strdup_printf (_("%s ns"), number);
    }
  if (g_strcmp0 (unit, "GB/s") == 0)
    {
      number = lab_format_number (value);
      /* TRANSLATORS: gigabytes per second */
      return g_strdup_printf (_("%s GB/s"), number);
    }
  if (value == round (value) && fabs (value) < 1e15)
    {
      number = lab_format_count ((guint64) fabs (value));
      if (value < 0)
        return g_strdup_printf ("−%s", number);
    }
  else
    number = lab_format_number (value);
  /* Counted things ("tasks", "updates", "switches", …): the number alone. */
  return g_steal_pointer (&number);
}

/* Tables */

static void
series_free (LabOverheadSeries *series)
{
  g_free (series->name);
  g_array_unref (series->values);
  g_free (series);
}

void
lab_overhead_table_free (LabOverheadTable *table)
{
  if (table == NULL)
    return;
  g_free (table->title);
  g_free (table->x_label);
  g_free (table->y_label);
  g_free (table->unit);
  g_ptr_array_unref (table->columns);
  g_array_unref (table->x);
  g_ptr_array_unref (table->series);
  g_free (table);
}

LabOverheadTable *
lab_overhead_table_new (LabOverheadChartKind  kind,
                        const char           *title,
                        const char           *x_label,
                        const char           *y_label,
                        const char           *unit)
{
  LabOverheadTable *table = g_new0 (LabOverheadTable, 1);

  table->kind = kind;
  table->title = g_strdup (title);
  table->x_label = g_strdup (x_label);
  table->y_label = g_strdup (y_label);
  table->unit = g_strdup (unit);
  table->columns = g_ptr_array_new_with_free_func (g_free);
  table->x = g_array_new (FALSE, FALSE, sizeof (double));
  table->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  return table;
}

guint
lab_overhead_table_add_column (LabOverheadTable *table,
                               const char       *label,
                               double            x)
{
  double nan_value = NAN;

  g_ptr_array_add (table->columns, g_strdup (label));
  g_array_append_val (table->x, x);
  for (guint i = 0; i < table->series->len; i++)
    g_array_append_val (((LabOverheadSeries *) table->series->pdata[i])->values, nan_value);
  return table->columns->len - 1;
}

LabOverheadSeries *
lab_overhead_table_add_series (LabOverheadTable *table,
                               const char       *name)
{
  LabOverheadSeries *series = g_new0 (LabOverheadSeries, 1);
  double nan_value = NAN;

  series->name = g_strdup (name);
  series->values = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < table->columns->len; i++)
    g_array_append_val (series->values, nan_value);
  g_ptr_array_add (table->series, series);
  return series;
}

void
lab_overhead_series_set (LabOverheadSeries *series,
                         guint              column,
                         double             value)
{
  g_return_if_fail (column < series->values->len);
  g_array_index (series->values, double, column) = value;
}

/* The finite values of the points matching @variant, @metric and
 * @parameter_value. */
static GArray *
points_values (GPtrArray  *points,
               const char *variant,
               const char *metric,
               double      parameter_value)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];

      if (g_strcmp0 (point->variant, variant) == 0 && g_strcmp0 (point->metric, metric) == 0 &&
          point->parameter_value == parameter_value && isfinite (point->value))
        g_array_append_val (values, point->value);
    }
  return values;
}

double
lab_overhead_points_median (GPtrArray  *points,
                            const char *variant,
                            const char *metric,
                            double      parameter_value)
{
  g_autoptr(GArray) values = points_values (points, variant, metric, parameter_value);

  if (values->len == 0)
    return NAN;
  return lab_stats_median ((double *) values->data, values->len);
}

gboolean
lab_overhead_points_range (GPtrArray  *points,
                           const char *variant,
                           const char *metric,
                           double      parameter_value,
                           double     *min,
                           double     *max)
{
  g_autoptr(GArray) values = points_values (points, variant, metric, parameter_value);
  const double *v = (const double *) values->data;

  *min = values->len > 0 ? lab_stats_min (v, values->len) : NAN;
  *max = values->len > 0 ? lab_stats_max (v, values->len) : NAN;
  return values->len > 0;
}

double
lab_overhead_points_spread (GPtrArray  *points,
                            const char *variant,
                            const char *metric,
                            double      parameter_value)
{
  double min, max, median;

  if (!lab_overhead_points_range (points, variant, metric, parameter_value, &min, &max))
    return NAN;
  median = lab_overhead_points_median (points, variant, metric, parameter_value);
  return max == min ? 0 : (max - min) / fabs (median);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

GArray *
lab_overhead_points_parameters (GPtrArray  *points,
                                const char *metric)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < points->len; i++)
    {
      const LabOverheadPoint *point = points->pdata[i];
      gboolean seen = FALSE;

      if (g_strcmp0 (point->metric, metric) != 0)
        continue;
      for (guint j = 0; j < values->len && !seen; j++)
        seen = g_array_index (values, double, j) == point->parameter_value;
      if (!seen)
        g_array_append_val (values, point->parameter_value);
    }
  g_array_sort (values, compare_doubles);
  return values;
}

/* LabOverhead */

struct _LabOverheadContext
{
  LabOverhead   *overhead;       /* owned */
  GMainContext  *context;        /* owned: where points and progress go */
  GCancellable  *cancellable;    /* owned */
  GTask         *task;           /* owned */
  LabHttpServer *server;         /* started on demand */
  gint64         progress_sent_us;
};

struct _LabOverhead
{
  GObject                 parent_instance;

  const LabOverheadExperiment *experiment;
  LabOverheadOptions      options;
  GPtrArray              *points;
  LabOverheadState        state;
  double                  progress;
  GError                 *error;
};

G_DEFINE_FINAL_TYPE (LabOverhead, lab_overhead, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_RUNNING,
  PROP_PROGRESS,
  N_PROPS
};

enum
{
  SIGNAL_POINT_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lab_overhead_finalize (GObject *object)
{
  LabOverhead *self = LAB_OVERHEAD (object);

  g_free (self->options.worker_path);
  g_free (self->options.server_url);
  g_ptr_array_unref (self->points);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (lab_overhead_parent_class)->finalize (object);
}

static void
lab_overhead_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LabOverhead *self = LAB_OVERHEAD (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->state == LAB_OVERHEAD_RUNNING);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_overhead_class_init (LabOverheadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lab_overhead_finalize;
  object_class->get_property = lab_overhead_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, LAB_OVERHEAD_IDLE, LAB_OVERHEAD_FAILED, LAB_OVERHEAD_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_POINT_ADDED] =
    g_signal_new ("point-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
lab_overhead_init (LabOverhead *self)
{
  self->points = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_point_free);
}

LabOverhead *
lab_overhead_new (LabOverheadKind           kind,
                  const LabOverheadOptions *options)
{
  LabOverhead *self = g_object_new (LAB_TYPE_OVERHEAD, NULL);

  self->experiment = lab_overhead_experiment_get (kind);
  if (options != NULL)
    {
      self->options.worker_path = g_strdup (options->worker_path);
      self->options.server_url = g_strdup (options->server_url);
    }
  return self;
}

LabOverheadKind
lab_overhead_get_kind (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), 0);
  return self->experiment->kind;
}

void
lab_overhead_set_server_url (LabOverhead *self,
                             const char  *server_url)
{
  g_return_if_fail (LAB_IS_OVERHEAD (self));
  /* The running experiment's thread reads the options. */
  g_return_if_fail (self->state != LAB_OVERHEAD_RUNNING);

  g_free (self->options.server_url);
  self->options.server_url = g_strdup (server_url);
}

LabOverheadState
lab_overhead_get_state (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), LAB_OVERHEAD_IDLE);
  return self->state;
}

gboolean
lab_overhead_get_running (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), FALSE);
  return self->state == LAB_OVERHEAD_RUNNING;
}

double
lab_overhead_get_progress (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), 0);
  return self->progress;
}

/**
 * lab_overhead_get_points:
 *
 * Returns: (transfer none) (element-type LabOverheadPoint): the points
 */
GPtrArray *
lab_overhead_get_points (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), NULL);
  return self->points;
}

const GError *
lab_overhead_get_error (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), NULL);
  return self->error;
}

/**
 * lab_overhead_dup_tables:
 *
 * Returns: (transfer full) (element-type LabOverheadTable): the tables
 */
GPtrArray *
lab_overhead_dup_tables (LabOverhead *self)
{
  g_return_val_if_fail (LAB_IS_OVERHEAD (self), NULL);
  if (self->points->len == 0)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) lab_overhead_table_free);
  return self->experiment->tables (self->points);
}

char *
lab_overhead_dup_reading (LabOverhead *self)
{
  g_autofree char *reading = NULL;

  g_return_val_if_fail (LAB_IS_OVERHEAD (self), NULL);

  if (self->state == LAB_OVERHEAD_IDLE || self->state == LAB_OVERHEAD_RUNNING)
    return NULL;
  reading = self->experiment->reading (self->points, self->state == LAB_OVERHEAD_DONE);

  switch (self->state)
    {
    case LAB_OVERHEAD_CANCELLED:
      if (reading == NULL)
        return g_strdup (_("Stopped before anything was measured."));
      /* TRANSLATORS: %s is what the points measured so far show */
      return g_strdup_printf (_("Stopped before the end. So far: %s"), reading);
    case LAB_OVERHEAD_FAILED:
      if (reading == NULL)
        /* TRANSLATORS: %s is an error message */
        return g_strdup_printf (_("Failed: %s"), self->error->message);
      /* TRANSLATORS: the first %s is an error message, the second what was measured before it */
      return g_strdup_printf (_("Failed: %s. Before that: %s"), self->error->message, reading);
    case LAB_OVERHEAD_DONE:
    default:
      return g_steal_pointer (&reading);
    }
}

static void
set_state (LabOverhead      *self,
           LabOverheadState  state)
{
  gboolean was_running = self->state == LAB_OVERHEAD_RUNNING;

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_running != (state == LAB_OVERHEAD_RUNNING))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_progress (LabOverhead *self,
              double       progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

/* The experiment's thread */

static void
context_free (LabOverheadContext *ctx)
{
  if (ctx->server != NULL)
    lab_http_server_stop (ctx->server);
  g_clear_object (&ctx->server);
  g_clear_object (&ctx->task);
  g_clear_object (&ctx->cancellable);
  g_main_context_unref (ctx->context);
  g_object_unref (ctx->overhead);
  g_free (ctx);
}

typedef struct
{
  LabOverhead      *overhead;
  LabOverheadPoint *point;     /* NULL: progress only */
  double            progress;
} Delivery;

static gboolean
deliver (gpointer user_data)
{
  Delivery *delivery = user_data;
  LabOverhead *self = delivery->overhead;

  if (delivery->point != NULL)
    {
      LabOverheadPoint *point = g_steal_pointer (&delivery->point);

      g_ptr_array_add (self->points, point);
      g_signal_emit (self, signals[SIGNAL_POINT_ADDED], 0, point);
    }
  if (delivery->progress >= 0)
    set_progress (self, delivery->progress);
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  lab_overhead_point_free (delivery->point);
  g_object_unref (delivery->overhead);
  g_free (delivery);
}

static void
post (LabOverheadContext *ctx,
      LabOverheadPoint   *point,
      double              progress)
{
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->overhead = g_object_ref (ctx->overhead);
  delivery->point = point;
  delivery->progress = progress;
  g_main_context_invoke_full (ctx->context, G_PRIORITY_DEFAULT, deliver, delivery, delivery_free);
}

void
lab_overhead_context_add_point (LabOverheadContext *ctx,
                                const char         *variant,
                                const char         *metric,
                                const char         *parameter,
                                double              parameter_value,
                                double              value,
                                const char         *unit,
                                guint               repeat)
{
  post (ctx, lab_overhead_point_new (ctx->overhead->experiment->kind, variant, metric, parameter,
                                     parameter_value, value, unit, repeat),
        -1);
}

void
lab_overhead_context_set_progress (LabOverheadContext *ctx,
                                   double              fraction)
{
  gint64 now = g_get_monotonic_time ();

  if (fraction < 1 && now - ctx->progress_sent_us < PROGRESS_US)
    return;
  ctx->progress_sent_us = now;
  post (ctx, NULL, CLAMP (fraction, 0, 1));
}

GCancellable *
lab_overhead_context_get_cancellable (LabOverheadContext *ctx)
{
  return ctx->cancellable;
}

const LabOverheadOptions *
lab_overhead_context_get_options (LabOverheadContext *ctx)
{
  return &ctx->overhead->options;
}

const char *
lab_overhead_context_get_server_url (LabOverheadContext  *ctx,
                                     GError             **error)
{
  if (ctx->overhead->options.server_url != NULL)
    return ctx->overhead->options.server_url;
  if (ctx->server == NULL)
    {
      g_autoptr(LabHttpServer) server = lab_http_server_new ();

      if (!lab_http_server_start_in_thread (server, 0, error))
        return NULL;
      ctx->server = g_steal_pointer (&server);
    }
  return lab_http_server_get_base_url (ctx->server);
}

const char *
lab_overhead_context_get_worker_path (LabOverheadContext *ctx)
{
  LabOverhead *self = ctx->overhead;

  if (self->options.worker_path == NULL)
    self->options.worker_path = lab_worker_path_default ();
  return self->options.worker_path;
}

static gpointer
experiment_thread (gpointer data)
{
  LabOverheadContext *ctx = data;
  g_autoptr(GError) error = NULL;

  /* Stopped before it began (the CLI's Ctrl+C between two experiments):
   * nothing is started at all. */
  if (!g_cancellable_set_error_if_cancelled (ctx->cancellable, &error) &&
      ctx->overhead->experiment->run (ctx, &error))
    {
      lab_overhead_context_set_progress (ctx, 1);
      g_task_return_boolean (ctx->task, TRUE);
    }
  else
    {
      g_assert (error != NULL);
      g_task_return_error (ctx->task, g_steal_pointer (&error));
    }
  context_free (ctx);
  return NULL;
}

static void
run_done (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  LabOverhead *self = LAB_OVERHEAD (object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_state (self, LAB_OVERHEAD_DONE);
      g_task_return_boolean (outer, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_state (self, LAB_OVERHEAD_CANCELLED);
  else
    {
      g_clear_error (&self->error);
      self->error = g_error_copy (error);
      set_state (self, LAB_OVERHEAD_FAILED);
    }
  g_task_return_error (outer, g_steal_pointer (&error));
}

void
lab_overhead_run_async (LabOverhead         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  LabOverheadContext *ctx;

  g_return_if_fail (LAB_IS_OVERHEAD (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, lab_overhead_run_async);
  if (self->state == LAB_OVERHEAD_RUNNING)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING, _("The experiment is already running"));
      return;
    }

  g_ptr_array_set_size (self->points, 0);
  g_clear_error (&self->error);
  set_progress (self, 0);
  set_state (self, LAB_OVERHEAD_RUNNING);

  ctx = g_new0 (LabOverheadContext, 1);
  ctx->overhead = g_object_ref (self);
  ctx->context = g_main_context_ref_thread_default ();
  ctx->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  /* The inner task completes on this context after every point posted
   * before it: both go through idle sources of the same priority. */
  ctx->task = g_task_new (self, NULL, run_done, g_steal_pointer (&outer));
  /* Not GLib's shared pool: the pools experiment measures that one. */
  g_thread_unref (g_thread_new ("lab-overhead", experiment_thread, ctx));
}

gboolean
lab_overhead_run_finish (LabOverhead   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
lab_overhead_run (LabOverhead   *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (LAB_IS_OVERHEAD (self), FALSE);

  /* The caller's context, where its other sources (the CLI's Ctrl+C
   * handler) keep working meanwhile. */
  lab_overhead_run_async (self, cancellable, lab_async_keep_result, &result);
  lab_async_wait (&result);
  return lab_overhead_run_finish (self, result, error);
}

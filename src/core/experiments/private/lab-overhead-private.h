/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-overhead.h"

G_BEGIN_DECLS

/*
 * What an experiment's own file provides (lab-overhead-<name>.c), and the
 * context its run function reports through.
 */
typedef struct _LabOverheadContext LabOverheadContext;

typedef struct
{
  LabOverheadKind kind;
  const char     *name;         /* lab_overhead_kind_to_string() */
  const char     *title;        /* N_() */
  const char     *description;  /* N_() */

  /* Measures, blocking, on the experiment's own thread: adds points with
   * lab_overhead_context_add_point(), reports progress, and returns soon
   * (within 200 ms) once the context's cancellable is cancelled, with
   * G_IO_ERROR_CANCELLED. */
  gboolean           (*run)     (LabOverheadContext *ctx,
                                 GError            **error);
  /* The charts and CLI tables of @points (LabOverheadPoint *, possibly
   * partial): a new array of LabOverheadTable *, one per figure (for
   * example latency and throughput), empty when there is nothing to show. */
  GPtrArray *        (*tables)  (GPtrArray          *points);
  /* One or two translated sentences computed from @points. @complete is
   * FALSE when the experiment was stopped or failed before the end: the
   * sentence must then not claim more than the points show. NULL when
   * the points say nothing yet. */
  char *             (*reading) (GPtrArray          *points,
                                 gboolean            complete);
} LabOverheadExperiment;

extern const LabOverheadExperiment lab_overhead_startup_experiment;
extern const LabOverheadExperiment lab_overhead_memory_experiment;
extern const LabOverheadExperiment lab_overhead_communication_experiment;
extern const LabOverheadExperiment lab_overhead_crash_experiment;
extern const LabOverheadExperiment lab_overhead_race_experiment;
extern const LabOverheadExperiment lab_overhead_granularity_experiment;
extern const LabOverheadExperiment lab_overhead_affinity_experiment;
extern const LabOverheadExperiment lab_overhead_pools_experiment;

const LabOverheadExperiment   *lab_overhead_experiment_get            (LabOverheadKind kind);

/* Thread-safe; the point reaches the main context as "point-added". */
void                      lab_overhead_context_add_point    (LabOverheadContext *ctx,
                                                             const char         *variant,
                                                             const char         *metric,
                                                             const char         *parameter,
                                                             double              parameter_value,
                                                             double              value,
                                                             const char         *unit,
                                                             guint               repeat);
/* 0–1, for the progress bar. */
void                      lab_overhead_context_set_progress (LabOverheadContext *ctx,
                                                             double              fraction);
GCancellable             *lab_overhead_context_get_cancellable (LabOverheadContext *ctx);
const LabOverheadOptions *lab_overhead_context_get_options  (LabOverheadContext *ctx);
/* The embedded server's base URL: the options' one, or one started on
 * first use for this experiment (stopped when it ends). NULL with @error
 * set when none can be started. */
const char               *lab_overhead_context_get_server_url (LabOverheadContext *ctx,
                                                             GError            **error);
/* The worker executable to start: the options' one or the default. */
const char               *lab_overhead_context_get_worker_path (LabOverheadContext *ctx);

/* Helpers for tables. */
/* The median of the values of the points matching @variant, @metric and
 * @parameter_value (over their repeats); NAN when none. */
double             lab_overhead_points_median   (GPtrArray  *points,
                                                 const char *variant,
                                                 const char *metric,
                                                 double      parameter_value);
/* The smallest and largest value over the repeats of the same points:
 * FALSE (and NAN) when there is none. */
gboolean           lab_overhead_points_range    (GPtrArray  *points,
                                                 const char *variant,
                                                 const char *metric,
                                                 double      parameter_value,
                                                 double     *min,
                                                 double     *max);
/* How far apart the repeats of that point are: (max − min) ÷ |median|;
 * NAN when there is none, infinite when the median is 0. */
double             lab_overhead_points_spread   (GPtrArray  *points,
                                                 const char *variant,
                                                 const char *metric,
                                                 double      parameter_value);
/* The distinct parameter values of the points with @metric, ascending. */
GArray            *lab_overhead_points_parameters (GPtrArray  *points,
                                                   const char *metric);
LabOverheadTable  *lab_overhead_table_new       (LabOverheadChartKind kind,
                                                 const char          *title,
                                                 const char          *x_label,
                                                 const char          *y_label,
                                                 const char          *unit);
/* Adds a column; returns its index. */
guint              lab_overhead_table_add_column (LabOverheadTable   *table,
                                                  const char         *label,
                                                  double              x);
/* Adds a series with one NAN per column so far; returns it. */
LabOverheadSeries *lab_overhead_table_add_series (LabOverheadTable   *table,
                                                  const char         *name);
void               lab_overhead_series_set       (LabOverheadSeries  *series,
                                                  guint               column,
                                                  double              value);

/* Worker processes started as the worker pool starts them, for the
 * experiments that count what starting or keeping them costs
 * (lab-overhead-workers.c). */
typedef struct _LabOverheadWorkers LabOverheadWorkers;

LabOverheadWorkers *lab_overhead_workers_start   (const char * const  *argv,
                                                  guint                n,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
int                 lab_overhead_workers_get_pid (LabOverheadWorkers  *self,
                                                  guint                i);
void                lab_overhead_workers_free    (LabOverheadWorkers  *self);
/* A CPython worker's command line, or NULL without a CPython runtime. */
GStrv               lab_overhead_workers_python_argv (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabOverheadWorkers, lab_overhead_workers_free)

G_END_DECLS

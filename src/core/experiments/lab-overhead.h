/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The overheads and pitfalls of each approach, each measured by an
 * experiment of its own: what a thread, a process or a message costs,
 * what a crash or a race does, how fine tasks may be, whether pinning
 * helps, and what GLib's default pool allows. The CLI ("overheads") and
 * the window's Overheads page run the same experiments.
 */
typedef enum
{
  LAB_OVERHEAD_STARTUP,
  LAB_OVERHEAD_MEMORY,
  LAB_OVERHEAD_COMMUNICATION,
  LAB_OVERHEAD_CRASH,
  LAB_OVERHEAD_RACE,
  LAB_OVERHEAD_GRANULARITY,
  LAB_OVERHEAD_AFFINITY,
  LAB_OVERHEAD_POOLS,
  LAB_N_OVERHEADS
} LabOverheadKind;

/* "startup", "memory", "communication", "crash", "race", "granularity",
 * "affinity", "pools" */
const char *lab_overhead_kind_to_string   (LabOverheadKind  kind);
gboolean    lab_overhead_kind_from_string (const char      *name,
                                           LabOverheadKind *kind);
/* Translated: "Start-up", … */
const char *lab_overhead_kind_title       (LabOverheadKind  kind);
/* Translated: what the experiment does, in one or two sentences. */
const char *lab_overhead_kind_description (LabOverheadKind  kind);

/**
 * LabOverheadPoint:
 * @kind: the experiment that measured it
 * @variant: what was measured, machine-readable ("threads", "processes",
 *   "posix_spawn", "mutex", …)
 * @metric: which figure ("per_start", "rss", "latency", …)
 * @parameter: what was varied ("count", "bytes", "task_size", …)
 * @parameter_value: its value for this point
 * @value: the figure
 * @unit: @value's unit ("us", "KiB", "GB/s", "tasks", …)
 * @repeat: which repetition of the measurement (0, 1, …)
 *
 * One measured point: one row of the CSV and JSON files.
 */
typedef struct
{
  LabOverheadKind  kind;
  char            *variant;
  char            *metric;
  char            *parameter;
  double           parameter_value;
  double           value;
  char            *unit;
  guint            repeat;
} LabOverheadPoint;

LabOverheadPoint *lab_overhead_point_new  (LabOverheadKind   kind,
                                           const char       *variant,
                                           const char       *metric,
                                           const char       *parameter,
                                           double            parameter_value,
                                           double            value,
                                           const char       *unit,
                                           guint             repeat);
void              lab_overhead_point_free (LabOverheadPoint *point);

/**
 * LabOverheadChartKind:
 * @LAB_OVERHEAD_CHART_BARS: one group of bars per column, one bar per series
 * @LAB_OVERHEAD_CHART_LINES: one line per series over the numeric x values
 * @LAB_OVERHEAD_CHART_STEPS: as lines, but the value holds until the next x
 */
typedef enum
{
  LAB_OVERHEAD_CHART_BARS,
  LAB_OVERHEAD_CHART_LINES,
  LAB_OVERHEAD_CHART_STEPS,
} LabOverheadChartKind;

typedef struct
{
  char   *name;    /* translated: "Threads", "Processes (pipe)", … */
  GArray *values;  /* double, one per column; NAN where not measured */
} LabOverheadSeries;

/**
 * LabOverheadTable:
 *
 * What an experiment's chart draws and the CLI prints: series × columns,
 * each value the median over the repetitions of one point. Built from the
 * points by the experiment, so the window and the CLI show the same
 * figures.
 */
typedef struct
{
  LabOverheadChartKind kind;
  char      *title;    /* translated: "Cost of one start" */
  char      *x_label;  /* translated axis titles */
  char      *y_label;
  char      *unit;     /* the values' unit, as in the points */
  gboolean   log_x;
  gboolean   log_y;
  GPtrArray *columns;  /* char *: each column's label ("10", "4 KiB", "Threads") */
  GArray    *x;        /* double: each column's x value (lines, steps) */
  GPtrArray *series;   /* LabOverheadSeries * */
} LabOverheadTable;

void lab_overhead_table_free (LabOverheadTable *table);

/* @value in @unit as a table cell or axis label shows it: "21.3 µs",
 * "1.9 MiB", "5.1 GB/s", "1,234 tasks" (unit names as in the points);
 * LAB_FORMAT_NONE when @value is not finite. */
char *lab_overhead_format_value (double      value,
                                 const char *unit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabOverheadPoint, lab_overhead_point_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabOverheadTable, lab_overhead_table_free)

/**
 * LabOverheadOptions:
 * @worker_path: (nullable): the concurrency-lab-worker to start, or
 *   %NULL for the installed one (or $CONCURRENCY_LAB_WORKER)
 * @server_url: (nullable): the embedded HTTP server's base URL
 *   ("http://127.0.0.1:PORT/"); %NULL starts one for the experiment
 */
typedef struct
{
  char *worker_path;
  char *server_url;
} LabOverheadOptions;

#define LAB_TYPE_OVERHEAD (lab_overhead_get_type ())
G_DECLARE_FINAL_TYPE (LabOverhead, lab_overhead, LAB, OVERHEAD, GObject)

typedef enum
{
  LAB_OVERHEAD_IDLE,
  LAB_OVERHEAD_RUNNING,
  LAB_OVERHEAD_DONE,
  LAB_OVERHEAD_CANCELLED,
  LAB_OVERHEAD_FAILED,
} LabOverheadState;

/**
 * LabOverhead:
 *
 * One experiment and what it measured. It runs on a thread of its own;
 * points, progress and state reach the main context that was the
 * thread-default one when lab_overhead_run_async() was called.
 *
 * Signals: "point-added" (LabOverheadPoint *point).
 * Properties: "state", "progress" (0–1), "running".
 */
LabOverhead       *lab_overhead_new            (LabOverheadKind           kind,
                                                const LabOverheadOptions *options);
LabOverheadKind    lab_overhead_get_kind       (LabOverhead              *self);
/* The embedded server's URL for the next run (the window's own server). */
void               lab_overhead_set_server_url (LabOverhead              *self,
                                                const char               *server_url);
LabOverheadState   lab_overhead_get_state      (LabOverhead              *self);
gboolean           lab_overhead_get_running    (LabOverhead              *self);
double             lab_overhead_get_progress   (LabOverhead              *self);
/* LabOverheadPoint *, in the order they were measured. */
GPtrArray         *lab_overhead_get_points     (LabOverhead              *self);
/* Why the experiment failed (state FAILED), else NULL. */
const GError      *lab_overhead_get_error      (LabOverhead              *self);
/* The tables (LabOverheadTable *) of what was measured so far, one per
 * chart; empty before the first point. */
GPtrArray         *lab_overhead_dup_tables     (LabOverhead              *self);
/* One translated sentence or two computed from the points; says so when
 * the experiment was stopped or failed. NULL before anything ran. */
char              *lab_overhead_dup_reading    (LabOverhead              *self);

/* Forgets earlier points and runs again. */
void               lab_overhead_run_async      (LabOverhead              *self,
                                                GCancellable             *cancellable,
                                                GAsyncReadyCallback       callback,
                                                gpointer                  user_data);
gboolean           lab_overhead_run_finish     (LabOverhead              *self,
                                                GAsyncResult             *result,
                                                GError                  **error);
/* Iterates the thread-default main context until the experiment is over
 * (CLI, tests). */
gboolean           lab_overhead_run            (LabOverhead              *self,
                                                GCancellable             *cancellable,
                                                GError                  **error);

G_END_DECLS

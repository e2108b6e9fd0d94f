/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lab-explanation.h"
#include "lab-format.h"
#include "lab-machine.h"
#include "lab-reading.h"

/*
 * What the results mean, in sentences computed from the numbers they
 * describe. A cell with failed tasks gets no speed-up sentence; figures
 * that cannot be trusted (another program busy, a large spread) get a
 * warning instead of advice.
 */

/* Closer to 1× than this is "about as fast". */
#define SAME_SPEED 0.05
/* A task shorter than this cannot pay for being handed to a worker. */
#define SHORT_TASK_MS 1.0
/* Kinds of error named: the first ones to occur. */
#define MAX_ERROR_KINDS 3

static gboolean
cell_measured (LabCell *cell)
{
  return lab_cell_get_repetitions (cell)->len > 0;
}

/* The fastest cell of @mode run by @runtime without failures, or NULL. */
static LabCell *
best_cell (GListModel *cells,
           LabRuntime  runtime,
           LabMode     mode)
{
  guint n = g_list_model_get_n_items (cells);
  LabCell *best = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      if (lab_cell_get_runtime (cell) != runtime || lab_cell_get_mode (cell) != mode ||
          !cell_measured (cell) || lab_cell_get_failed_tasks (cell) > 0)
        continue;
      if (best == NULL || lab_cell_get_median_s (cell) < lab_cell_get_median_s (best))
        best = cell;
    }
  return best;
}

static char *
format_speed (double speedup)
{
  if (fabs (speedup - 1.0) < SAME_SPEED)
    return g_strdup_printf (_("about as fast as sequential (%.2f×)"), speedup);
  if (speedup > 1.0)
    return g_strdup_printf (_("%.2f× faster than sequential"), speedup);
  return g_strdup_printf (_("%.2f× slower than sequential"), 1.0 / speedup);
}

/* The most tasks of @cell that ran at once, in any of its repetitions. */
static guint
cell_max_running (LabCell *cell)
{
  GPtrArray *reps = lab_cell_get_repetitions (cell);
  guint most = 0;

  for (guint i = 0; i < reps->len; i++)
    most = MAX (most, lab_spans_max_running (((LabRepetition *) reps->pdata[i])->spans));
  return most;
}

/* Why CPU work ran in parallel, for each runtime and mode that did. */
static const char *
parallel_verdict (LabRuntime runtime,
                  LabMode    mode)
{
  if (mode == LAB_MODE_THREADS)
    switch (runtime)
      {
      case LAB_RUNTIME_NATIVE:
        return _("Native C threads run in parallel: there is no GIL here.");
      case LAB_RUNTIME_CPYTHON_NOGIL:
        return _("This free-threaded CPython has no GIL: its threads ran Python code in parallel.");
      case LAB_RUNTIME_CPYTHON:
      case LAB_N_RUNTIMES:
      default:
        /* A GIL does not let threads compute in parallel: say nothing
         * that the reason would contradict. */
        return _("The threads ran in parallel.");
      }
  if (runtime != LAB_RUNTIME_NATIVE && (mode == LAB_MODE_PROCESSES || mode == LAB_MODE_SPAWN))
    return _("Each process has its own interpreter and its own GIL, on a core of its own.");
  return _("Each process ran on a core of its own.");
}

/* Threads that a lock kept to one core: the GIL, real or emulated. */
static const char *
serial_verdict (LabRuntime runtime,
                LabMode    mode)
{
  if (mode == LAB_MODE_GIL)
    return _("Only the thread holding the emulated GIL computes, and it hands the lock over every 5 ms: "
             "the threads take turns, as CPython’s do.");
  if (runtime == LAB_RUNTIME_CPYTHON && mode == LAB_MODE_THREADS)
    return _("Only one thread runs Python bytecode at a time: the GIL.");
  return NULL;
}

/* Why a CPU result came out as it did, from the numbers; NULL when it
 * speaks for itself. */
static char *
cpu_verdict (LabCell *cell,
             double   busy_cores)
{
  LabMode mode = lab_cell_get_mode (cell);
  LabRuntime runtime = lab_cell_get_runtime (cell);
  double speedup = lab_cell_get_speedup (cell);
  guint n_cpus = lab_machine_n_cpus ();
  guint usable = MIN (lab_cell_get_workers (cell), n_cpus);
  double task_ms = lab_cell_get_latency_ms (cell, 50);
  const char *serial = serial_verdict (runtime, mode);

  if (usable > 1 && speedup >= 0.75 * usable)
    return g_strdup (parallel_verdict (runtime, mode));
  /* The lock's doing only when the figures show it: one core busy, no
   * more than a little faster than sequential. */
  if (serial != NULL && usable > 1 && busy_cores < 1.3 && speedup < 1.2)
    return g_strdup (serial);
  if (speedup >= 1.0 - SAME_SPEED)
    return NULL;
  if (isfinite (task_ms) && task_ms < SHORT_TASK_MS)
    {
      g_autofree char *task = lab_format_duration (task_ms / 1000.0);

      return g_strdup_printf (_("Each task took only %s: too short to pay for handing it out. Try a larger problem size."), task);
    }
  return g_strdup_printf (_("Only %.1f of the %u cores were kept busy."), busy_cores, n_cpus);
}

/* A cell an interpreter ran: what it is called, what it did, why, and
 * what its start-up cost, which the times leave out. */
static char *
explain_interpreter_cell (LabCell    *cell,
                          gboolean    io,
                          gboolean    trusted,
                          double      busy,
                          const char *speed)
{
  g_autofree char *head = NULL;
  g_autofree char *verdict = NULL;
  g_autofree char *startup = NULL;
  double startup_s = lab_cell_get_startup_s (cell);

  if (io)
    /* Translators: "CPython threads ×20 overlapped their waiting: 19.1× faster than sequential." */
    head = g_strdup_printf (_("%s ×%u overlapped their waiting: %s."), lab_cell_get_title (cell),
                            lab_cell_get_workers (cell), speed);
  else
    {
      /* Translators: "CPython threads ×2 kept 1.0 cores busy: about as fast as sequential (1.02×)." */
      head = g_strdup_printf (_("%s ×%u kept %.1f cores busy: %s."), lab_cell_get_title (cell),
                              lab_cell_get_workers (cell), busy, speed);
      verdict = trusted ? cpu_verdict (cell, busy) : NULL;
    }
  if (isfinite (startup_s))
    {
      g_autofree char *duration = lab_format_duration (startup_s);

      /* Translators: the time to start the interpreters before the timed runs, "31.2 ms" */
      startup = g_strdup_printf (_("Starting its interpreters took %s, not counted."), duration);
    }
  return g_strjoin (" ", head, verdict != NULL ? verdict : startup, verdict != NULL ? startup : NULL, NULL);
}

static char *
explain_cell (LabCell  *cell,
              gboolean  io,
              gboolean  trusted)
{
  guint w = lab_cell_get_workers (cell);
  g_autofree char *speed = format_speed (lab_cell_get_speedup (cell));
  /* Measured: CPU time over wall time, in cores. */
  double busy = lab_cell_get_cpu_util (cell) * lab_machine_n_cpus ();
  LabMode mode = lab_cell_get_mode (cell);
  g_autofree char *head = NULL;
  g_autofree char *verdict = NULL;

  if (lab_cell_get_runtime (cell) != LAB_RUNTIME_NATIVE)
    return explain_interpreter_cell (cell, io, trusted, busy, speed);

  switch (mode)
    {
    case LAB_MODE_THREADS:
    case LAB_MODE_PROCESSES:
      if (io)
        /* Translators: the %s is e.g. "19.6× faster than sequential" */
        return g_strdup_printf (mode == LAB_MODE_THREADS
                                ? g_dngettext (GETTEXT_PACKAGE, "%u thread overlapped its waiting: %s.",
                                               "%u threads overlapped their waiting: %s.", w)
                                : g_dngettext (GETTEXT_PACKAGE, "%u process overlapped its waiting: %s.",
                                               "%u processes overlapped their waiting: %s.", w), w, speed);
      /* Translators: "4 threads kept 1.9 cores busy: 1.95× faster than sequential." */
      head = g_strdup_printf (mode == LAB_MODE_THREADS
                              ? g_dngettext (GETTEXT_PACKAGE, "%u thread kept %.1f cores busy: %s.",
                                             "%u threads kept %.1f cores busy: %s.", w)
                              : g_dngettext (GETTEXT_PACKAGE, "%u process kept %.1f cores busy: %s.",
                                             "%u processes kept %.1f cores busy: %s.", w), w, busy, speed);
      verdict = trusted ? cpu_verdict (cell, busy) : NULL;
      return verdict != NULL ? g_strconcat (head, " ", verdict, NULL) : g_steal_pointer (&head);
    case LAB_MODE_SPAWN:
      return g_strdup_printf (_("A fresh process for every task: %s, start-up cost included."), speed);
    case LAB_MODE_ASYNC:
      return g_strdup_printf (_("One thread with an event loop overlapped the waiting: %s."), speed);
    case LAB_MODE_GTASK:
      {
        guint most = cell_max_running (cell);

        /* Translators: "GLib's default pool ran at most 11 tasks at once (workers asked for: 40): 4.90× faster than sequential." */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "GLib’s default pool ran at most %u task at once (workers asked for: %u): %s.",
                                             "GLib’s default pool ran at most %u tasks at once (workers asked for: %u): %s.",
                                             most), most, w, speed);
      }
    case LAB_MODE_GIL:
      if (io)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u thread behind the emulated GIL overlapped its waiting: %s. "
                                             "It releases the lock while it waits, as CPython’s threads do.",
                                             "%u threads behind the emulated GIL overlapped their waiting: %s. "
                                             "They release the lock while they wait, as CPython’s threads do.", w),
                                w, speed);
      /* Translators: "4 threads behind the emulated GIL kept 1.0 cores busy: about as fast …" */
      head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread behind the emulated GIL kept %.1f cores busy: %s.",
                                           "%u threads behind the emulated GIL kept %.1f cores busy: %s.", w),
                              w, busy, speed);
      verdict = trusted ? cpu_verdict (cell, busy) : NULL;
      return verdict != NULL ? g_strconcat (head, " ", verdict, NULL) : g_steal_pointer (&head);
    case LAB_MODE_SEQUENTIAL:
    case LAB_N_MODES:
    default:
      return NULL;
    }
}

static gboolean
set_is_pipeline (LabResultSet *set)
{
  GPtrArray *runs = lab_result_set_get_runs (set);

  return runs->len > 0 && lab_run_get_config (g_ptr_array_index (runs, 0))->workload->kind == LAB_WORKLOAD_PIPELINE;
}

/* Whether the shapes stored the same rows: the checksums of the cells
 * measured without failures agree. NULL with fewer than two such cells. */
static char *
describe_pipeline_checksums (GListModel *cells)
{
  guint n = g_list_model_get_n_items (cells), compared = 0;
  gboolean agree = TRUE;
  guint64 checksum = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      if (!cell_measured (cell) || lab_cell_get_failed_tasks (cell) > 0)
        continue;
      if (compared++ == 0)
        checksum = lab_cell_get_checksum (cell);
      agree &= lab_cell_get_checksum_consistent (cell) && lab_cell_get_checksum (cell) == checksum;
    }
  if (compared < 2)
    return NULL;
  if (!agree)
    return g_strdup (_("The shapes stored different rows: their checksums differ, which is a bug."));
  text = g_strdup_printf ("%" G_GUINT64_FORMAT, checksum);
  /* Translators: the checksum of the rows stored, a 64-bit number */
  return g_strdup_printf (_("Every shape stored the same rows (checksum %s)."), text);
}

/* The pipeline: which shape won and why (the core's reading), and
 * whether every shape stored the same rows. */
static char *
describe_pipeline (LabResultSet *set,
                   gboolean      running)
{
  GListModel *cells = lab_result_set_get_cells (set);
  g_autofree char *reading = lab_reading_pipeline (cells);
  g_autofree char *checksums = describe_pipeline_checksums (cells);
  guint n = g_list_model_get_n_items (cells);

  if (reading != NULL)
    return checksums != NULL ? g_strjoin (" ", reading, checksums, NULL) : g_steal_pointer (&reading);
  for (guint i = 0; !running && i < n; i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      g_autofree char *median = NULL;

      if (!cell_measured (cell))
        continue;
      median = lab_format_duration (lab_cell_get_median_s (cell));
      /* Translators: a shape of the pipeline and its median wall time, "Hybrid took 0.13 s." */
      return g_strdup_printf (_("%s took %s. Run the other shapes too: the reading compares them."),
                              lab_cell_get_title (cell), median);
    }
  return g_strdup ("");
}

/**
 * lab_explanation_describe_trust:
 *
 * Returns: (transfer full) (nullable): why the shown figures cannot be
 *   trusted, and what to do; %NULL when they can
 */
char *
lab_explanation_describe_trust (LabResultSet *set)
{
  return lab_reading_cells_trust (lab_result_set_get_cells (set));
}

/**
 * lab_explanation_describe_results:
 * @running: whether a run of the set is going on
 *
 * Returns: (transfer full): one line per mode compared with sequential;
 *   for the pipeline, which shape won and why
 */
char *
lab_explanation_describe_results (LabResultSet *set,
                                  gboolean      running)
{
  GListModel *cells = lab_result_set_get_cells (set);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *warning = lab_explanation_describe_trust (set);
  LabCell *sequential = NULL;
  gboolean others = FALSE;

  if (set_is_pipeline (set))
    return describe_pipeline (set, running);

  for (guint v = 0; v < LAB_N_RUNTIMES * LAB_N_MODES; v++)
    {
      LabRuntime r = v / LAB_N_MODES;
      LabMode m = v % LAB_N_MODES;
      LabCell *cell = best_cell (cells, r, m);
      g_autofree char *line = NULL;

      if (cell == NULL)
        continue;
      if (m == LAB_MODE_SEQUENTIAL)
        {
          sequential = sequential != NULL ? sequential : cell;
          continue;
        }
      others = TRUE;
      if (!isfinite (lab_cell_get_speedup (cell)) || lab_cell_get_speedup (cell) <= 0)
        continue;
      line = explain_cell (cell, lab_result_set_get_io (set), warning == NULL);
      if (line == NULL)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line);
    }

  if (text->len == 0 && sequential != NULL && !others)
    {
      g_autofree char *median = lab_format_duration (lab_cell_get_median_s (sequential));

      g_string_printf (text, _("Sequential took %s. Compare it with threads or processes to see the speed-up."), median);
    }
  else if (text->len == 0 && sequential == NULL && others && !running)
    g_string_assign (text, _("Run Sequential too, with these settings: the speed-ups are measured against it."));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * lab_explanation_describe_errors:
 *
 * Returns: (transfer full) (nullable): how many tasks failed, the first
 *   error and the count of each kind; %NULL without failures
 */
char *
lab_explanation_describe_errors (LabResultSet *set)
{
  guint failed = lab_result_set_get_failed_tasks (set);
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GString) text = NULL;

  if (failed == 0)
    return NULL;

  text = g_string_new (NULL);
  g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u task failed.", "%u tasks failed.", failed), failed);
  /* The same tasks as the count: those of the cells shown. */
  errors = lab_result_set_dup_error_kinds (set);
  for (guint e = 0; e < MIN (errors->len, MAX_ERROR_KINDS); e++)
    {
      LabErrorKind *kind = g_ptr_array_index (errors, e);

      g_string_append_c (text, ' ');
      if (e == 0)
        /* Translators: the first error's message and how many tasks failed with it */
        g_string_append_printf (text, _("First error: %s (%u×)."), kind->message, kind->count);
      else
        g_string_append_printf (text, _("Also: %s (%u×)."), kind->message, kind->count);
    }
  g_string_append_c (text, ' ');
  g_string_append (text, lab_result_set_get_io (set)
                         ? _("Check that the URLs answer, or empty the list to use the built-in server. No speed-up is given for failed work.")
                         : _("No speed-up is given for failed work."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/**
 * lab_explanation_describe_window:
 * @ui_cpu_s: the CPU time the window's own threads used during the run
 *
 * Returns: (transfer full): how the window fared during the run, from
 *   the measurement; "responsive" only when the figures meet the target
 */
char *
lab_explanation_describe_window (LabStallMeter *meter,
                                 double         ui_cpu_s)
{
  double max_ms = lab_stall_meter_get_max_ms (meter);
  double p99_ms = lab_stall_meter_get_p99_ms (meter);
  g_autofree char *cpu = isfinite (ui_cpu_s) ? lab_format_duration (ui_cpu_s) : g_strdup (LAB_FORMAT_NONE);

  if (lab_stall_meter_get_n_samples (meter) == 0)
    return g_strdup ("");
  if (max_ms <= LAB_RESPONSIVE_MAX_STALL_MS && p99_ms <= LAB_RESPONSIVE_P99_STALL_MS)
    /* Translators: "The window stayed responsive: max stall 3 ms, p99 1 ms; it used 0.12 s of CPU." */
    return g_strdup_printf (_("The window stayed responsive: max stall %.0f ms, p99 %.0f ms; it used %s of CPU."),
                            max_ms, p99_ms, cpu);
  return g_strdup_printf (_("The window’s main loop stalled up to %.0f ms (p99 %.0f ms) during the run; it used %s of CPU."),
                          max_ms, p99_ms, cpu);
}

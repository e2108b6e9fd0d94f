/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lab-export.h"
#include "lab-json.h"

const char * const lab_results_columns[] = {
  "run_id", "started_at", "workload", "size", "tasks", "mode", "runtime", "workers", "repeat",
  "wall_s", "user_s", "sys_s", "cpu_util", "peak_rss_kib", "speedup", "efficiency", "checksum",
  "ok_tasks", "failed_tasks", "outlier", "host_cpus", "app_version", "ui_max_stall_ms", "ui_cpu_s",
  "background_cpu", "unstable", "cpu_model", "kernel", "runtime_version", "startup_ms",
  "fsync", "cache", "page_cache_resident", "files_fs",
  "task_busy_s", "download_busy_s", "analyse_busy_s", "store_busy_s",
  NULL
};

const char * const lab_spans_columns[] = {
  "run_id", "mode", "workers", "repeat", "task", "worker", "pid", "tid", "queued_us", "start_us",
  "end_us", "bytes", "status", "error", "runtime", "stage", "interrupted",
  NULL
};

const char * const lab_gil_columns[] = {
  "run_id", "repeat", "worker", "tid", "state", "start_us", "end_us", "workers",
  NULL
};

/* io:files: whether the files were synced, which cache they were read
 * from, how much of what was read was cached, and the file system; empty
 * cells for other workloads. */
static void
add_files_cells (LabCsv              *csv,
                 const LabWorkload   *workload,
                 const LabRepetition *rep)
{
  gboolean files = workload->kind == LAB_WORKLOAD_FILES;

  lab_csv_add_text (csv, !files ? NULL : workload->fsync ? "true" : "false");
  lab_csv_add_text (csv, files ? lab_files_cache_to_string (workload->cache) : NULL);
  lab_csv_add_double (csv, files && rep->bytes > 0 ? (double) rep->cached_bytes / rep->bytes : NAN);
  lab_csv_add_text (csv, files ? rep->files_fs : NULL);
}

static void
add_results_rows (LabCsv *csv,
                  LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);
  g_autoptr(GPtrArray) reps = lab_run_dup_measured_repetitions (run);
  g_autofree char *workload = lab_workload_to_spec (config->workload);
  const LabRunMachine *machine = lab_run_get_machine (run);
  double ui_max_stall_ms, ui_cpu_s;

  lab_run_get_ui_cost (run, &ui_max_stall_ms, &ui_cpu_s);
  for (guint i = 0; i < reps->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, i);
      LabCell *cell = lab_run_find_variant_cell (run, rep->runtime, rep->mode, rep->workers);
      g_autofree char *runtime = lab_run_config_dup_runtime_label (config, rep->runtime);
      g_autofree char *runtime_version = lab_run_config_dup_runtime_version (config, rep->runtime);

      lab_csv_add_text (csv, lab_run_get_id (run));
      lab_csv_add_datetime (csv, rep->started_at);
      lab_csv_add_text (csv, workload);
      lab_csv_add_uint (csv, config->workload->size);
      lab_csv_add_uint (csv, config->workload->tasks);
      lab_csv_add_text (csv, lab_mode_to_string (rep->mode));
      lab_csv_add_text (csv, runtime);
      lab_csv_add_uint (csv, rep->workers);
      lab_csv_add_uint (csv, rep->repeat);
      lab_csv_add_double (csv, rep->wall_s);
      lab_csv_add_double (csv, rep->user_s);
      lab_csv_add_double (csv, rep->sys_s);
      lab_csv_add_double (csv, rep->cpu_util);
      lab_csv_add_uint (csv, rep->peak_rss_kib);
      lab_csv_add_double (csv, rep->speedup);
      lab_csv_add_double (csv, rep->efficiency);
      lab_csv_add_uint (csv, rep->checksum);
      lab_csv_add_uint (csv, rep->ok_tasks);
      lab_csv_add_uint (csv, rep->failed_tasks);
      lab_csv_add_bool (csv, rep->outlier);
      lab_csv_add_uint (csv, machine->n_cpus);
      lab_csv_add_text (csv, machine->app_version);
      lab_csv_add_double (csv, ui_max_stall_ms);
      lab_csv_add_double (csv, ui_cpu_s);
      lab_csv_add_double (csv, rep->background_cpu);
      lab_csv_add_bool (csv, cell != NULL && lab_cell_get_unstable (cell));
      lab_csv_add_text (csv, machine->cpu_model);
      lab_csv_add_text (csv, machine->kernel);
      lab_csv_add_text (csv, runtime_version);
      lab_csv_add_double (csv, rep->startup_s * 1000.0);
      add_files_cells (csv, config->workload, rep);
      for (guint s = 0; s < LAB_N_STAGES; s++)
        lab_csv_add_double (csv, rep->stage_busy_s[s]);
      lab_csv_end_row (csv);
    }
}


/* The measured repetitions, and the one the run stopped in, in the
 * order they ran. */
static GPtrArray *
dup_repetitions_with_spans (LabRun *run)
{
  GPtrArray *all = lab_run_get_repetitions (run);
  GPtrArray *reps = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (all, i);

      if (!rep->warmup && (rep->finished || rep->interrupted))
        g_ptr_array_add (reps, rep);
    }
  return reps;
}

static void
add_spans_rows (LabCsv *csv,
                LabRun *run)
{
  g_autoptr(GPtrArray) reps = dup_repetitions_with_spans (run);

  for (guint i = 0; i < reps->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, i);
      g_autofree char *runtime = lab_run_config_dup_runtime_label (lab_run_get_config (run), rep->runtime);

      for (guint s = 0; s < rep->spans->len; s++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, s);

          lab_csv_add_text (csv, lab_run_get_id (run));
          lab_csv_add_text (csv, lab_mode_to_string (rep->mode));
          lab_csv_add_uint (csv, rep->workers);
          lab_csv_add_uint (csv, rep->repeat);
          lab_csv_add_uint (csv, span->task);
          lab_csv_add_uint (csv, span->worker);
          lab_csv_add_int (csv, span->pid);
          lab_csv_add_int (csv, span->tid);
          lab_csv_add_int (csv, span->queued_us);
          lab_csv_add_int (csv, span->start_us);
          lab_csv_add_int (csv, span->end_us);
          lab_csv_add_uint (csv, span->bytes);
          lab_csv_add_text (csv, lab_task_status_to_string (span->status));
          lab_csv_add_text (csv, span->error);
          lab_csv_add_text (csv, runtime);
          lab_csv_add_text (csv, lab_stage_to_string (span->stage));
          lab_csv_add_bool (csv, rep->interrupted);
          lab_csv_end_row (csv);
        }
    }
}

static void
add_gil_rows (LabCsv *csv,
              LabRun *run)
{
  g_autoptr(GPtrArray) reps = lab_run_dup_measured_repetitions (run);

  for (guint i = 0; i < reps->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, i);

      for (guint g = 0; g < rep->gil_intervals->len; g++)
        {
          const LabGilInterval *interval = &g_array_index (rep->gil_intervals, LabGilInterval, g);

          lab_csv_add_text (csv, lab_run_get_id (run));
          lab_csv_add_uint (csv, rep->repeat);
          lab_csv_add_uint (csv, interval->worker);
          lab_csv_add_int (csv, interval->tid);
          lab_csv_add_text (csv, lab_gil_state_to_string (interval->state));
          lab_csv_add_int (csv, interval->start_us);
          lab_csv_add_int (csv, interval->end_us);
          lab_csv_add_uint (csv, rep->workers);
          lab_csv_end_row (csv);
        }
    }
}

typedef void (*AddRowsFunc) (LabCsv *csv,
                             LabRun *run);

/* A header of @columns, then @add_rows for each of @runs. */
static LabCsv *
export_runs (LabRun * const    *runs,
             guint              n_runs,
             const char * const *columns,
             AddRowsFunc        add_rows)
{
  LabCsv *csv = lab_csv_new ();

  lab_csv_add_header (csv, columns);
  for (guint r = 0; r < n_runs; r++)
    add_rows (csv, runs[r]);
  return csv;
}

/**
 * lab_export_results_csv_runs:
 * @runs: (element-type LabRun): runs whose results are shown together
 *   (a #LabResultSet's)
 *
 * Returns: (transfer full): one row per measured repetition of each run
 */
LabCsv *
lab_export_results_csv_runs (GPtrArray *runs)
{
  return export_runs ((LabRun * const *) runs->pdata, runs->len, lab_results_columns, add_results_rows);
}

/**
 * lab_export_results_csv:
 *
 * Returns: (transfer full): one row per measured repetition
 */
LabCsv *
lab_export_results_csv (LabRun *run)
{
  return export_runs (&run, 1, lab_results_columns, add_results_rows);
}

/**
 * lab_export_spans_csv_runs:
 * @runs: (element-type LabRun): runs whose results are shown together
 *
 * Returns: (transfer full): one row per task of every measured repetition
 *   of each run
 */
LabCsv *
lab_export_spans_csv_runs (GPtrArray *runs)
{
  return export_runs ((LabRun * const *) runs->pdata, runs->len, lab_spans_columns, add_spans_rows);
}

/**
 * lab_export_spans_csv:
 *
 * Returns: (transfer full): one row per task of every measured repetition
 */
LabCsv *
lab_export_spans_csv (LabRun *run)
{
  return export_runs (&run, 1, lab_spans_columns, add_spans_rows);
}

/**
 * lab_export_gil_csv_runs:
 * @runs: (element-type LabRun): runs whose results are shown together
 *
 * Returns: (transfer full): one row per interval during which a worker
 *   thread held the emulated GIL or waited for it, over every measured
 *   repetition of each run (only mode gil has any)
 */
LabCsv *
lab_export_gil_csv_runs (GPtrArray *runs)
{
  return export_runs ((LabRun * const *) runs->pdata, runs->len, lab_gil_columns, add_gil_rows);
}

/**
 * lab_export_gil_csv:
 *
 * Returns: (transfer full): one row per hold or wait of the emulated GIL
 *   in every measured repetition
 */
LabCsv *
lab_export_gil_csv (LabRun *run)
{
  return export_runs (&run, 1, lab_gil_columns, add_gil_rows);
}

gboolean
lab_export_results (LabRun      *run,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(LabCsv) csv = lab_export_results_csv (run);

  return lab_csv_save (csv, path, error);
}

gboolean
lab_export_spans (LabRun      *run,
                  const char  *path,
                  GError     **error)
{
  g_autoptr(LabCsv) csv = lab_export_spans_csv (run);

  return lab_csv_save (csv, path, error);
}

gboolean
lab_export_gil (LabRun      *run,
                const char  *path,
                GError     **error)
{
  g_autoptr(LabCsv) csv = lab_export_gil_csv (run);

  return lab_csv_save (csv, path, error);
}

static void
add_checksum (JsonBuilder *builder,
              guint64      checksum)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, checksum);

  /* As a string: JSON readers often hold numbers in doubles (53 bits). */
  lab_json_add_string (builder, "checksum", text);
}

static void
add_repetition (JsonBuilder   *builder,
                LabRepetition *rep,
                gboolean       include_spans)
{
  json_builder_begin_object (builder);
  lab_json_add_int (builder, "repeat", rep->repeat);
  if (rep->interrupted)
    lab_json_add_bool (builder, "interrupted", TRUE);
  lab_json_add_double (builder, "wall_s", rep->wall_s);
  lab_json_add_double (builder, "user_s", rep->user_s);
  lab_json_add_double (builder, "sys_s", rep->sys_s);
  lab_json_add_double (builder, "cpu_util", rep->cpu_util);
  lab_json_add_double (builder, "background_cpu", rep->background_cpu);
  lab_json_add_int (builder, "peak_rss_kib", rep->peak_rss_kib);
  lab_json_add_double (builder, "speedup", rep->speedup);
  lab_json_add_double (builder, "efficiency", rep->efficiency);
  add_checksum (builder, rep->checksum);
  lab_json_add_int (builder, "ok_tasks", rep->ok_tasks);
  lab_json_add_int (builder, "failed_tasks", rep->failed_tasks);
  lab_json_add_bool (builder, "outlier", rep->outlier);
  json_builder_set_member_name (builder, "stage_busy_s");
  json_builder_begin_object (builder);
  for (guint s = 0; s < LAB_N_STAGES; s++)
    lab_json_add_double (builder, lab_stage_to_string (s), rep->stage_busy_s[s]);
  json_builder_end_object (builder);

  if (include_spans)
    {
      json_builder_set_member_name (builder, "spans");
      json_builder_begin_array (builder);
      for (guint s = 0; s < rep->spans->len; s++)
        {
          const LabSpan *span = &g_array_index (rep->spans, LabSpan, s);

          json_builder_begin_object (builder);
          lab_json_add_int (builder, "task", span->task);
          lab_json_add_int (builder, "worker", span->worker);
          lab_json_add_int (builder, "pid", span->pid);
          lab_json_add_int (builder, "tid", span->tid);
          lab_json_add_int (builder, "queued_us", span->queued_us);
          lab_json_add_int (builder, "start_us", span->start_us);
          lab_json_add_int (builder, "end_us", span->end_us);
          lab_json_add_int (builder, "bytes", span->bytes);
          lab_json_add_string (builder, "status", lab_task_status_to_string (span->status));
          lab_json_add_string (builder, "stage", lab_stage_to_string (span->stage));
          if (span->error != NULL)
            lab_json_add_string (builder, "error", span->error);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

/* The measured repetition of @cell the run stopped in, or NULL. */
static LabRepetition *
find_interrupted (LabRun  *run,
                  LabCell *cell)
{
  GPtrArray *reps = lab_run_get_repetitions (run);

  for (guint i = 0; i < reps->len; i++)
    {
      LabRepetition *rep = g_ptr_array_index (reps, i);

      if (rep->interrupted && !rep->warmup && rep->runtime == lab_cell_get_runtime (cell) &&
          rep->mode == lab_cell_get_mode (cell) && rep->workers == lab_cell_get_workers (cell))
        return rep;
    }
  return NULL;
}

static void
add_cell (JsonBuilder        *builder,
          LabRun             *run,
          LabCell            *cell,
          gboolean            include_spans)
{
  const LabRunConfig *config = lab_run_get_config (run);
  LabRepetition *interrupted = find_interrupted (run, cell);
  GPtrArray *reps = lab_cell_get_repetitions (cell);
  g_autofree char *first_error = lab_cell_dup_first_error (cell);
  g_autofree char *runtime = lab_run_config_dup_runtime_label (config, lab_cell_get_runtime (cell));

  json_builder_begin_object (builder);
  lab_json_add_string (builder, "mode", lab_mode_to_string (lab_cell_get_mode (cell)));
  lab_json_add_string (builder, "runtime", runtime);
  lab_json_add_string (builder, "title", lab_cell_get_title (cell));
  lab_json_add_double (builder, "startup_s", lab_cell_get_startup_s (cell));
  lab_json_add_int (builder, "workers", lab_cell_get_workers (cell));
  lab_json_add_double (builder, "median_s", lab_cell_get_median_s (cell));
  lab_json_add_double (builder, "min_s", lab_cell_get_min_s (cell));
  lab_json_add_double (builder, "max_s", lab_cell_get_max_s (cell));
  lab_json_add_double (builder, "mad_s", lab_cell_get_mad_s (cell));
  lab_json_add_double (builder, "speedup", lab_cell_get_speedup (cell));
  lab_json_add_double (builder, "efficiency", lab_cell_get_efficiency (cell));
  lab_json_add_double (builder, "cpu_util", lab_cell_get_cpu_util (cell));
  lab_json_add_double (builder, "background_cpu", lab_cell_get_background_cpu (cell));
  lab_json_add_bool (builder, "unstable", lab_cell_get_unstable (cell));
  add_checksum (builder, lab_cell_get_checksum (cell));
  lab_json_add_bool (builder, "checksum_consistent", lab_cell_get_checksum_consistent (cell));
  lab_json_add_int (builder, "ok_tasks", lab_cell_get_ok_tasks (cell));
  lab_json_add_int (builder, "failed_tasks", lab_cell_get_failed_tasks (cell));
  lab_json_add_int (builder, "bytes", lab_cell_get_bytes (cell));
  lab_json_add_double (builder, "throughput_mib_s", lab_cell_get_throughput_mib_s (cell));
  json_builder_set_member_name (builder, "latency_ms");
  json_builder_begin_object (builder);
  lab_json_add_double (builder, "p50", lab_cell_get_latency_ms (cell, 50));
  lab_json_add_double (builder, "p90", lab_cell_get_latency_ms (cell, 90));
  lab_json_add_double (builder, "p99", lab_cell_get_latency_ms (cell, 99));
  lab_json_add_double (builder, "max", lab_cell_get_latency_ms (cell, 100));
  json_builder_end_object (builder);
  if (first_error != NULL)
    lab_json_add_string (builder, "first_error", first_error);
  if (config->workload->kind == LAB_WORKLOAD_FILES)
    {
      lab_json_add_double (builder, "page_cache_resident", lab_cell_get_cached_fraction (cell));
      lab_json_add_string (builder, "files_fs", lab_cell_get_files_fs (cell));
    }

  json_builder_set_member_name (builder, "repetitions");
  json_builder_begin_array (builder);
  for (guint r = 0; r < reps->len; r++)
    add_repetition (builder, g_ptr_array_index (reps, r), include_spans);
  json_builder_end_array (builder);
  /* Apart: its tasks are reported, its times count in nothing above. */
  if (interrupted != NULL)
    {
      json_builder_set_member_name (builder, "interrupted_repetition");
      add_repetition (builder, interrupted, include_spans);
    }
  json_builder_end_object (builder);
}

/**
 * lab_export_json:
 *
 * Returns: (transfer full): the run as a pretty-printed JSON document
 */
char *
lab_export_json (LabRun   *run,
                 gboolean  include_spans)
{
  const LabRunConfig *config = lab_run_get_config (run);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *workload = lab_workload_to_spec (config->workload);
  GListModel *cells = lab_run_get_cells (run);
  GDateTime *started_at = lab_run_get_started_at (run);
  g_autofree char *started = started_at != NULL ? g_date_time_format_iso8601 (started_at) : NULL;

  json_builder_begin_object (builder);
  lab_json_add_string (builder, "run_id", lab_run_get_id (run));
  lab_json_add_string (builder, "started_at", started);
  lab_json_add_string (builder, "workload", workload);
  lab_json_add_int (builder, "size", config->workload->size);
  lab_json_add_int (builder, "tasks", config->workload->tasks);
  if (config->workload->kind == LAB_WORKLOAD_FILES)
    {
      lab_json_add_bool (builder, "fsync", config->workload->fsync);
      lab_json_add_string (builder, "cache", lab_files_cache_to_string (config->workload->cache));
    }
  json_builder_set_member_name (builder, "runtimes");
  json_builder_begin_array (builder);
  for (guint r = 0; r < config->runtimes->len; r++)
    {
      LabRuntime runtime = g_array_index (config->runtimes, LabRuntime, r);
      g_autofree char *label = lab_run_config_dup_runtime_label (config, runtime);
      g_autofree char *version = lab_run_config_dup_runtime_version (config, runtime);

      json_builder_begin_object (builder);
      lab_json_add_string (builder, "runtime", label);
      lab_json_add_string (builder, "version", version);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  lab_json_add_int (builder, "repeat", config->repeat);
  lab_json_add_int (builder, "warmup", config->warmup);
  lab_json_add_int (builder, "host_cpus", lab_run_get_machine (run)->n_cpus);
  lab_json_add_string (builder, "app_version", lab_run_get_machine (run)->app_version);
  json_builder_set_member_name (builder, "cells");
  json_builder_begin_array (builder);
  for (guint c = 0; c < g_list_model_get_n_items (cells); c++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, c);

      add_cell (builder, run, cell, include_spans);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return lab_json_to_string (builder, TRUE);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab-cli.h"
#include "lab-export.h"
#include "lab-format.h"
#include "lab-http-server.h"
#include "lab-machine.h"
#include "lab-reading.h"
#include "lab-run-builder.h"
#include "lab-run.h"
#include "lab-trace.h"

typedef struct
{
  char     *workload;
  char     *runtime;
  char     *size;
  char     *tasks;
  char     *modes;
  char     *workers;
  char     *repeat;
  char     *warmup;
  char     *task_timeout_s;
  char     *nice;
  char     *worker;
  char     *csv;
  char     *spans_csv;
  char     *gil_csv;
  char     *trace;
  char    **url;
  char     *urls_file;
  char     *delay_ms;
  char     *bytes;
  char     *server_delay;
  char     *server_bytes;
  char     *store_dir;
  char     *timeout_s;
  char     *max_bytes;
  char     *cache;
  gboolean  fsync;
  gboolean  json;
  gboolean  quiet;
  gboolean  no_history;
} RunOptions;

static void
run_options_clear (RunOptions *o)
{
  g_free (o->workload);
  g_free (o->runtime);
  g_free (o->size);
  g_free (o->tasks);
  g_free (o->modes);
  g_free (o->workers);
  g_free (o->repeat);
  g_free (o->warmup);
  g_free (o->task_timeout_s);
  g_free (o->nice);
  g_free (o->worker);
  g_free (o->csv);
  g_free (o->spans_csv);
  g_free (o->gil_csv);
  g_free (o->trace);
  g_strfreev (o->url);
  g_free (o->urls_file);
  g_free (o->delay_ms);
  g_free (o->bytes);
  g_free (o->server_delay);
  g_free (o->server_bytes);
  g_free (o->store_dir);
  g_free (o->timeout_s);
  g_free (o->max_bytes);
  g_free (o->cache);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

/* Hands every option that was given to the builder, which checks them all
 * at once in lab_run_builder_build(). */
static gboolean
record_options (RunOptions     *o,
                LabRunBuilder  *builder,
                GError        **error)
{
  const struct {
    LabParam    param;
    const char *value;
  } scalars[] = {
    { LAB_PARAM_WORKLOAD, o->workload },
    { LAB_PARAM_RUNTIME, o->runtime },
    { LAB_PARAM_SIZE, o->size },
    { LAB_PARAM_TASKS, o->tasks },
    { LAB_PARAM_MODES, o->modes },
    { LAB_PARAM_WORKERS, o->workers },
    { LAB_PARAM_REPEAT, o->repeat },
    { LAB_PARAM_WARMUP, o->warmup },
    { LAB_PARAM_TASK_TIMEOUT_S, o->task_timeout_s },
    { LAB_PARAM_NICE, o->nice },
    { LAB_PARAM_TIMEOUT_S, o->timeout_s },
    { LAB_PARAM_MAX_BYTES, o->max_bytes },
    { LAB_PARAM_DELAY_MS, o->delay_ms != NULL ? o->delay_ms : o->server_delay },
    { LAB_PARAM_BYTES, o->bytes != NULL ? o->bytes : o->server_bytes },
    { LAB_PARAM_STORE_DIR, o->store_dir },
    { LAB_PARAM_CACHE, o->cache },
  };

  /* --server-delay and --server-bytes are other names of the same options. */
  if ((o->delay_ms != NULL && o->server_delay != NULL) || (o->bytes != NULL && o->server_bytes != NULL))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                           _("--server-delay is --delay-ms and --server-bytes is --bytes: give each once"));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (scalars); i++)
    if (scalars[i].value != NULL &&
        !lab_run_builder_parse (builder, scalars[i].param, scalars[i].value, error))
      return FALSE;
  for (guint i = 0; o->url != NULL && o->url[i] != NULL; i++)
    lab_run_builder_add_url (builder, o->url[i]);
  if (o->urls_file != NULL && !lab_run_builder_add_url_file (builder, o->urls_file, error))
    return FALSE;
  if (o->fsync)
    lab_run_builder_set_number (builder, LAB_PARAM_FSYNC, 1);
  lab_run_builder_set_worker_path (builder, o->worker);
  return TRUE;
}

/* Mode gil is a simulation and says so. */
static void
print_gil_note (LabRun *run)
{
  GListModel *cells = lab_run_get_cells (run);

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      if (lab_cell_get_mode (cell) == LAB_MODE_GIL)
        {
          /* Translators: %s is the mode's title, "Threads + emulated GIL" */
          g_print (_("\ngil = %s, a simulation of CPython's GIL: one lock that a thread holds while it "
                     "computes, hands over to a waiting thread after 5 ms, and releases while it waits.\n"),
                   lab_mode_title (LAB_MODE_GIL));
          return;
        }
    }
}

/* io:files: whether the files were synced and where the reads came from. */
static void
print_files_note (LabRun *run)
{
  g_autofree char *note = lab_reading_files (lab_run_get_config (run)->workload, lab_run_get_cells (run));

  if (note != NULL)
    g_print ("\n%s\n", note);
}

/* How long each stage of the pipeline kept its workers busy. */
static void
print_stage_busy (LabCell *cell)
{
  g_autofree char *download = lab_format_duration (lab_cell_get_stage_busy_s (cell, LAB_STAGE_DOWNLOAD));
  g_autofree char *analyse = lab_format_duration (lab_cell_get_stage_busy_s (cell, LAB_STAGE_ANALYSE));
  g_autofree char *store = lab_format_duration (lab_cell_get_stage_busy_s (cell, LAB_STAGE_STORE));

  /* Translators: the time spent in each stage, summed over the workers: "download 4.1 s, analysis 2.0 s, …" */
  g_print (_("%20s busy: download %s, analysis %s, storing %s\n"), "", download, analyse, store);
}

void
lab_cli_print_run_table (LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);
  GListModel *cells = lab_run_get_cells (run);
  g_autofree char *spec = lab_workload_to_spec (config->workload);
  guint n_tasks = config->workload->tasks;
  guint n_cpus = lab_run_get_machine (run)->n_cpus;
  g_autofree char *tasks = g_strdup_printf (ngettext ("%u task", "%u tasks", n_tasks), n_tasks);
  g_autofree char *repeats = g_strdup_printf (ngettext ("%u repetition", "%u repetitions", config->repeat),
                                              config->repeat);
  g_autofree char *warmups = g_strdup_printf (ngettext ("%u warm-up", "%u warm-ups", config->warmup),
                                              config->warmup);
  g_autofree char *cpus = g_strdup_printf (ngettext ("%u CPU", "%u CPUs", n_cpus), n_cpus);

  if (config->workload->kind == LAB_WORKLOAD_PIPELINE)
    /* Translators: "Workload pipeline, 20000 SHA-256 rounds, 16384-byte documents, 200 tasks, …" */
    g_print (_("Workload %s, %" PRIu64 " SHA-256 rounds, %" PRIu64 "-byte documents, %s, %s (+%s), %s\n\n"),
             spec, config->workload->size, config->server_bytes, tasks, repeats, warmups, cpus);
  else if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD)
    /* Translators: "Workload io:download, 40 tasks, 3 repetitions (+1 warm-up), 2 CPUs" */
    g_print (_("Workload %s, %s, %s (+%s), %s\n\n"), spec, tasks, repeats, warmups, cpus);
  else
    /* Translators: "Workload cpu:primes, size 2000000, 16 tasks, 3 repetitions (+1 warm-up), 2 CPUs" */
    g_print (_("Workload %s, size %" PRIu64 ", %s, %s (+%s), %s\n\n"),
             spec, config->workload->size, tasks, repeats, warmups, cpus);
  g_print ("%-19s %7s  %-22s %8s %10s %8s %22s %6s\n",
           _("mode"), _("workers"), _("median wall ± MAD"), _("speedup"), _("efficiency"),
           _("CPU"), _("checksum"), _("failed"));

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      g_autofree char *median = lab_format_duration (lab_cell_get_median_s (cell));
      g_autofree char *mad = lab_format_duration (lab_cell_get_mad_s (cell));
      g_autofree char *wall = g_strdup_printf ("%s ± %s", median, mad);
      g_autofree char *speedup = lab_format_value (lab_cell_get_speedup (cell), "%.2f×");
      g_autofree char *efficiency = lab_format_value (100 * lab_cell_get_efficiency (cell), "%.0f %%");
      g_autofree char *cpu = lab_format_value (100 * lab_cell_get_cpu_util (cell), "%.0f %%");
      g_autofree char *checksum = g_strdup_printf ("%" G_GUINT64_FORMAT "%s", lab_cell_get_checksum (cell),
                                                   lab_cell_get_checksum_consistent (cell) ? "" : "*");
      g_autofree char *name = lab_variant_to_string (lab_cell_get_runtime (cell), lab_cell_get_mode (cell));

      /* %-*s counts bytes: pad by characters so that "±" and "×" line up. */
      g_print ("%-19s %7u  %s%*s %*s %10s %8s %22s %6u\n",
               name, lab_cell_get_workers (cell),
               wall, (int) (22 - g_utf8_strlen (wall, -1)), "",
               (int) (8 + strlen (speedup) - g_utf8_strlen (speedup, -1)), speedup,
               efficiency, cpu, checksum, lab_cell_get_failed_tasks (cell));
      if (config->workload->kind == LAB_WORKLOAD_PIPELINE)
        print_stage_busy (cell);
      else if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD)
        {
          g_autofree char *p50 = lab_format_value (lab_cell_get_latency_ms (cell, 50), "%.1f");
          g_autofree char *p90 = lab_format_value (lab_cell_get_latency_ms (cell, 90), "%.1f");
          g_autofree char *p99 = lab_format_value (lab_cell_get_latency_ms (cell, 99), "%.1f");
          g_autofree char *max = lab_format_value (lab_cell_get_latency_ms (cell, 100), "%.1f");
          g_autofree char *mib_s = lab_format_value (lab_cell_get_throughput_mib_s (cell), "%.2f");

          g_print (_("%20s latency p50 %s ms, p90 %s ms, p99 %s ms, max %s ms; throughput %s MiB/s\n"),
                   "", p50, p90, p99, max, mib_s);
        }
      else if (config->workload->kind == LAB_WORKLOAD_FILES)
        {
          g_autofree char *cached = lab_format_value (100 * lab_cell_get_cached_fraction (cell), "%.0f %%");
          g_autofree char *mib_s = lab_format_value (lab_cell_get_throughput_mib_s (cell), "%.1f");

          /* Translators: "100 %" of the bytes read back; MiB/s of files written and read back */
          g_print (_("%20s in the page cache before reading: %s; %s MiB/s of files written and read back\n"),
                   "", cached, mib_s);
        }
    }
  print_gil_note (run);
  print_files_note (run);
}

/* What an interpreter cost to start, which the times above leave out. */
static void
print_startup (LabRun *run)
{
  GListModel *cells = lab_run_get_cells (run);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      g_autofree char *name = NULL;
      g_autofree char *startup = NULL;

      if (lab_cell_get_runtime (cell) == LAB_RUNTIME_NATIVE || !isfinite (lab_cell_get_startup_s (cell)))
        continue;
      name = lab_variant_to_string (lab_cell_get_runtime (cell), lab_cell_get_mode (cell));
      startup = lab_format_duration (lab_cell_get_startup_s (cell));
      g_string_append_printf (line, "%s%s ×%u %s", line->len > 0 ? ", " : "", name,
                              lab_cell_get_workers (cell), startup);
    }
  if (line->len > 0)
    /* Translators: %s lists cells and times, "cpython/threads ×2 31.2 ms, …" */
    g_print (_("\nInterpreter start-up, before and not in the times above: %s\n"), line->str);
}

/* The pipeline: which shape won and why. */
static void
print_pipeline_reading (LabRun *run)
{
  g_autofree char *reading = NULL;

  if (lab_run_get_config (run)->workload->kind != LAB_WORKLOAD_PIPELINE)
    return;
  reading = lab_reading_pipeline (lab_run_get_cells (run));
  if (reading != NULL)
    g_print ("\n%s\n", reading);
}

/* Says on stderr, once, when the figures cannot be trusted and why. */
static void
print_trust (LabRun *run)
{
  g_autofree char *warning = lab_reading_run_trust (run);

  if (warning != NULL)
    /* Translators: %s is a sentence such as "Another program used 45 % of the CPU …" */
    g_printerr (_("Warning: %s\n"), warning);
}

/* Checks that every cell computed the same result. */
static gboolean
checksums_agree (LabRun *run)
{
  GListModel *cells = lab_run_get_cells (run);
  gboolean agree = TRUE;
  gboolean have_first = FALSE;
  guint64 first = 0;

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

      if (lab_cell_get_failed_tasks (cell) > 0 || !lab_cell_get_checksum_consistent (cell))
        continue;
      if (!have_first)
        {
          first = lab_cell_get_checksum (cell);
          have_first = TRUE;
        }
      else if (lab_cell_get_checksum (cell) != first)
        agree = FALSE;
    }
  return agree;
}

static void
on_spans_added (LabRun        *run,
                LabRepetition *rep,
                guint          first,
                guint          n_spans,
                gpointer       user_data)
{
  static gint64 last_print;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *variant = NULL;

  if (now - last_print < 100 * 1000)
    return;
  last_print = now;
  variant = lab_variant_to_string (rep->runtime, rep->mode);
  g_printerr ("\r\033[K%s ×%u  %s %u/%u  %s %u/%u",
              variant, rep->workers,
              _("repetition"), lab_run_get_repetitions_done (run) + 1, lab_run_get_repetitions_total (run),
              _("tasks"), lab_run_get_tasks_done (run), lab_run_get_tasks_total (run));
}

/* Every file the run will write goes where it can be written: found out
 * now, not after the run. */
static gboolean
check_output_paths (RunOptions  *o,
                    GError     **error)
{
  const struct {
    const char *option;
    const char *path;
  } outputs[] = {
    { "--csv", o->csv },
    { "--spans-csv", o->spans_csv },
    { "--gil-csv", o->gil_csv },
    { "--trace", o->trace },
  };

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    if (outputs[i].path != NULL && !lab_cli_check_output_path (outputs[i].option, outputs[i].path, error))
      return FALSE;
  return TRUE;
}

static void
on_recording_failed (LabHistory   *history,
                     LabRun       *run,
                     const GError *error,
                     gpointer      user_data)
{
  /* Translators: %s says which write failed and why */
  lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s; the run goes on, and what was recorded before stays"), error->message);
}

/* The run is recorded in the history unless --no-history; a history that
 * cannot be opened does not stop the run. */
static LabHistory *
record_in_history (LabRun *run)
{
  g_autoptr(GError) error = NULL;
  LabHistory *history = lab_cli_open_history (&error);

  if (history == NULL)
    {
      /* Translators: %s says why the history cannot be opened */
      lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s; this run is not recorded in the history"), error->message);
      return NULL;
    }
  lab_history_track_run (history, run);
  g_signal_connect (history, "recording-failed", G_CALLBACK (on_recording_failed), NULL);
  return history;
}

static int
export_files (LabRun     *run,
              RunOptions *o)
{
  int status = LAB_CLI_EXIT_OK;

  if (o->csv != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lab_export_results (run, o->csv, &error))
        status = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s (choose another --csv path)"), error->message);
    }
  if (o->spans_csv != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lab_export_spans (run, o->spans_csv, &error))
        status = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s (choose another --spans-csv path)"), error->message);
    }
  if (o->gil_csv != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lab_export_gil (run, o->gil_csv, &error))
        status = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s (choose another --gil-csv path)"), error->message);
    }
  if (o->trace != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lab_export_trace (run, o->trace, &error))
        status = lab_cli_fail (LAB_CLI_EXIT_FAILED, _("%s (choose another --trace path)"), error->message);
    }
  return status;
}

int
lab_cli_run (int    argc,
             char **argv)
{
  g_auto(RunOptions) o = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRunBuilder) builder = NULL;
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *kernels = lab_kernel_names ();
  g_autofree char *description = NULL;
  g_autoptr(LabHttpServer) server = NULL;
  g_autoptr(LabHistory) history = NULL;
  gboolean ok;
  int status;
  const GOptionEntry entries[] = {
    { "workload", 'w', 0, G_OPTION_ARG_STRING, &o.workload, N_("What to run: cpu:KERNEL, io:sleep, io:download, io:files, pipeline (default cpu:primes)"), N_("SPEC") },
    { "runtime", 0, 0, G_OPTION_ARG_STRING, &o.runtime, N_("Who runs the tasks, one or several of: native, the C engine (default); cpython, python3 on PATH running the same kernels; cpython-nogil, a free-threaded python3.13t or newer"), N_("NAME") },
    { "size", 's', 0, G_OPTION_ARG_STRING, &o.size, N_("Input size of the kernel (io:sleep: milliseconds per task; io:files: bytes per file, default 4194304; pipeline: SHA-256 rounds per document)"), "N" },
    { "tasks", 't', 0, G_OPTION_ARG_STRING, &o.tasks, N_("Number of tasks the work is split into (default 16)"), "N" },
    { "modes", 'm', 0, G_OPTION_ARG_STRING, &o.modes, N_("Comma-separated modes: sequential, threads, processes, spawn, gil, async for io:sleep and io:download, gtask for those and io:files (default sequential,threads,processes,spawn); pipeline: sequential, threads, gil, processes, hybrid (all by default)"), N_("LIST") },
    { "workers", 'j', 0, G_OPTION_ARG_STRING, &o.workers, N_("Comma-separated worker counts (default 1 and the number of CPUs)"), N_("LIST") },
    { "repeat", 'r', 0, G_OPTION_ARG_STRING, &o.repeat, N_("Measured repetitions per mode and worker count (default 3)"), "N" },
    { "warmup", 0, 0, G_OPTION_ARG_STRING, &o.warmup, N_("Discarded warm-up repetitions (default 1)"), "N" },
    { "task-timeout-s", 0, 0, G_OPTION_ARG_STRING, &o.task_timeout_s, N_("Kill a worker process whose task runs longer (default 300, 0 = never)"), N_("SECONDS") },
    { "nice", 0, 0, G_OPTION_ARG_STRING, &o.nice, N_("Niceness of worker threads and processes, 0–19 (default 0)"), "N" },
    { "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &o.worker, N_("Worker executable"), N_("PATH") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv, N_("Write the results (one row per repetition) to FILE"), N_("FILE") },
    { "spans-csv", 0, 0, G_OPTION_ARG_FILENAME, &o.spans_csv, N_("Write the spans (one row per task) to FILE"), N_("FILE") },
    { "gil-csv", 0, 0, G_OPTION_ARG_FILENAME, &o.gil_csv, N_("Write the holds of and waits for the emulated GIL (mode gil) to FILE"), N_("FILE") },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &o.trace, N_("Write the tasks as a Perfetto/Chrome trace (JSON) to FILE"), N_("FILE") },
    { "url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.url, N_("io:download: a URL to fetch (repeatable; default: the embedded server)"), N_("URL") },
    { "urls", 0, 0, G_OPTION_ARG_FILENAME, &o.urls_file, N_("io:download: read URLs from FILE, one per line (# comments)"), N_("FILE") },
    { "delay-ms", 0, 0, G_OPTION_ARG_STRING, &o.delay_ms, N_("io:download without URLs and pipeline: server delay per request (default 200)"), N_("MS") },
    { "bytes", 0, 0, G_OPTION_ARG_STRING, &o.bytes, N_("io:download without URLs: body size per request (default 16384); pipeline: bytes per document"), "N" },
    { "server-delay", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.server_delay, N_("The same as --delay-ms"), N_("MS") },
    { "server-bytes", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.server_bytes, N_("The same as --bytes"), "N" },
    { "store-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.store_dir, N_("pipeline: keep each repetition's rows in a CSV file in DIR (default: a temporary folder, removed)"), N_("DIR") },
    { "timeout-s", 0, 0, G_OPTION_ARG_STRING, &o.timeout_s, N_("io:download: per-request timeout (default 30)"), N_("SECONDS") },
    { "max-bytes", 0, 0, G_OPTION_ARG_STRING, &o.max_bytes, N_("io:download: largest body accepted (default 67108864)"), "N" },
    { "fsync", 0, 0, G_OPTION_ARG_NONE, &o.fsync, N_("io:files: sync each file to storage after writing it"), NULL },
    { "cache", 0, 0, G_OPTION_ARG_STRING, &o.cache, N_("io:files: read each file back from a warm page cache, or a cold one (dropped after a sync; default warm)"), N_("warm|cold") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the results as JSON instead of a table"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("Do not show progress"), NULL },
    { "no-history", 0, 0, G_OPTION_ARG_NONE, &o.no_history, N_("Do not record the run in the history"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Runs one workload in each mode and worker count, and measures it."));
  description = g_strdup_printf (_("Kernels: %s.\nExit status: 0 all tasks succeeded, 1 the run or a task failed, 2 bad options."),
                                 kernels);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (argc > 1)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, _("unexpected argument “%s”"), argv[1]);
  if (!check_output_paths (&o, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);

  builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);
  if (!record_options (&o, builder, &error))
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
  if (lab_run_builder_needs_server (builder))
    {
      /* Nothing needs the network: serve the downloads ourselves. */
      server = lab_http_server_new ();
      if (!lab_http_server_start_in_thread (server, 0, &error))
        return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("cannot start the embedded HTTP server: %s"), error->message);
      lab_run_builder_set_server (builder, lab_http_server_get_base_url (server));
    }
  config = lab_run_builder_build (builder, &error);
  if (config == NULL)
    {
      if (server != NULL)
        lab_http_server_stop (server);
      return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
    }

  run = lab_run_new (config);
  if (!o.no_history)
    history = record_in_history (run);
  if (!o.quiet && isatty (STDERR_FILENO))
    g_signal_connect (run, "spans-added", G_CALLBACK (on_spans_added), NULL);

  cancellable = g_cancellable_new ();
  lab_cli_install_signals (cancellable);
  ok = lab_run_execute (run, cancellable, &error);
  lab_cli_uninstall_signals ();
  if (server != NULL)
    lab_http_server_stop (server);
  if (!o.quiet && isatty (STDERR_FILENO))
    g_printerr ("\r\033[K");

  /* What was measured is printed and saved even when the run stopped early. */
  if (o.json)
    {
      g_autofree char *json = lab_export_json (run, FALSE);

      g_print ("%s\n", json);
    }
  else
    {
      lab_cli_print_run_table (run);
      print_startup (run);
      print_pipeline_reading (run);
    }
  print_trust (run);
  if (history != NULL && lab_history_get_run_id (history, run) > 0 && !o.quiet)
    /* Translators: %ld is the run's id in the history, twice */
    g_printerr (_("Recorded in the history as run %" G_GINT64_FORMAT " (concurrency-lab-cli history show %"
                  G_GINT64_FORMAT ")\n"),
                lab_history_get_run_id (history, run), lab_history_get_run_id (history, run));

  status = export_files (run, &o);

  if (!ok)
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, "%s", error->message);
  if (lab_run_get_failed_tasks (run) > 0)
    {
      GListModel *cells = lab_run_get_cells (run);
      g_autofree char *first_error = NULL;

      for (guint i = 0; first_error == NULL && i < g_list_model_get_n_items (cells); i++)
        {
          g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);

          first_error = lab_cell_dup_first_error (cell);
        }
      return lab_cli_fail (LAB_CLI_EXIT_FAILED,
                           g_dngettext (GETTEXT_PACKAGE, "%u task failed; the first error: %s",
                                        "%u tasks failed; the first error: %s", lab_run_get_failed_tasks (run)),
                           lab_run_get_failed_tasks (run), first_error != NULL ? first_error : "?");
    }
  if (!checksums_agree (run))
    return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("the modes computed different checksums: this is a bug"));
  if (!o.json)
    g_print ("\n%s\n", _("Every mode computed the same checksum."));
  return status;
}

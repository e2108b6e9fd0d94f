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
#include "lab-http-server.h"
#include "lab-machine.h"
#include "lab-run.h"

typedef struct
{
  char     *workload;
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
  char     *trace;
  char    **url;
  char     *urls_file;
  char     *delay_ms;
  char     *bytes;
  char     *timeout_s;
  char     *max_bytes;
  gboolean  json;
  gboolean  quiet;
} RunOptions;

static void
run_options_clear (RunOptions *o)
{
  g_free (o->workload);
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
  g_free (o->trace);
  g_strfreev (o->url);
  g_free (o->urls_file);
  g_free (o->delay_ms);
  g_free (o->bytes);
  g_free (o->timeout_s);
  g_free (o->max_bytes);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

gboolean
lab_cli_parse_uint (const char  *option,
                    const char  *value,
                    guint64      min,
                    guint64      max,
                    guint64     *out,
                    GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (value));

  if (!g_ascii_string_to_unsigned (stripped, 10, min, max, out, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: “%s” is not a whole number from %" PRIu64 " to %" PRIu64),
                   option, value, min, max);
      return FALSE;
    }
  return TRUE;
}

GArray *
lab_cli_parse_uints (const char  *option,
                     const char  *value,
                     guint        min,
                     guint        max,
                     GError     **error)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 v;
      guint w;

      if (!lab_cli_parse_uint (option, parts[i], min, max, &v, error))
        return NULL;
      w = v;
      g_array_append_val (values, w);
    }
  if (values->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: give at least one number from %u to %u"), option, min, max);
      return NULL;
    }
  return g_steal_pointer (&values);
}

static GArray *
parse_modes (const char  *value,
             GError     **error)
{
  g_autoptr(GArray) modes = g_array_new (FALSE, FALSE, sizeof (LabMode));
  g_auto(GStrv) parts = g_strsplit (value, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      LabMode mode;

      g_strstrip (parts[i]);
      if (!lab_mode_from_string (parts[i], &mode))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--modes: unknown mode “%s”; accepted: sequential, threads, processes, spawn, and async for io:sleep and io:download"),
                       parts[i]);
          return NULL;
        }
      g_array_append_val (modes, mode);
    }
  if (modes->len == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--modes: give at least one of sequential, threads, processes, spawn"));
      return NULL;
    }
  return g_steal_pointer (&modes);
}

/* Reads --urls FILE: one URL per line, blank lines and # comments ignored. */
static gboolean
read_urls_file (const char  *path,
                GPtrArray   *urls,
                GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--urls: cannot read “%s”: %s"), display, local_error->message);
      return FALSE;
    }
  if (memchr (contents, '\0', length) != NULL || !g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--urls: “%s” is not a UTF-8 text file"), display);
      return FALSE;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      g_ptr_array_add (urls, g_strdup (line));
    }
  return TRUE;
}

/* Fills the download options in: timeout, body cap and the URL list (left
 * NULL when no URL was given, for the embedded server). */
static gboolean
configure_download (RunOptions   *o,
                    LabWorkload  *workload,
                    GError      **error)
{
  guint64 v;

  if (o->timeout_s != NULL)
    {
      if (!lab_cli_parse_uint ("--timeout-s", o->timeout_s, 1, 86400, &v, error))
        return FALSE;
      workload->timeout_s = v;
    }
  if (o->max_bytes != NULL)
    {
      if (!lab_cli_parse_uint ("--max-bytes", o->max_bytes, 1, G_MAXINT64, &workload->max_bytes, error))
        return FALSE;
    }

  if (o->url != NULL || o->urls_file != NULL)
    {
      g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; o->url != NULL && o->url[i] != NULL; i++)
        g_ptr_array_add (urls, g_strdup (o->url[i]));
      if (o->urls_file != NULL && !read_urls_file (o->urls_file, urls, error))
        return FALSE;
      if (urls->len == 0)
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("no URLs: --url and --urls gave an empty list"));
          return FALSE;
        }
      if (urls->len > LAB_MAX_TASKS)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("too many URLs: at most %u"), LAB_MAX_TASKS);
          return FALSE;
        }
      workload->tasks = urls->len;
      g_ptr_array_add (urls, NULL);
      g_strfreev (workload->urls);
      workload->urls = (char **) g_ptr_array_steal (urls, NULL);
    }
  return TRUE;
}

/* Turns the options into a configuration; every problem is a usage error. */
static LabRunConfig *
build_config (RunOptions  *o,
              GError     **error)
{
  g_autoptr(LabRunConfig) config = lab_run_config_new ();
  guint64 v;

  config->workload = lab_workload_new_from_spec (o->workload != NULL ? o->workload : "cpu:primes", error);
  if (config->workload == NULL)
    return NULL;

  if (o->size != NULL)
    {
      guint64 max = config->workload->kind == LAB_WORKLOAD_CPU ? config->workload->kernel->max_size : 3600000;

      if (!lab_cli_parse_uint ("--size", o->size, 1, max, &config->workload->size, error))
        return NULL;
    }
  if (o->tasks != NULL)
    {
      if (!lab_cli_parse_uint ("--tasks", o->tasks, 1, LAB_MAX_TASKS, &v, error))
        return NULL;
      config->workload->tasks = v;
    }

  if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD)
    {
      if (!configure_download (o, config->workload, error))
        return NULL;
    }
  else if (o->url != NULL || o->urls_file != NULL || o->delay_ms != NULL || o->bytes != NULL ||
           o->timeout_s != NULL || o->max_bytes != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--url, --urls, --delay-ms, --bytes, --timeout-s and --max-bytes only apply to --workload io:download"));
      return NULL;
    }

  g_clear_pointer (&config->modes, g_array_unref);
  config->modes = parse_modes (o->modes != NULL ? o->modes : "sequential,threads,processes,spawn", error);
  if (config->modes == NULL)
    return NULL;

  g_clear_pointer (&config->workers, g_array_unref);
  if (o->workers != NULL)
    config->workers = lab_cli_parse_uints ("--workers", o->workers, 1, LAB_MAX_WORKERS, error);
  else
    {
      guint defaults[] = { 1, lab_machine_n_cpus () };

      config->workers = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_vals (config->workers, defaults, defaults[1] > 1 ? 2 : 1);
    }
  if (config->workers == NULL)
    return NULL;

  if (o->repeat != NULL)
    {
      if (!lab_cli_parse_uint ("--repeat", o->repeat, 1, 1000, &v, error))
        return NULL;
      config->repeat = v;
    }
  if (o->warmup != NULL)
    {
      if (!lab_cli_parse_uint ("--warmup", o->warmup, 0, 100, &v, error))
        return NULL;
      config->warmup = v;
    }
  if (o->task_timeout_s != NULL)
    {
      if (!lab_cli_parse_uint ("--task-timeout-s", o->task_timeout_s, 0, 86400, &v, error))
        return NULL;
      config->task_timeout_ms = v * 1000;
    }
  if (o->nice != NULL)
    {
      if (!lab_cli_parse_uint ("--nice", o->nice, 0, 19, &v, error))
        return NULL;
      config->worker_nice = v;
    }
  config->worker_path = g_strdup (o->worker);

  /* A download run without URLs gets the embedded server's later. */
  if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD && config->workload->urls == NULL)
    return g_steal_pointer (&config);
  if (!lab_run_config_validate (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

/* Points a download workload without URLs at @base_url: --tasks URLs of
 * /delay/D?bytes=B. */
static gboolean
use_embedded_server (RunOptions    *o,
                     LabRunConfig  *config,
                     const char    *base_url,
                     GError       **error)
{
  guint64 delay_ms = 200;
  guint64 bytes = 16384;
  LabWorkload *workload = config->workload;

  if (o->delay_ms != NULL &&
      !lab_cli_parse_uint ("--delay-ms", o->delay_ms, 0, LAB_HTTP_SERVER_MAX_DURATION_MS, &delay_ms, error))
    return FALSE;
  if (o->bytes != NULL &&
      !lab_cli_parse_uint ("--bytes", o->bytes, 0, LAB_HTTP_SERVER_DEFAULT_MAX_BYTES, &bytes, error))
    return FALSE;

  g_strfreev (workload->urls);
  workload->urls = g_new0 (char *, workload->tasks + 1);
  for (guint i = 0; i < workload->tasks; i++)
    workload->urls[i] = g_strdup_printf ("%s/delay/%" G_GUINT64_FORMAT "?bytes=%" G_GUINT64_FORMAT,
                                         base_url, delay_ms, bytes);
  return lab_run_config_validate (config, error);
}

static char *
format_seconds (double s)
{
  if (!isfinite (s))
    return g_strdup ("—");
  if (s < 1e-3)
    return g_strdup_printf ("%.1f µs", s * 1e6);
  if (s < 1.0)
    return g_strdup_printf ("%.1f ms", s * 1e3);
  return g_strdup_printf ("%.3f s", s);
}

static char *
format_ratio (double value,
              const char *format)
{
  return isfinite (value) ? g_strdup_printf (format, value) : g_strdup ("—");
}

static void
print_table (LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);
  GListModel *cells = lab_run_get_cells (run);
  g_autofree char *spec = lab_workload_to_spec (config->workload);
  guint n_tasks = config->workload->tasks;
  guint n_cpus = lab_machine_n_cpus ();
  g_autofree char *tasks = g_strdup_printf (ngettext ("%u task", "%u tasks", n_tasks), n_tasks);
  g_autofree char *repeats = g_strdup_printf (ngettext ("%u repetition", "%u repetitions", config->repeat),
                                              config->repeat);
  g_autofree char *warmups = g_strdup_printf (ngettext ("%u warm-up", "%u warm-ups", config->warmup),
                                              config->warmup);
  g_autofree char *cpus = g_strdup_printf (ngettext ("%u CPU", "%u CPUs", n_cpus), n_cpus);

  if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD)
    /* Translators: "Workload io:download, 40 tasks, 3 repetitions (+1 warm-up), 2 CPUs" */
    g_print (_("Workload %s, %s, %s (+%s), %s\n\n"), spec, tasks, repeats, warmups, cpus);
  else
    /* Translators: "Workload cpu:primes, size 2000000, 16 tasks, 3 repetitions (+1 warm-up), 2 CPUs" */
    g_print (_("Workload %s, size %" PRIu64 ", %s, %s (+%s), %s\n\n"),
             spec, config->workload->size, tasks, repeats, warmups, cpus);
  g_print ("%-11s %7s  %-22s %8s %10s %8s %22s %6s\n",
           _("mode"), _("workers"), _("median wall ± MAD"), _("speedup"), _("efficiency"),
           _("CPU"), _("checksum"), _("failed"));

  for (guint i = 0; i < g_list_model_get_n_items (cells); i++)
    {
      g_autoptr(LabCell) cell = g_list_model_get_item (cells, i);
      g_autofree char *median = format_seconds (lab_cell_get_median_s (cell));
      g_autofree char *mad = format_seconds (lab_cell_get_mad_s (cell));
      g_autofree char *wall = g_strdup_printf ("%s ± %s", median, mad);
      g_autofree char *speedup = format_ratio (lab_cell_get_speedup (cell), "%.2f×");
      g_autofree char *efficiency = format_ratio (100 * lab_cell_get_efficiency (cell), "%.0f %%");
      g_autofree char *cpu = format_ratio (100 * lab_cell_get_cpu_util (cell), "%.0f %%");
      g_autofree char *checksum = g_strdup_printf ("%" G_GUINT64_FORMAT "%s", lab_cell_get_checksum (cell),
                                                   lab_cell_get_checksum_consistent (cell) ? "" : "*");

      /* %-*s counts bytes: pad by characters so that "±" and "×" line up. */
      g_print ("%-11s %7u  %s%*s %*s %10s %8s %22s %6u\n",
               lab_mode_to_string (lab_cell_get_mode (cell)), lab_cell_get_workers (cell),
               wall, (int) (22 - g_utf8_strlen (wall, -1)), "",
               (int) (8 + strlen (speedup) - g_utf8_strlen (speedup, -1)), speedup,
               efficiency, cpu, checksum, lab_cell_get_failed_tasks (cell));
      if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD)
        {
          g_autofree char *p50 = format_ratio (lab_cell_get_latency_ms (cell, 50), "%.1f");
          g_autofree char *p90 = format_ratio (lab_cell_get_latency_ms (cell, 90), "%.1f");
          g_autofree char *p99 = format_ratio (lab_cell_get_latency_ms (cell, 99), "%.1f");
          g_autofree char *max = format_ratio (lab_cell_get_latency_ms (cell, 100), "%.1f");
          g_autofree char *mib_s = format_ratio (lab_cell_get_throughput_mib_s (cell), "%.2f");

          g_print (_("%20s latency p50 %s ms, p90 %s ms, p99 %s ms, max %s ms; throughput %s MiB/s\n"),
                   "", p50, p90, p99, max, mib_s);
        }
    }
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

  if (now - last_print < 100 * 1000)
    return;
  last_print = now;
  g_printerr ("\r\033[K%s ×%u  %s %u/%u  %s %u/%u",
              lab_mode_to_string (rep->mode), rep->workers,
              _("repetition"), lab_run_get_repetitions_done (run) + 1, lab_run_get_repetitions_total (run),
              _("tasks"), lab_run_get_tasks_done (run), lab_run_get_tasks_total (run));
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
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *kernels = lab_kernel_names ();
  g_autofree char *description = NULL;
  g_autoptr(LabHttpServer) server = NULL;
  gboolean ok;
  int status;
  const GOptionEntry entries[] = {
    { "workload", 'w', 0, G_OPTION_ARG_STRING, &o.workload, N_("What to run: cpu:KERNEL, io:sleep, io:download (default cpu:primes)"), N_("SPEC") },
    { "size", 's', 0, G_OPTION_ARG_STRING, &o.size, N_("Input size of the kernel (io:sleep: milliseconds per task)"), "N" },
    { "tasks", 't', 0, G_OPTION_ARG_STRING, &o.tasks, N_("Number of tasks the work is split into (default 16)"), "N" },
    { "modes", 'm', 0, G_OPTION_ARG_STRING, &o.modes, N_("Comma-separated modes (default sequential,threads,processes,spawn)"), N_("LIST") },
    { "workers", 'j', 0, G_OPTION_ARG_STRING, &o.workers, N_("Comma-separated worker counts (default 1 and the number of CPUs)"), N_("LIST") },
    { "repeat", 'r', 0, G_OPTION_ARG_STRING, &o.repeat, N_("Measured repetitions per mode and worker count (default 3)"), "N" },
    { "warmup", 0, 0, G_OPTION_ARG_STRING, &o.warmup, N_("Discarded warm-up repetitions (default 1)"), "N" },
    { "task-timeout-s", 0, 0, G_OPTION_ARG_STRING, &o.task_timeout_s, N_("Kill a worker process whose task runs longer (default 300, 0 = never)"), N_("SECONDS") },
    { "nice", 0, 0, G_OPTION_ARG_STRING, &o.nice, N_("Niceness of worker threads and processes, 0–19 (default 0)"), "N" },
    { "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &o.worker, N_("Worker executable"), N_("PATH") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv, N_("Write the results (one row per repetition) to FILE"), N_("FILE") },
    { "spans-csv", 0, 0, G_OPTION_ARG_FILENAME, &o.spans_csv, N_("Write the spans (one row per task) to FILE"), N_("FILE") },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &o.trace, N_("Write the tasks as a Perfetto/Chrome trace (JSON) to FILE"), N_("FILE") },
    { "url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.url, N_("io:download: a URL to fetch (repeatable; default: the embedded server)"), N_("URL") },
    { "urls", 0, 0, G_OPTION_ARG_FILENAME, &o.urls_file, N_("io:download: read URLs from FILE, one per line (# comments)"), N_("FILE") },
    { "delay-ms", 0, 0, G_OPTION_ARG_STRING, &o.delay_ms, N_("io:download without URLs: server delay per request (default 200)"), N_("MS") },
    { "bytes", 0, 0, G_OPTION_ARG_STRING, &o.bytes, N_("io:download without URLs: body size per request (default 16384)"), "N" },
    { "timeout-s", 0, 0, G_OPTION_ARG_STRING, &o.timeout_s, N_("io:download: per-request timeout (default 30)"), N_("SECONDS") },
    { "max-bytes", 0, 0, G_OPTION_ARG_STRING, &o.max_bytes, N_("io:download: largest body accepted (default 67108864)"), "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the results as JSON instead of a table"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("Do not show progress"), NULL },
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

  config = build_config (&o, &error);
  if (config == NULL)
    return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);

  if (config->workload->kind == LAB_WORKLOAD_DOWNLOAD && config->workload->urls == NULL)
    {
      /* Nothing needs the network: serve the downloads ourselves. */
      server = lab_http_server_new ();
      if (!lab_http_server_start_in_thread (server, 0, &error))
        return lab_cli_fail (LAB_CLI_EXIT_FAILED, _("cannot start the embedded HTTP server: %s"), error->message);
      if (!use_embedded_server (&o, config, lab_http_server_get_base_url (server), &error))
        {
          lab_http_server_stop (server);
          return lab_cli_fail (LAB_CLI_EXIT_USAGE, "%s", error->message);
        }
    }

  run = lab_run_new (config);
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
    print_table (run);

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

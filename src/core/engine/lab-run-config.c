/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-format.h"
#include "lab-run-config.h"

G_DEFINE_BOXED_TYPE (LabRunConfig, lab_run_config, lab_run_config_copy, lab_run_config_free)

LabRunConfig *
lab_run_config_copy (const LabRunConfig *self)
{
  LabRunConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->workload = self->workload != NULL ? lab_workload_copy (self->workload) : NULL;
  copy->runtimes = g_array_copy (self->runtimes);
  for (guint i = 0; i < LAB_N_RUNTIMES; i++)
    copy->interpreters[i] = lab_interpreter_copy (self->interpreters[i]);
  copy->modes = g_array_copy (self->modes);
  copy->workers = g_array_copy (self->workers);
  copy->worker_path = g_strdup (self->worker_path);
  copy->store_dir = g_strdup (self->store_dir);
  return copy;
}

void
lab_run_config_free (LabRunConfig *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->workload, lab_workload_free);
  g_clear_pointer (&self->runtimes, g_array_unref);
  for (guint i = 0; i < LAB_N_RUNTIMES; i++)
    g_clear_pointer (&self->interpreters[i], lab_interpreter_free);
  g_clear_pointer (&self->modes, g_array_unref);
  g_clear_pointer (&self->workers, g_array_unref);
  g_free (self->worker_path);
  g_free (self->store_dir);
  g_free (self);
}

/**
 * lab_run_config_dup_settings_key:
 *
 * What the results of @config depend on, cell by cell: the workload and
 * its size, the tasks, the URLs (or what the embedded server was asked
 * for, wherever it listened), the time-outs and the byte cap. Not the
 * runtimes, modes, worker counts, repetitions, warm-ups or niceness: those
 * choose which cells run and how often, not what a cell measures (a cell
 * knows its runtime; each runtime has its own sequential baseline), nor
 * where the pipeline keeps its rows.
 *
 * Returns: (transfer full): a string, equal for two configurations
 *   exactly when their cells can be compared (a sequential cell of one is
 *   a baseline for the other)
 */
char *
lab_run_config_dup_settings_key (const LabRunConfig *config)
{
  const LabWorkload *workload;
  g_autoptr(GVariant) key = NULL;
  g_autofree char *spec = NULL;
  GVariantBuilder b;

  g_return_val_if_fail (config != NULL && config->workload != NULL, NULL);

  workload = config->workload;
  spec = lab_workload_to_spec (workload);

  /* An array keeps its entries in the order they were added and prints
   * strings quoted: two keys are equal only when every entry is. */
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "workload", g_variant_new_string (spec));
  g_variant_builder_add (&b, "{sv}", "tasks", g_variant_new_uint32 (workload->tasks));
  g_variant_builder_add (&b, "{sv}", "task-timeout-ms",
                         g_variant_new_uint32 (config->task_timeout_ms));

  if (workload->kind != LAB_WORKLOAD_DOWNLOAD)
    g_variant_builder_add (&b, "{sv}", "size", g_variant_new_uint64 (workload->size));
  if (workload->kind == LAB_WORKLOAD_DOWNLOAD || workload->kind == LAB_WORKLOAD_PIPELINE)
    {
      g_variant_builder_add (&b, "{sv}", "timeout-s", g_variant_new_uint32 (workload->timeout_s));
      g_variant_builder_add (&b, "{sv}", "max-bytes", g_variant_new_uint64 (workload->max_bytes));
      if (config->server)
        {
          g_variant_builder_add (&b, "{sv}", "server-delay-ms",
                                 g_variant_new_uint32 (config->server_delay_ms));
          g_variant_builder_add (&b, "{sv}", "server-bytes",
                                 g_variant_new_uint64 (config->server_bytes));
        }
      else
        g_variant_builder_add (&b, "{sv}", "urls",
                               g_variant_new_strv ((const char * const *) workload->urls,
                                                   workload->urls != NULL ? -1 : 0));
    }

  key = g_variant_ref_sink (g_variant_builder_end (&b));
  return g_variant_print (key, FALSE);
}

char *
lab_run_config_dup_runtime_label (const LabRunConfig *config,
                                  LabRuntime          runtime)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);

  if (config->interpreters[runtime] != NULL)
    return lab_interpreter_dup_label (config->interpreters[runtime]);
  return g_strdup (lab_runtime_to_string (runtime));
}

char *
lab_run_config_dup_runtime_version (const LabRunConfig *config,
                                    LabRuntime          runtime)
{
  const LabInterpreter *interpreter;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);

  interpreter = config->interpreters[runtime];
  if (interpreter == NULL)
    return g_strdup (lab_native_version ());
  return g_strdup_printf ("Python %s (%s%s)", interpreter->version, interpreter->path,
                          interpreter->force_gil ? " -X gil=1" : "");
}

static char *
describe_tasks (guint tasks)
{
  g_autofree char *count = lab_format_count (tasks);

  /* Translators: %s is a number of tasks, "32" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s task", "%s tasks", tasks), count);
}

static void
describe_kernel (const LabRunConfig *config,
                 GPtrArray          *parts)
{
  const LabWorkload *workload = config->workload;
  g_autofree char *size = lab_format_count (workload->size);

  g_ptr_array_add (parts, g_strdup (g_dgettext (GETTEXT_PACKAGE, workload->kernel->title)));
  /* Translators: the problem size of a CPU kernel, %s is a number */
  g_ptr_array_add (parts, g_strdup_printf (_("size %s"), size));
  g_ptr_array_add (parts, describe_tasks (workload->tasks));
}

static void
describe_sleep (const LabRunConfig *config,
                GPtrArray          *parts)
{
  const LabWorkload *workload = config->workload;
  double wait_s = workload->size / 1000.0;
  g_autofree char *wait = lab_format_duration_scaled (wait_s, wait_s);

  g_ptr_array_add (parts, g_strdup (_("Sleep")));
  /* Translators: how long each task of io:sleep waits, %s is "200 ms" */
  g_ptr_array_add (parts, g_strdup_printf (_("%s per task"), wait));
  g_ptr_array_add (parts, describe_tasks (workload->tasks));
}

/* What the embedded server was asked for: "1 KiB each · 100 ms latency" */
static void
describe_server (const LabRunConfig *config,
                 GPtrArray          *parts)
{
  g_autofree char *bytes = lab_format_bytes (config->server_bytes);

  /* Translators: the body size of each download, %s is "1 KiB" */
  g_ptr_array_add (parts, g_strdup_printf (_("%s each"), bytes));
  if (config->server_delay_ms > 0)
    {
      double delay_s = config->server_delay_ms / 1000.0;
      g_autofree char *latency = lab_format_duration_scaled (delay_s, delay_s);

      /* Translators: how long the server waits before it answers, %s is "100 ms" */
      g_ptr_array_add (parts, g_strdup_printf (_("%s latency"), latency));
    }
  else
    g_ptr_array_add (parts, g_strdup (_("no latency")));
}

static void
describe_pipeline (const LabRunConfig *config,
                   GPtrArray          *parts)
{
  const LabWorkload *workload = config->workload;
  g_autofree char *count = lab_format_count (workload->tasks);
  g_autofree char *rounds = lab_format_count (workload->size);

  /* Translators: %s is a number of documents, "200" */
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Pipeline of %s document",
                                                        "Pipeline of %s documents", workload->tasks),
                                           count));
  describe_server (config, parts);
  /* Translators: the cost of each document's analysis, %s is a number, "20,000" */
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s SHA-256 round",
                                                        "%s SHA-256 rounds", workload->size),
                                           rounds));
}

static void
describe_download (const LabRunConfig *config,
                   GPtrArray          *parts)
{
  const LabWorkload *workload = config->workload;
  guint tasks = workload->tasks;
  g_autofree char *count = lab_format_count (tasks);
  g_autofree char *urls = NULL;
  guint n_urls;

  if (!config->server)
    {
      n_urls = workload->urls != NULL ? g_strv_length (workload->urls) : 0;
      /* Translators: the end of "32 downloads from 3 URLs" */
      urls = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u URL", "%u URLs", n_urls), n_urls);
      /* Translators: "32 downloads from 3 URLs"; the second %s is "3 URLs" */
      g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s download from %s",
                                                            "%s downloads from %s", tasks),
                                               count, urls));
      return;
    }

  /* Translators: %s is a number of downloads, "32" */
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s download",
                                                        "%s downloads", tasks), count));
  describe_server (config, parts);
  g_ptr_array_add (parts, g_strdup (_("built-in server")));
}

/**
 * lab_run_config_describe_settings:
 *
 * A caption of what lab_run_config_dup_settings_key() compares, for a
 * learner: "Prime count · size 2,000,000 · 32 tasks", "32 downloads ·
 * 1 KiB each · 100 ms latency · built-in server" or "32 downloads from
 * 3 URLs".
 *
 * Returns: (transfer full): the caption, translated
 */
char *
lab_run_config_describe_settings (const LabRunConfig *config)
{
  g_autoptr(GPtrArray) parts = NULL;

  g_return_val_if_fail (config != NULL && config->workload != NULL, NULL);

  parts = g_ptr_array_new_with_free_func (g_free);
  switch (config->workload->kind)
    {
    case LAB_WORKLOAD_CPU:
      describe_kernel (config, parts);
      break;
    case LAB_WORKLOAD_SLEEP:
      describe_sleep (config, parts);
      break;
    case LAB_WORKLOAD_DOWNLOAD:
      describe_download (config, parts);
      break;
    case LAB_WORKLOAD_PIPELINE:
      describe_pipeline (config, parts);
      break;
    default:
      g_assert_not_reached ();
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/**
 * lab_worker_path_default:
 *
 * The worker executable: $CONCURRENCY_LAB_WORKER when set (tests and
 * `meson devenv`), the installed one in libexecdir, or the one in the build
 * tree next to the running program.
 *
 * Returns: (transfer full): a path
 */
char *
lab_worker_path_default (void)
{
  const char *env = g_getenv ("CONCURRENCY_LAB_WORKER");
  g_autofree char *installed = g_build_filename (LIBEXECDIR, WORKER_NAME, NULL);
  g_autofree char *self_exe = NULL;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self_exe);
      const char *candidates[] = { "../worker/" WORKER_NAME, "../src/worker/" WORKER_NAME,
                                   "../../src/worker/" WORKER_NAME, WORKER_NAME };

      for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
        {
          g_autofree char *path = g_build_filename (dir, candidates[i], NULL);

          if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
            return g_canonicalize_filename (path, NULL);
        }
    }
  return g_steal_pointer (&installed);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-parse.h"
#include "lab-workload.h"

G_DEFINE_BOXED_TYPE (LabWorkload, lab_workload, lab_workload_copy, lab_workload_free)

LabWorkload *
lab_workload_new (LabWorkloadKind kind)
{
  LabWorkload *self = g_new0 (LabWorkload, 1);

  self->kind = kind;
  self->tasks = 16;
  self->timeout_s = 30;
  self->max_bytes = 64 * 1024 * 1024;
  return self;
}

LabWorkload *
lab_workload_copy (const LabWorkload *self)
{
  LabWorkload *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->urls = g_strdupv (self->urls);
  copy->files_dir = g_strdup (self->files_dir);
  return copy;
}

void
lab_workload_free (LabWorkload *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->urls);
  g_free (self->files_dir);
  g_free (self);
}

/**
 * lab_workload_new_from_spec:
 * @spec: "cpu:KERNEL", "io:download", "io:sleep", "io:files" or "pipeline"
 *
 * Returns: (transfer full): a workload with that kind's defaults
 */
LabWorkload *
lab_workload_new_from_spec (const char  *spec,
                            GError     **error)
{
  g_return_val_if_fail (spec != NULL, NULL);

  if (g_str_has_prefix (spec, "cpu:"))
    {
      const LabKernel *kernel = lab_kernel_lookup (spec + 4);
      LabWorkload *self;

      if (kernel == NULL)
        {
          g_autofree char *names = lab_kernel_names ();

          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("Unknown kernel “%s”; known kernels: %s"), spec + 4, names);
          return NULL;
        }
      self = lab_workload_new (LAB_WORKLOAD_CPU);
      self->kernel = kernel;
      self->size = kernel->default_size;
      return self;
    }
  else if (g_str_equal (spec, "io:download"))
    return lab_workload_new (LAB_WORKLOAD_DOWNLOAD);
  else if (g_str_equal (spec, "io:sleep"))
    {
      LabWorkload *self = lab_workload_new (LAB_WORKLOAD_SLEEP);

      self->size = 200;
      return self;
    }
  else if (g_str_equal (spec, "io:files"))
    {
      LabWorkload *self = lab_workload_new (LAB_WORKLOAD_FILES);

      self->size = LAB_FILES_DEFAULT_SIZE;
      return self;
    }
  else if (g_str_equal (spec, "pipeline"))
    {
      LabWorkload *self = lab_workload_new (LAB_WORKLOAD_PIPELINE);

      self->size = LAB_PIPELINE_DEFAULT_ROUNDS;
      return self;
    }

  {
    g_autofree char *names = lab_kernel_names ();

    g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                 _("Unknown workload “%s”; accepted: cpu:KERNEL (kernels: %s), io:download, io:sleep, io:files, pipeline"),
                 spec, names);
  }
  return NULL;
}

/**
 * lab_workload_to_spec:
 *
 * Returns: (transfer full): "cpu:primes", "io:download", …
 */
char *
lab_workload_to_spec (const LabWorkload *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->kind)
    {
    case LAB_WORKLOAD_CPU:
      return g_strdup_printf ("cpu:%s", self->kernel->name);
    case LAB_WORKLOAD_DOWNLOAD:
      return g_strdup ("io:download");
    case LAB_WORKLOAD_SLEEP:
      return g_strdup ("io:sleep");
    case LAB_WORKLOAD_FILES:
      return g_strdup ("io:files");
    case LAB_WORKLOAD_PIPELINE:
      return g_strdup ("pipeline");
    default:
      g_assert_not_reached ();
    }
}

/**
 * lab_workload_task_argument:
 *
 * Returns: (transfer none) (nullable): what task @task works on beyond its
 *   index: its URL for downloads and the pipeline's documents, the
 *   directory it writes in for files, NULL otherwise
 */
const char *
lab_workload_task_argument (const LabWorkload *self,
                            guint              task)
{
  guint n_urls;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->kind == LAB_WORKLOAD_FILES)
    return self->files_dir;
  if ((self->kind != LAB_WORKLOAD_DOWNLOAD && self->kind != LAB_WORKLOAD_PIPELINE) || self->urls == NULL)
    return NULL;
  n_urls = g_strv_length (self->urls);
  return n_urls > 0 ? self->urls[task % n_urls] : NULL;
}

/**
 * lab_workload_get_limit:
 * @min: (out): the smallest value allowed
 * @max: (out): the largest value allowed
 *
 * The range of one field for the workload's kind (and kernel): what the
 * run builder accepts from people and the worker from its parent, so that
 * a worker never runs what the engine would not ask for. A field that
 * means nothing to the kind (a download's size, a kernel's time-out) may
 * hold anything.
 *
 * Returns: whether the limit applies to this kind of workload
 */
gboolean
lab_workload_get_limit (const LabWorkload *self,
                        LabWorkloadLimit   limit,
                        guint64           *min,
                        guint64           *max)
{
  gboolean fetches;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (limit < LAB_WORKLOAD_N_LIMITS, FALSE);

  fetches = self->kind == LAB_WORKLOAD_DOWNLOAD || self->kind == LAB_WORKLOAD_PIPELINE;
  *min = 0;
  *max = G_MAXUINT64;
  switch (limit)
    {
    case LAB_WORKLOAD_LIMIT_SIZE:
      if (self->kind == LAB_WORKLOAD_DOWNLOAD)
        return FALSE;  /* each task fetches one URL */
      *min = 1;
      if (self->kind == LAB_WORKLOAD_CPU)
        *max = self->kernel->max_size;
      else if (self->kind == LAB_WORKLOAD_FILES)
        *max = LAB_FILES_MAX_SIZE;
      else if (self->kind == LAB_WORKLOAD_PIPELINE)
        *max = LAB_PIPELINE_MAX_ROUNDS;
      else
        *max = LAB_SLEEP_MAX_MS;
      return TRUE;

    case LAB_WORKLOAD_LIMIT_TASKS:
      *min = 1;
      *max = LAB_MAX_TASKS;
      return TRUE;

    case LAB_WORKLOAD_LIMIT_TIMEOUT:
      *min = 1;
      *max = LAB_MAX_TIMEOUT_S;
      return fetches;

    case LAB_WORKLOAD_LIMIT_MAX_BYTES:
      *min = 1;
      *max = LAB_MAX_BODY_BYTES;
      return fetches;

    case LAB_WORKLOAD_N_LIMITS:
    default:
      g_assert_not_reached ();
    }
}

/**
 * lab_workload_check:
 *
 * Checks every field that has a limit for the workload's kind against it
 * (lab_workload_get_limit()), as the worker does with each workload it is
 * sent. The run builder checks the same limits, naming its parameters.
 *
 * Returns: %FALSE with @error naming the field and its range when one is
 *   out of it
 */
gboolean
lab_workload_check (const LabWorkload  *self,
                    GError            **error)
{
  static const char *names[LAB_WORKLOAD_N_LIMITS] = {
    [LAB_WORKLOAD_LIMIT_SIZE] = "size",
    [LAB_WORKLOAD_LIMIT_TASKS] = "tasks",
    [LAB_WORKLOAD_LIMIT_TIMEOUT] = "timeout",
    [LAB_WORKLOAD_LIMIT_MAX_BYTES] = "max bytes",
  };
  guint64 values[LAB_WORKLOAD_N_LIMITS];
  g_autofree char *spec = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  values[LAB_WORKLOAD_LIMIT_SIZE] = self->size;
  values[LAB_WORKLOAD_LIMIT_TASKS] = self->tasks;
  values[LAB_WORKLOAD_LIMIT_TIMEOUT] = self->timeout_s;
  values[LAB_WORKLOAD_LIMIT_MAX_BYTES] = self->max_bytes;
  spec = lab_workload_to_spec (self);
  for (LabWorkloadLimit limit = 0; limit < LAB_WORKLOAD_N_LIMITS; limit++)
    {
      g_autofree char *what = NULL;
      guint64 min, max;

      if (!lab_workload_get_limit (self, limit, &min, &max))
        continue;
      what = g_strdup_printf ("%s %s", spec, names[limit]);
      if (!lab_parse_check_range (what, values[limit], min, max, error))
        return FALSE;
    }
  return TRUE;
}

const char *
lab_files_cache_to_string (LabFilesCache cache)
{
  return cache == LAB_FILES_CACHE_COLD ? "cold" : "warm";
}

/* "warm" or "cold", as the command line and the CSV write them. */
gboolean
lab_files_cache_from_string (const char    *name,
                             LabFilesCache *cache)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (g_str_equal (name, "warm"))
    *cache = LAB_FILES_CACHE_WARM;
  else if (g_str_equal (name, "cold"))
    *cache = LAB_FILES_CACHE_COLD;
  else
    return FALSE;
  return TRUE;
}

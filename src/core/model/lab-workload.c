/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

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
  return copy;
}

void
lab_workload_free (LabWorkload *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->urls);
  g_free (self);
}

/**
 * lab_workload_new_from_spec:
 * @spec: "cpu:KERNEL", "io:download", "io:sleep" or "pipeline"
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
  else if (g_str_equal (spec, "pipeline"))
    {
      LabWorkload *self = lab_workload_new (LAB_WORKLOAD_PIPELINE);

      self->size = LAB_PIPELINE_DEFAULT_ROUNDS;
      return self;
    }

  {
    g_autofree char *names = lab_kernel_names ();

    g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                 _("Unknown workload “%s”; accepted: cpu:KERNEL (kernels: %s), io:download, io:sleep, pipeline"),
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
 *   index: its URL for downloads and the pipeline's documents, NULL otherwise
 */
const char *
lab_workload_task_argument (const LabWorkload *self,
                            guint              task)
{
  guint n_urls;

  g_return_val_if_fail (self != NULL, NULL);

  if ((self->kind != LAB_WORKLOAD_DOWNLOAD && self->kind != LAB_WORKLOAD_PIPELINE) || self->urls == NULL)
    return NULL;
  n_urls = g_strv_length (self->urls);
  return n_urls > 0 ? self->urls[task % n_urls] : NULL;
}

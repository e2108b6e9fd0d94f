/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

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
 * @spec: "cpu:KERNEL", "io:download" or "io:sleep"
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

  {
    g_autofree char *names = lab_kernel_names ();

    g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                 _("Unknown workload “%s”; accepted: cpu:KERNEL (kernels: %s), io:download, io:sleep"),
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
    default:
      g_assert_not_reached ();
    }
}

gboolean
lab_workload_validate (const LabWorkload  *self,
                       GError            **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->tasks == 0 || self->tasks > LAB_MAX_TASKS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("The number of tasks must be between 1 and %u, not %u"),
                   LAB_MAX_TASKS, self->tasks);
      return FALSE;
    }

  switch (self->kind)
    {
    case LAB_WORKLOAD_CPU:
      if (self->kernel == NULL)
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                               _("A CPU workload needs a kernel"));
          return FALSE;
        }
      if (self->size == 0 || self->size > self->kernel->max_size)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("The size of kernel “%s” must be between 1 and %" PRIu64
                         ", not %" PRIu64),
                       self->kernel->name, self->kernel->max_size, self->size);
          return FALSE;
        }
      break;

    case LAB_WORKLOAD_SLEEP:
      if (self->size > 3600 * 1000)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("A sleep task may wait at most one hour (3600000 ms), not %" PRIu64 " ms"),
                       self->size);
          return FALSE;
        }
      break;

    case LAB_WORKLOAD_DOWNLOAD:
      if (self->urls == NULL || self->urls[0] == NULL)
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                               _("A download workload needs at least one URL"));
          return FALSE;
        }
      if (self->timeout_s == 0 || self->max_bytes == 0)
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                               _("The request timeout and the body cap must be greater than zero"));
          return FALSE;
        }
      break;

    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

gboolean
lab_workload_supports_mode (const LabWorkload *self,
                            LabMode            mode)
{
  g_return_val_if_fail (self != NULL, FALSE);

  switch (mode)
    {
    case LAB_MODE_SEQUENTIAL:
    case LAB_MODE_THREADS:
    case LAB_MODE_PROCESSES:
    case LAB_MODE_SPAWN:
      return TRUE;
    case LAB_MODE_ASYNC:
      /* An event loop overlaps waiting, it does not compute. */
      return self->kind != LAB_WORKLOAD_CPU;
    case LAB_MODE_GIL:
    case LAB_N_MODES:
    default:
      return FALSE;
    }
}

/**
 * lab_workload_task_argument:
 *
 * Returns: (transfer none) (nullable): what task @task works on beyond its
 *   index: its URL for downloads, NULL otherwise
 */
const char *
lab_workload_task_argument (const LabWorkload *self,
                            guint              task)
{
  guint n_urls;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->kind != LAB_WORKLOAD_DOWNLOAD || self->urls == NULL)
    return NULL;
  n_urls = g_strv_length (self->urls);
  return n_urls > 0 ? self->urls[task % n_urls] : NULL;
}

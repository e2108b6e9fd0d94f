/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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

/**
 * lab_workload_to_wire:
 *
 * Returns: (transfer full): the workload as the key=value tokens of the
 *   worker protocol's W message. URLs travel with each task instead.
 */
char *
lab_workload_to_wire (const LabWorkload *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->kind)
    {
    case LAB_WORKLOAD_CPU:
      return g_strdup_printf ("kind=cpu kernel=%s size=%" G_GUINT64_FORMAT " tasks=%u",
                              self->kernel->name, self->size, self->tasks);
    case LAB_WORKLOAD_SLEEP:
      return g_strdup_printf ("kind=sleep size=%" G_GUINT64_FORMAT " tasks=%u",
                              self->size, self->tasks);
    case LAB_WORKLOAD_DOWNLOAD:
      return g_strdup_printf ("kind=download tasks=%u timeout_s=%u max_bytes=%" G_GUINT64_FORMAT,
                              self->tasks, self->timeout_s, self->max_bytes);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
parse_wire_number (const char  *key,
                   const char  *value,
                   guint64      max,
                   guint64     *out,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (value, 10, 0, max, out, &local_error))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   "bad %s in workload: %s", key, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * lab_workload_new_from_wire:
 *
 * Parses what lab_workload_to_wire() wrote. Every key is checked; unknown
 * keys and values out of range are errors.
 *
 * Returns: (transfer full) (nullable): the workload
 */
LabWorkload *
lab_workload_new_from_wire (const char  *wire,
                            GError     **error)
{
  g_autoptr(LabWorkload) self = NULL;
  g_auto(GStrv) tokens = NULL;
  const char *kind = NULL;

  g_return_val_if_fail (wire != NULL, NULL);

  tokens = g_strsplit (wire, " ", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_str_has_prefix (tokens[i], "kind="))
      kind = tokens[i] + 5;

  if (g_strcmp0 (kind, "cpu") == 0)
    self = lab_workload_new (LAB_WORKLOAD_CPU);
  else if (g_strcmp0 (kind, "sleep") == 0)
    self = lab_workload_new (LAB_WORKLOAD_SLEEP);
  else if (g_strcmp0 (kind, "download") == 0)
    self = lab_workload_new (LAB_WORKLOAD_DOWNLOAD);
  else
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   "workload without a known kind: “%s”", wire);
      return NULL;
    }

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *eq = strchr (tokens[i], '=');
      g_autofree char *key = NULL;
      const char *value;
      guint64 number = 0;

      if (eq == NULL)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                       "workload token without “=”: “%s”", tokens[i]);
          return NULL;
        }
      key = g_strndup (tokens[i], eq - tokens[i]);
      value = eq + 1;

      if (g_str_equal (key, "kind"))
        continue;
      else if (g_str_equal (key, "kernel") && self->kind == LAB_WORKLOAD_CPU)
        {
          self->kernel = lab_kernel_lookup (value);
          if (self->kernel == NULL)
            {
              g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "unknown kernel “%s”", value);
              return NULL;
            }
        }
      else if (g_str_equal (key, "size"))
        {
          if (!parse_wire_number (key, value, G_MAXUINT64, &self->size, error))
            return NULL;
        }
      else if (g_str_equal (key, "tasks"))
        {
          if (!parse_wire_number (key, value, LAB_MAX_TASKS, &number, error))
            return NULL;
          self->tasks = number;
        }
      else if (g_str_equal (key, "timeout_s"))
        {
          if (!parse_wire_number (key, value, G_MAXUINT, &number, error))
            return NULL;
          self->timeout_s = number;
        }
      else if (g_str_equal (key, "max_bytes"))
        {
          if (!parse_wire_number (key, value, G_MAXUINT64, &self->max_bytes, error))
            return NULL;
        }
      else
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "unknown workload key “%s”", key);
          return NULL;
        }
    }

  if (self->kind == LAB_WORKLOAD_CPU && self->kernel == NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_PROTOCOL, "CPU workload without a kernel");
      return NULL;
    }

  return g_steal_pointer (&self);
}

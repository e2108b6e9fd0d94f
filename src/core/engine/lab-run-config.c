/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-run-config.h"

G_DEFINE_BOXED_TYPE (LabRunConfig, lab_run_config, lab_run_config_copy, lab_run_config_free)

LabRunConfig *
lab_run_config_copy (const LabRunConfig *self)
{
  LabRunConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->workload = self->workload != NULL ? lab_workload_copy (self->workload) : NULL;
  copy->modes = g_array_copy (self->modes);
  copy->workers = g_array_copy (self->workers);
  copy->worker_path = g_strdup (self->worker_path);
  return copy;
}

void
lab_run_config_free (LabRunConfig *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->workload, lab_workload_free);
  g_clear_pointer (&self->modes, g_array_unref);
  g_clear_pointer (&self->workers, g_array_unref);
  g_free (self->worker_path);
  g_free (self);
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

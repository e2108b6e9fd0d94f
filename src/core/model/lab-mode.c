/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-mode.h"

static const struct {
  const char *name;
  const char *title;
} modes[LAB_N_MODES] = {
  [LAB_MODE_SEQUENTIAL] = { "sequential", N_("Sequential") },
  [LAB_MODE_THREADS] = { "threads", N_("Threads") },
  [LAB_MODE_PROCESSES] = { "processes", N_("Processes") },
  [LAB_MODE_SPAWN] = { "spawn", N_("Process per task") },
  [LAB_MODE_ASYNC] = { "async", N_("Event loop") },
  [LAB_MODE_GIL] = { "gil", N_("Threads + emulated GIL") },
};

const char *
lab_mode_to_string (LabMode mode)
{
  g_return_val_if_fail (mode < LAB_N_MODES, NULL);
  return modes[mode].name;
}

const char *
lab_mode_title (LabMode mode)
{
  g_return_val_if_fail (mode < LAB_N_MODES, NULL);
  return g_dgettext (GETTEXT_PACKAGE, modes[mode].title);
}

gboolean
lab_mode_from_string (const char *name,
                      LabMode    *mode)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < LAB_N_MODES; i++)
    if (g_str_equal (modes[i].name, name))
      {
        if (mode != NULL)
          *mode = i;
        return TRUE;
      }
  return FALSE;
}

/* Whether the mode runs its tasks in worker processes. */
gboolean
lab_mode_uses_workers_processes (LabMode mode)
{
  return mode == LAB_MODE_PROCESSES || mode == LAB_MODE_SPAWN;
}

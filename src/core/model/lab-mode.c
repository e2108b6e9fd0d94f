/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-mode.h"

/* The one table of mode names and titles: the CLI, the CSV files, the
 * window's table and its charts all take them from here. The pipeline's
 * stages, queues and lane groups, which depend on the mode, are at the
 * end. */
static const char * const mode_names[LAB_N_MODES] = {
  [LAB_MODE_SEQUENTIAL] = "sequential",
  [LAB_MODE_THREADS] = "threads",
  [LAB_MODE_PROCESSES] = "processes",
  [LAB_MODE_SPAWN] = "spawn",
  [LAB_MODE_ASYNC] = "async",
  [LAB_MODE_GIL] = "gil",
  [LAB_MODE_GTASK] = "gtask",
  [LAB_MODE_HYBRID] = "hybrid",
};

static const char * const mode_titles[LAB_N_MODES] = {
  [LAB_MODE_SEQUENTIAL] = N_("Sequential"),
  [LAB_MODE_THREADS] = N_("Threads"),
  [LAB_MODE_PROCESSES] = N_("Processes"),
  [LAB_MODE_SPAWN] = N_("Process per task"),
  [LAB_MODE_ASYNC] = N_("Event loop"),
  [LAB_MODE_GIL] = N_("Threads + emulated GIL"),
  [LAB_MODE_GTASK] = N_("GTask (GLib’s default pool)"),
  [LAB_MODE_HYBRID] = N_("Hybrid"),
};

static const char * const runtime_names[LAB_N_RUNTIMES] = {
  [LAB_RUNTIME_NATIVE] = "native",
  [LAB_RUNTIME_CPYTHON] = "cpython",
  [LAB_RUNTIME_CPYTHON_NOGIL] = "cpython-nogil",
};

static const char * const runtime_titles[LAB_N_RUNTIMES] = {
  [LAB_RUNTIME_NATIVE] = N_("Native C"),
  [LAB_RUNTIME_CPYTHON] = N_("CPython"),
  [LAB_RUNTIME_CPYTHON_NOGIL] = N_("Free-threaded CPython"),
};

/* Whole phrases, so that translations need not glue words together. The
 * native runtime's are the mode titles; NULL where a runtime has no such
 * mode (the emulated GIL and gtask are the native engine's). */
static const char * const python_titles[LAB_N_MODES] = {
  [LAB_MODE_SEQUENTIAL] = N_("CPython, sequential"),
  [LAB_MODE_THREADS] = N_("CPython threads"),
  [LAB_MODE_PROCESSES] = N_("CPython processes"),
  [LAB_MODE_SPAWN] = N_("CPython, process per task"),
  [LAB_MODE_ASYNC] = N_("CPython asyncio"),
};

static const char * const nogil_titles[LAB_N_MODES] = {
  [LAB_MODE_SEQUENTIAL] = N_("Free-threaded CPython, sequential"),
  [LAB_MODE_THREADS] = N_("Free-threaded CPython threads"),
  [LAB_MODE_PROCESSES] = N_("Free-threaded CPython processes"),
  [LAB_MODE_SPAWN] = N_("Free-threaded CPython, process per task"),
  [LAB_MODE_ASYNC] = N_("Free-threaded CPython asyncio"),
};

/* The index of @name in @names, if it is there. */
static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *name,
             guint              *index)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < n_names; i++)
    if (g_str_equal (names[i], name))
      {
        if (index != NULL)
          *index = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lab_mode_to_string (LabMode mode)
{
  g_return_val_if_fail (mode < LAB_N_MODES, NULL);
  return mode_names[mode];
}

const char *
lab_mode_title (LabMode mode)
{
  g_return_val_if_fail (mode < LAB_N_MODES, NULL);
  return g_dgettext (GETTEXT_PACKAGE, mode_titles[mode]);
}

gboolean
lab_mode_from_string (const char *name,
                      LabMode    *mode)
{
  guint index;

  if (!lookup_name (mode_names, LAB_N_MODES, name, &index))
    return FALSE;
  if (mode != NULL)
    *mode = index;
  return TRUE;
}

/* Whether the mode runs its tasks in worker processes. */
gboolean
lab_mode_uses_workers_processes (LabMode mode)
{
  return mode == LAB_MODE_PROCESSES || mode == LAB_MODE_SPAWN;
}

const char *
lab_runtime_to_string (LabRuntime runtime)
{
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);
  return runtime_names[runtime];
}

const char *
lab_runtime_title (LabRuntime runtime)
{
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);
  return g_dgettext (GETTEXT_PACKAGE, runtime_titles[runtime]);
}

/**
 * lab_native_version:
 *
 * The native runtime is this program: its version is that of the compiler
 * that built it.
 *
 * Returns: (transfer none): e.g. "gcc 12.2.0" or "clang 14.0.6"
 */
const char *
lab_native_version (void)
{
#if defined(__clang__)
  return "clang " G_STRINGIFY (__clang_major__) "." G_STRINGIFY (__clang_minor__) "."
         G_STRINGIFY (__clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

gboolean
lab_runtime_accepts_mode (LabRuntime runtime,
                          LabMode    mode)
{
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, FALSE);
  g_return_val_if_fail (mode < LAB_N_MODES, FALSE);

  return runtime == LAB_RUNTIME_NATIVE ||
         (mode != LAB_MODE_GIL && mode != LAB_MODE_GTASK && mode != LAB_MODE_HYBRID);
}

char *
lab_variant_to_string (LabRuntime runtime,
                       LabMode    mode)
{
  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);
  g_return_val_if_fail (mode < LAB_N_MODES, NULL);

  if (runtime == LAB_RUNTIME_NATIVE)
    return g_strdup (mode_names[mode]);
  return g_strdup_printf ("%s/%s", runtime_names[runtime], mode_names[mode]);
}

const char *
lab_variant_title (LabRuntime runtime,
                   LabMode    mode)
{
  const char *title = NULL;

  g_return_val_if_fail (runtime < LAB_N_RUNTIMES, NULL);
  g_return_val_if_fail (mode < LAB_N_MODES, NULL);

  switch (runtime)
    {
    case LAB_RUNTIME_NATIVE:
      return lab_mode_title (mode);
    case LAB_RUNTIME_CPYTHON:
      title = python_titles[mode];
      break;
    case LAB_RUNTIME_CPYTHON_NOGIL:
      title = nogil_titles[mode];
      break;
    case LAB_N_RUNTIMES:
    default:
      g_return_val_if_reached (NULL);
    }
  return title != NULL ? g_dgettext (GETTEXT_PACKAGE, title) : lab_mode_title (mode);
}

gboolean
lab_runtime_from_string (const char *name,
                         LabRuntime *runtime)
{
  guint index;

  if (!lookup_name (runtime_names, LAB_N_RUNTIMES, name, &index))
    return FALSE;
  if (runtime != NULL)
    *runtime = index;
  return TRUE;
}

static const char * const stage_names[LAB_N_STAGES] = {
  [LAB_STAGE_TASK] = "task",
  [LAB_STAGE_DOWNLOAD] = "download",
  [LAB_STAGE_ANALYSE] = "analyse",
  [LAB_STAGE_STORE] = "store",
};

static const char * const stage_titles[LAB_N_STAGES] = {
  [LAB_STAGE_TASK] = N_("Task"),
  [LAB_STAGE_DOWNLOAD] = N_("Download"),
  [LAB_STAGE_ANALYSE] = N_("Analysis"),
  [LAB_STAGE_STORE] = N_("Storing"),
};

const char *
lab_stage_to_string (LabStage stage)
{
  g_return_val_if_fail (stage < LAB_N_STAGES, NULL);
  return stage_names[stage];
}

gboolean
lab_stage_from_string (const char *name,
                       LabStage   *stage)
{
  guint index;

  if (!lookup_name (stage_names, LAB_N_STAGES, name, &index))
    return FALSE;
  if (stage != NULL)
    *stage = index;
  return TRUE;
}

const char *
lab_stage_title (LabStage stage)
{
  g_return_val_if_fail (stage < LAB_N_STAGES, NULL);
  return g_dgettext (GETTEXT_PACKAGE, stage_titles[stage]);
}

/**
 * lab_mode_lane_groups:
 * @pipeline: whether the run is the pipeline's
 *
 * Returns: how many groups of lanes the timeline of @mode has
 */
guint
lab_mode_lane_groups (LabMode  mode,
                      gboolean pipeline)
{
  g_return_val_if_fail (mode < LAB_N_MODES, 1);

  if (mode == LAB_MODE_HYBRID)
    return 3;
  return pipeline ? 2 : 1;
}

/**
 * lab_stage_lane_group:
 *
 * Returns: the group of lanes that the spans of @stage run in @mode go to
 */
guint
lab_stage_lane_group (LabMode  mode,
                      LabStage stage)
{
  g_return_val_if_fail (mode < LAB_N_MODES, 0);
  g_return_val_if_fail (stage < LAB_N_STAGES, 0);

  if (mode == LAB_MODE_HYBRID)
    return stage == LAB_STAGE_STORE ? 2 : stage == LAB_STAGE_ANALYSE ? 1 : 0;
  return stage == LAB_STAGE_STORE ? 1 : 0;
}

/**
 * lab_lane_group_title:
 *
 * Returns: (transfer none) (nullable): what the lanes of @group of a
 *   pipeline run in @mode are, e.g. "Analysis processes"
 */
const char *
lab_lane_group_title (LabMode mode,
                      guint   group)
{
  static const char * const hybrid[] = {
    N_("Download threads"), N_("Analysis processes"), N_("Storing thread"),
  };
  const char *workers;

  g_return_val_if_fail (mode < LAB_N_MODES, NULL);

  switch (mode)
    {
    case LAB_MODE_HYBRID:
      return group < G_N_ELEMENTS (hybrid) ? g_dgettext (GETTEXT_PACKAGE, hybrid[group]) : NULL;
    case LAB_MODE_SEQUENTIAL:
      workers = N_("One thread");
      break;
    case LAB_MODE_THREADS:
      workers = N_("Threads");
      break;
    case LAB_MODE_GIL:
      workers = N_("Threads behind the emulated GIL");
      break;
    case LAB_MODE_PROCESSES:
      workers = N_("Processes");
      break;
    case LAB_MODE_SPAWN:
    case LAB_MODE_ASYNC:
    case LAB_MODE_GTASK:
    case LAB_N_MODES:
    default:
      return NULL;
    }
  if (group > 1)
    return NULL;
  return g_dgettext (GETTEXT_PACKAGE, group == 0 ? workers : hybrid[2]);
}

const char *
lab_queue_title (LabQueue queue)
{
  g_return_val_if_fail (queue < LAB_N_QUEUES, NULL);

  if (queue == LAB_QUEUE_DOWNLOADED)
    return _("Downloaded, waiting for analysis");
  return _("Analysed, waiting to be stored");
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LAB_MODE_SEQUENTIAL,
  LAB_MODE_THREADS,
  LAB_MODE_PROCESSES,
  LAB_MODE_SPAWN,
  LAB_MODE_ASYNC,
  LAB_MODE_GIL,
  LAB_N_MODES
} LabMode;

const char *lab_mode_to_string   (LabMode     mode);
gboolean    lab_mode_from_string (const char *name,
                                  LabMode    *mode);
const char *lab_mode_title       (LabMode     mode);
gboolean    lab_mode_uses_workers_processes (LabMode mode);

/*
 * Who executes a kernel: the C engine itself, for now. Other runtimes (a
 * CPython interpreter, say) add a value here and an executor in the
 * engine; the run builder says which workloads and modes each accepts.
 */
typedef enum
{
  LAB_RUNTIME_NATIVE,
  LAB_N_RUNTIMES
} LabRuntime;

const char *lab_runtime_to_string   (LabRuntime  runtime);
/* What the runtime is and its version, e.g. "gcc 12.2.0" for native. */
const char *lab_runtime_version     (LabRuntime  runtime);
gboolean    lab_runtime_from_string (const char *name,
                                     LabRuntime *runtime);

G_END_DECLS

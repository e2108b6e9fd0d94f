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
  LAB_MODE_GTASK,
  LAB_N_MODES
} LabMode;

const char *lab_mode_to_string   (LabMode     mode);
gboolean    lab_mode_from_string (const char *name,
                                  LabMode    *mode);
const char *lab_mode_title       (LabMode     mode);
gboolean    lab_mode_uses_workers_processes (LabMode mode);

/*
 * Who executes a task: the C engine itself, or a real Python interpreter
 * running the same kernels (data/concurrency-lab-kernels.py), with its
 * GIL or, where a free-threaded build exists, without. A runtime adds a
 * value here, an interpreter in lab-interpreter.c and an executor in the
 * engine; the run builder says which workloads and modes each accepts.
 */
typedef enum
{
  LAB_RUNTIME_NATIVE,
  LAB_RUNTIME_CPYTHON,
  LAB_RUNTIME_CPYTHON_NOGIL,
  LAB_N_RUNTIMES
} LabRuntime;

const char *lab_runtime_to_string   (LabRuntime  runtime);
const char *lab_runtime_title       (LabRuntime  runtime);
/* The compiler that built the native runtime, e.g. "gcc 12.2.0". */
const char *lab_native_version      (void);
gboolean    lab_runtime_from_string (const char *name,
                                     LabRuntime *runtime);
/* Whether @runtime has @mode at all: the emulated GIL and GLib's shared
 * pool (gtask) are the native engine's; a Python interpreter has its
 * real GIL and no GTask. */
gboolean    lab_runtime_accepts_mode (LabRuntime runtime,
                                      LabMode    mode);
/* The machine-readable name of @mode run by @runtime: "threads" for the
 * native runtime, "cpython/threads" for another. */
char       *lab_variant_to_string   (LabRuntime  runtime,
                                     LabMode     mode);
/* What a table row or a chart legend calls @mode run by @runtime:
 * "Threads", "CPython threads", … */
const char *lab_variant_title       (LabRuntime  runtime,
                                     LabMode     mode);

G_END_DECLS

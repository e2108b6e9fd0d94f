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
  /* the pipeline only: download threads, analysis processes, a storing thread */
  LAB_MODE_HYBRID,
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
/* Whether @runtime has @mode at all: the emulated GIL, GLib's shared
 * pool (gtask) and the hybrid pipeline are the native engine's; a Python
 * interpreter has its real GIL and no GTask. */
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

/**
 * LabStage:
 * @LAB_STAGE_TASK: a whole task (every workload but the pipeline)
 * @LAB_STAGE_DOWNLOAD: a pipeline document's download
 * @LAB_STAGE_ANALYSE: its analysis
 * @LAB_STAGE_STORE: its row written by the storing thread
 *
 * What part of a task a span covers. Each document of the pipeline
 * yields one span per stage it reached, all with the same task index.
 */
typedef enum
{
  LAB_STAGE_TASK,
  LAB_STAGE_DOWNLOAD,
  LAB_STAGE_ANALYSE,
  LAB_STAGE_STORE,
  LAB_N_STAGES
} LabStage;

/* The CSV's stage column: "task", "download", "analyse", "store" */
const char *lab_stage_to_string  (LabStage    stage);
gboolean    lab_stage_from_string (const char *name,
                                   LabStage   *stage);
/* "Download", "Analysis", … (translated) */
const char *lab_stage_title      (LabStage    stage);

/* The pipeline's bounded queues: documents downloaded and waiting for
 * analysis (the hybrid mode only), and rows waiting to be stored. */
typedef enum
{
  LAB_QUEUE_DOWNLOADED,
  LAB_QUEUE_ANALYSED,
  LAB_N_QUEUES
} LabQueue;

/* "Downloaded, waiting for analysis", … (translated) */
const char *lab_queue_title (LabQueue queue);

/*
 * Lane groups: the timeline draws a pipeline's stages as groups of lanes,
 * a span's lane being span->worker inside the group of its stage. Every
 * other run has one group.
 *
 *   hybrid: download threads (0), analysis processes (1), storing thread (2)
 *   the pipeline in any other mode: the mode's threads or processes, which
 *   download and analyse (0), and the storing thread (1)
 */
guint       lab_mode_lane_groups (LabMode  mode,
                                  gboolean pipeline);
guint       lab_stage_lane_group (LabMode  mode,
                                  LabStage stage);
/* The group's title, translated; NULL for a mode the pipeline does not
 * run and for a group the mode does not have. */
const char *lab_lane_group_title (LabMode  mode,
                                  guint    group);

G_END_DECLS

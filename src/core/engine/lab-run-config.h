/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-interpreter.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabRunConfig:
 *
 * One experiment: a workload × modes × worker counts × repetitions.
 * Made by a #LabRunBuilder, which checks every field: read it, never
 * assemble one by hand.
 */
typedef struct
{
  LabWorkload *workload;
  GArray      *runtimes;        /* LabRuntime, each runs the modes it has */
  /* The interpreter of each Python runtime of @runtimes, else NULL */
  LabInterpreter *interpreters[LAB_N_RUNTIMES];
  GArray      *modes;           /* LabMode */
  GArray      *workers;         /* guint, each >= 1 */
  guint        repeat;          /* measured repetitions per cell, >= 1 */
  guint        warmup;          /* discarded repetitions per cell */
  guint        task_timeout_ms; /* processes/spawn: a task running longer is killed; 0 = none */
  char        *worker_path;     /* NULL: lab_worker_path_default() */
  int          worker_nice;     /* niceness of worker processes and threads, 0..19 */

  /* io:download without URLs: the workload's URLs point at the embedded
   * server, asked for these (its address changes from one start to the next) */
  gboolean     server;
  guint        server_delay_ms;
  guint64      server_bytes;

  /* pipeline: the folder that keeps each repetition's rows (one CSV file
   * each); NULL: a temporary folder, removed after each repetition */
  char        *store_dir;
} LabRunConfig;

#define LAB_TYPE_RUN_CONFIG (lab_run_config_get_type ())

GType         lab_run_config_get_type (void) G_GNUC_CONST;
LabRunConfig *lab_run_config_copy     (const LabRunConfig *self);
void          lab_run_config_free     (LabRunConfig       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabRunConfig, lab_run_config_free)

char         *lab_run_config_dup_settings_key   (const LabRunConfig *config);
/* The CSV's runtime column: "native", "cpython-3.11.2", … */
char         *lab_run_config_dup_runtime_label  (const LabRunConfig *config,
                                                 LabRuntime          runtime);
/* The CSV's runtime_version column: the compiler, or the interpreter's path */
char         *lab_run_config_dup_runtime_version (const LabRunConfig *config,
                                                  LabRuntime          runtime);
char         *lab_run_config_describe_settings  (const LabRunConfig *config);

/* The worker executable a run uses when its config names none. */
char         *lab_worker_path_default (void);

G_END_DECLS

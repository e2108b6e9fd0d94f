/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

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
  LabRuntime   runtime;
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
} LabRunConfig;

#define LAB_TYPE_RUN_CONFIG (lab_run_config_get_type ())

GType         lab_run_config_get_type (void) G_GNUC_CONST;
LabRunConfig *lab_run_config_copy     (const LabRunConfig *self);
void          lab_run_config_free     (LabRunConfig       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabRunConfig, lab_run_config_free)

char         *lab_run_config_dup_settings_key   (const LabRunConfig *config);
char         *lab_run_config_describe_settings  (const LabRunConfig *config);

/* The worker executable a run uses when its config names none. */
char         *lab_worker_path_default (void);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-error.h"
#include "lab-kernel.h"
#include "lab-mode.h"

G_BEGIN_DECLS

typedef enum
{
  LAB_WORKLOAD_CPU,
  LAB_WORKLOAD_DOWNLOAD,
  LAB_WORKLOAD_SLEEP,
  LAB_WORKLOAD_PIPELINE,
} LabWorkloadKind;

#define LAB_MAX_TASKS    1000000
#define LAB_MAX_WORKERS  512
#define LAB_SLEEP_MAX_MS (3600 * 1000)  /* io:sleep: one hour per task */
/* pipeline: SHA-256 rounds of each document's analysis */
#define LAB_PIPELINE_DEFAULT_ROUNDS 20000
#define LAB_PIPELINE_MAX_ROUNDS     (G_GUINT64_CONSTANT (1) << 32)

/**
 * LabWorkload:
 *
 * What to do, split into @tasks tasks. For `cpu:KERNEL` the input
 * [0, size) is cut into contiguous slices, one per task. For `io:sleep`
 * @size is the number of milliseconds each task waits. For `io:download`
 * each task fetches one URL (`urls[task % n_urls]`). For `pipeline` each
 * task is a document: downloaded from `urls[task % n_urls]` (the embedded
 * server's text for that document), analysed with @size rounds of a
 * SHA-256 chain, and stored as one CSV row.
 */
typedef struct
{
  LabWorkloadKind  kind;
  const LabKernel *kernel;       /* cpu only */
  guint64          size;
  guint            tasks;

  /* io:download and pipeline */
  char           **urls;
  guint            timeout_s;    /* per request */
  guint64          max_bytes;    /* body cap */
} LabWorkload;

#define LAB_TYPE_WORKLOAD (lab_workload_get_type ())

GType        lab_workload_get_type        (void) G_GNUC_CONST;
LabWorkload *lab_workload_new             (LabWorkloadKind    kind);
LabWorkload *lab_workload_new_from_spec   (const char        *spec,
                                           GError           **error);
LabWorkload *lab_workload_copy            (const LabWorkload *self);
void         lab_workload_free            (LabWorkload       *self);
char        *lab_workload_to_spec         (const LabWorkload *self);
const char  *lab_workload_task_argument   (const LabWorkload *self,
                                           guint              task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabWorkload, lab_workload_free)

G_END_DECLS

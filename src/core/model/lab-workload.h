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
} LabWorkloadKind;

#define LAB_MAX_TASKS    1000000
#define LAB_MAX_WORKERS  512
#define LAB_SLEEP_MAX_MS (3600 * 1000)  /* io:sleep: one hour per task */

/**
 * LabWorkload:
 *
 * What to do, split into @tasks tasks. For `cpu:KERNEL` the input
 * [0, size) is cut into contiguous slices, one per task. For `io:sleep`
 * @size is the number of milliseconds each task waits. For `io:download`
 * each task fetches one URL (`urls[task % n_urls]`).
 */
typedef struct
{
  LabWorkloadKind  kind;
  const LabKernel *kernel;       /* cpu only */
  guint64          size;
  guint            tasks;

  /* io:download */
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

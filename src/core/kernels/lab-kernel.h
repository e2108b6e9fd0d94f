/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * LabKernelFunc:
 * @size: the size of the whole input
 * @begin: first element of this task's slice
 * @end: one past the last element of this task's slice
 * @task: index of the task (seeds per-task generators)
 * @tasks: number of tasks the input is split into
 * @cancellable: (nullable): checked every few thousand steps
 *
 * A deterministic CPU-bound function over one slice of the input.
 * Same arguments give the same checksum, on every thread and in every
 * process.
 */
typedef guint64 (*LabKernelFunc) (guint64       size,
                                  guint64       begin,
                                  guint64       end,
                                  guint         task,
                                  guint         tasks,
                                  GCancellable *cancellable);

typedef struct
{
  const char    *name;
  const char    *title;        /* translatable, short */
  const char    *description;  /* translatable, one line */
  guint64        default_size;
  guint64        max_size;
  LabKernelFunc  func;
  /* Sliced over [0, slice_size (size)) rather than [0, size). */
  guint64      (*slice_size) (guint64 size);
  gboolean       hidden;       /* engine-internal (noop), not offered in the window */
} LabKernel;

const LabKernel  *lab_kernel_lookup      (const char *name);
const LabKernel **lab_kernel_list        (guint      *n_kernels);
char             *lab_kernel_names       (void);
void              lab_kernel_task_slice  (const LabKernel *kernel,
                                          guint64          size,
                                          guint            task,
                                          guint            tasks,
                                          guint64         *begin,
                                          guint64         *end);
guint64           lab_kernel_run_task    (const LabKernel *kernel,
                                          guint64          size,
                                          guint            task,
                                          guint            tasks,
                                          GCancellable    *cancellable);
double            lab_kernel_pi_estimate (guint64          size,
                                          guint64          hits);

G_END_DECLS

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
  LAB_WORKLOAD_FILES,
  LAB_WORKLOAD_PIPELINE,
} LabWorkloadKind;

/* io:files: whether a file's pages stay in the page cache between writing
 * it and reading it back (warm), or are dropped first (cold). */
typedef enum
{
  LAB_FILES_CACHE_WARM,
  LAB_FILES_CACHE_COLD,
} LabFilesCache;

#define LAB_MAX_TASKS    1000000
/* A URL travels to a worker process in one line of the worker protocol. */
#define LAB_MAX_URL_LENGTH (32 * 1024)
#define LAB_MAX_WORKERS  512
#define LAB_SLEEP_MAX_MS (3600 * 1000)  /* io:sleep: one hour per task */
#define LAB_FILES_DEFAULT_SIZE (G_GUINT64_CONSTANT (4) * 1024 * 1024)  /* io:files: bytes per file */
#define LAB_FILES_MAX_SIZE     (G_GUINT64_CONSTANT (1) << 30)
/* pipeline: SHA-256 rounds of each document's analysis */
#define LAB_PIPELINE_DEFAULT_ROUNDS 20000
#define LAB_PIPELINE_MAX_ROUNDS     (G_GUINT64_CONSTANT (1) << 32)
/* io:download and pipeline: a request's time-out, and the largest body */
#define LAB_MAX_TIMEOUT_S   86400
#define LAB_MAX_BODY_BYTES  ((guint64) G_MAXINT64)

/**
 * LabWorkloadLimit:
 *
 * The fields of a workload that have limits (lab_workload_get_limit()).
 */
typedef enum
{
  LAB_WORKLOAD_LIMIT_SIZE,
  LAB_WORKLOAD_LIMIT_TASKS,
  LAB_WORKLOAD_LIMIT_TIMEOUT,
  LAB_WORKLOAD_LIMIT_MAX_BYTES,
  LAB_WORKLOAD_N_LIMITS
} LabWorkloadLimit;

/**
 * LabWorkload:
 *
 * What to do, split into @tasks tasks. For `cpu:KERNEL` the input
 * [0, size) is cut into contiguous slices, one per task. For `io:sleep`
 * @size is the number of milliseconds each task waits. For `io:download`
 * each task fetches one URL (`urls[task % n_urls]`). For `io:files` each
 * task writes a file of @size bytes in @files_dir and reads it back. For
 * `pipeline` each task is a document: downloaded from `urls[task % n_urls]`
 * (the embedded server's text for that document), analysed with @size
 * rounds of a SHA-256 chain, and stored as one CSV row.
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

  /* io:files */
  gboolean         fsync;        /* fsync() each file after writing it */
  LabFilesCache    cache;
  char            *files_dir;    /* where the tasks write: set by the engine for one cell, else NULL */
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
gboolean     lab_workload_get_limit       (const LabWorkload *self,
                                           LabWorkloadLimit   limit,
                                           guint64           *min,
                                           guint64           *max);
gboolean     lab_workload_check           (const LabWorkload *self,
                                           GError           **error);

const char  *lab_files_cache_to_string    (LabFilesCache      cache);
gboolean     lab_files_cache_from_string  (const char        *name,
                                           LabFilesCache     *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabWorkload, lab_workload_free)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-workload.h"

G_BEGIN_DECLS

typedef enum
{
  LAB_TASK_OK,
  LAB_TASK_FAILED,
  LAB_TASK_CANCELLED,
} LabTaskStatus;

const char *lab_task_status_to_string (LabTaskStatus status);


/**
 * LabSpan:
 *
 * One task as it ran. Times are microseconds from the start of its
 * repetition (CLOCK_MONOTONIC, which is the same clock in every process).
 */
typedef struct
{
  guint          task;
  LabStage       stage;
  guint          worker;       /* lane inside the stage's lane group, 0..W-1 */
  gint           pid;
  gint64         tid;
  gint64         queued_us;
  gint64         start_us;
  gint64         end_us;
  guint64        bytes;
  guint64        checksum;
  guint          http_status;  /* 0 when not a download */
  LabTaskStatus  status;
  char          *error;        /* owned, NULL when ok */
  /* io:files: bytes of the file that were in the page cache just before
   * it was read back (mincore()); 0 otherwise */
  guint64        cached_bytes;
} LabSpan;

/* What a thread did with the emulated GIL (mode gil) over an interval. */
typedef enum
{
  LAB_GIL_HOLD,
  LAB_GIL_WAIT,
} LabGilState;

/**
 * LabGilInterval:
 *
 * One interval during which worker thread @worker held the emulated GIL
 * or waited for it, times relative to the repetition's start.
 */
typedef struct
{
  guint        worker;       /* slot index 0..W-1, the span's lane */
  gint64       tid;
  LabGilState  state;
  gint64       start_us;
  gint64       end_us;
} LabGilInterval;

const char *lab_gil_state_to_string (LabGilState state);

/* Receives each span as a task finishes, in the thread that runs the
 * executor (times relative to the repetition's start). */
typedef void (*LabSpanFunc) (const LabSpan *span,
                             gpointer       user_data);

/* Whether @span ends its task: a whole task, a pipeline document's
 * storing, or a stage that failed or was cancelled (the document goes no
 * further). Progress and the ok/failed counts count these. */
gboolean lab_span_ends_task (const LabSpan *span);


void lab_span_clear (LabSpan *span);
void lab_span_copy  (const LabSpan *src,
                     LabSpan       *dest);
/* Marks the span cancelled (G_IO_ERROR_CANCELLED) or failed, with the reason. */
void lab_span_fail  (LabSpan       *span,
                     const GError  *error);

/**
 * LabRunningStep:
 * @time_us: when the count changed, as the spans' times
 * @running: how many tasks were running from then until the next step
 *
 * One step of how many tasks ran at once; see lab_spans_running_steps().
 */
typedef struct
{
  gint64 time_us;
  guint  running;
} LabRunningStep;

/* How many of @spans (LabSpan) were running at each moment: a
 * LabRunningStep wherever the count changed, in time order, the last one
 * back at 0. A task that ends as another starts did not run alongside it. */
GArray *lab_spans_running_steps (GArray *spans);
/* The most of @spans that were running at once. */
guint   lab_spans_max_running   (GArray *spans);


/**
 * LabQueueSample:
 * @time_us: from the repetition's start, as the spans' times
 * @queue: which queue
 * @length: how many items it held from then until its next sample
 *
 * The length of one of the pipeline's queues at one moment.
 */
typedef struct
{
  gint64   time_us;
  LabQueue queue;
  guint    length;
} LabQueueSample;

/**
 * LabRepetition:
 *
 * One measured (or warm-up) repetition of one cell. Reference counted.
 */
typedef struct
{
  LabRuntime runtime;
  LabMode    mode;
  guint      workers;
  guint      repeat;        /* 1-based among measured repetitions; 0 for warm-up */
  gboolean   warmup;
  GDateTime *started_at;    /* UTC */
  double     wall_s;
  double     user_s;
  double     sys_s;
  double     cpu_util;      /* (user + sys) / (wall × host CPUs), 0..1 */
  /* CPU seconds the rest of the machine was busy meanwhile: the machine's
   * busy time (/proc/stat) minus user + sys; not clamped, as it is rounded
   * to clock ticks and may come out below zero. NAN when unknown. */
  double     background_busy_s;
  /* background_busy_s / (wall × host CPUs), clamped to 0..1; NAN when unknown */
  double     background_cpu;
  guint64    peak_rss_kib;
  guint64    checksum;
  guint64    bytes;
  guint      ok_tasks;
  guint      failed_tasks;
  guint      tasks;
  gboolean   outlier;
  double     speedup;       /* NAN until known */
  double     efficiency;
  /* Mean time from starting an interpreter or worker process to its first
   * word, for the cell's executor, before any repetition; NAN when the
   * executor starts none (threads) or starts them inside the measurement
   * (a process per task). */
  double     startup_s;
  gboolean   finished;
  /* The run stopped during it (cancelled, or an error): @spans holds the
   * tasks that ended before, @ok_tasks and @failed_tasks count them, the
   * times are NAN. It is in no cell: no median or speed-up counts it. */
  gboolean   interrupted;
  GArray    *spans;         /* LabSpan, in completion order */
  GArray    *gil_intervals; /* LabGilInterval, by worker then time; empty unless mode gil */
  /* io:files: of the @bytes its tasks read back, how many were in the page
   * cache just before (0 otherwise), and the type of the file system they
   * were written to ("ext4", "tmpfs"; interned, NULL when unknown) */
  guint64     cached_bytes;
  const char *files_fs;
  /* The sum of the durations of the spans of each stage */
  double     stage_busy_s[LAB_N_STAGES];
  /* The pipeline: LabQueueSample in time order, and each queue's bound
   * (0: the mode does not have that queue); empty and 0 otherwise */
  GArray    *queue_samples;
  guint      queue_capacity[LAB_N_QUEUES];
} LabRepetition;

#define LAB_TYPE_REPETITION (lab_repetition_get_type ())

GType          lab_repetition_get_type (void) G_GNUC_CONST;
LabRepetition *lab_repetition_new      (LabRuntime     runtime,
                                        LabMode        mode,
                                        guint          workers,
                                        guint          repeat,
                                        gboolean       warmup);
LabRepetition *lab_repetition_ref      (LabRepetition *self);
void           lab_repetition_unref    (LabRepetition *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabRepetition, lab_repetition_unref)

G_END_DECLS

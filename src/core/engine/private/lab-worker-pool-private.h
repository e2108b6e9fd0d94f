/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-worker-pool.h"
#include "lab-worker-slot.h"

G_BEGIN_DECLS

/* The pool's fields, shared by its runs (lab-worker-pool.c) and its life
 * around them (lab-worker-pool-setup.c). */
struct _LabWorkerPool
{
  char         **argv;
  const char    *worker_path;    /* argv[0] */
  guint          concurrency;    /* tasks each worker runs at once */
  LabPoolLanes   lanes;
  GArray        *lane_keys;      /* gint64 per lane: its tid, or the end of its last task */
  guint          n_workers;
  guint          tasks_per_worker;
  int            nice;
  GArray        *cpus;           /* int: slot i runs on cpus[i mod len]; NULL: unpinned */
  LabWorkerSlot *workers;
  int            last_signal;    /* that killed a worker, not killed by us; 0: none */
  guint64        next_id;
  guint64        generation;
  GString       *out;
  /* Usage since the last lab_worker_pool_take_usage() */
  guint64        user_us;
  guint64        sys_us;
  guint64        voluntary_switches;
  guint64        involuntary_switches;
  guint64       *slot_peak_rss_kib;
};

/* Starts the worker of slot @w, pinned to its CPU if the pool pins. */
gboolean lab_worker_pool_spawn     (LabWorkerPool     *self,
                                    LabWorkerSlot     *w,
                                    GError           **error);
void     lab_worker_pool_add_usage (LabWorkerPool     *self,
                                    LabWorkerSlot     *w,
                                    const LabMessage  *msg);

G_END_DECLS

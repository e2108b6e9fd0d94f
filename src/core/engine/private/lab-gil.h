/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-result.h"

G_BEGIN_DECLS

/* CPython's default, sys.getswitchinterval() = 0.005 s */
#define LAB_GIL_SWITCH_INTERVAL_US 5000

/*
 * LabGil: an emulated global interpreter lock, the one of CPython ≥ 3.2
 * (Python/ceval_gil.c). A thread that wants it waits on a condition for
 * the switch interval; when that times out and no other thread took the
 * lock meanwhile, it asks the holder to drop it. The holder does so at
 * its next check point (lab_yield_check_point()) and, with forced
 * switching, waits until another thread has taken it before it asks for
 * it again. Blocking regions (lab_yield_blocking_begin()/end()) drop it
 * and take it back.
 *
 * Each worker thread records, without a shared lock, every interval it
 * held the lock or waited for it.
 */
typedef struct _LabGil LabGil;

LabGil  *lab_gil_new                 (guint    workers,
                                      gint64   switch_interval_us);
void     lab_gil_free                (LabGil  *self);

/* Called while no worker runs: times become relative to @t0 (monotonic
 * µs); drops what the previous repetition recorded. */
void     lab_gil_begin_repetition    (LabGil  *self,
                                      gint64   t0);

/* The calling thread is worker @worker (0..workers-1) and its check
 * points and blocking regions now act on @self, until it detaches. */
void     lab_gil_thread_attach       (LabGil  *self,
                                      guint    worker);
void     lab_gil_thread_detach       (LabGil  *self);

/* From an attached thread: take the lock (waiting as long as needed) and
 * release it. */
void     lab_gil_acquire             (LabGil  *self);
void     lab_gil_release             (LabGil  *self);

GArray  *lab_gil_take_intervals      (LabGil  *self);
guint    lab_gil_get_switch_requests (LabGil  *self);
gint64   lab_gil_get_switch_interval_us (LabGil *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabGil, lab_gil_free)

G_END_DECLS

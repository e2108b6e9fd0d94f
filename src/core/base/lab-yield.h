/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Hand-over points: places where code that computes could let another
 * thread run (a check point, every few thousand steps of a kernel) and
 * regions where it waits without computing (a sleep, a request, a read).
 * A thread may install hooks that act on them, as an interpreter lock
 * does (the emulated GIL); on every other thread they do nothing, and a
 * check point costs one well-predicted branch.
 */

typedef struct
{
  /* Called at each lab_yield_check_point() */
  void     (*check_point)    (gpointer user_data);
  /* Called when the thread starts and stops waiting without computing */
  void     (*blocking_begin) (gpointer user_data);
  void     (*blocking_end)   (gpointer user_data);
  gpointer   user_data;
} LabYieldHooks;

/* The calling thread's hooks; read through the functions below. */
extern __thread const LabYieldHooks *lab_yield_current_hooks;

void                 lab_yield_set_hooks (const LabYieldHooks *hooks);
const LabYieldHooks *lab_yield_get_hooks (void);

static inline void
lab_yield_check_point (void)
{
  const LabYieldHooks *hooks = lab_yield_current_hooks;

  if (G_UNLIKELY (hooks != NULL))
    hooks->check_point (hooks->user_data);
}

void lab_yield_blocking_begin (void);
void lab_yield_blocking_end   (void);

G_END_DECLS

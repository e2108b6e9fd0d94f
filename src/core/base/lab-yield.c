/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-yield.h"

__thread const LabYieldHooks *lab_yield_current_hooks;

/**
 * lab_yield_set_hooks:
 * @hooks: (nullable): what the calling thread's hand-over points do, or
 *   %NULL for nothing; must stay valid until replaced
 *
 * Installs hooks for the calling thread only. Thread pools hand their
 * threads on to other pools, so whoever installs hooks removes them
 * before the thread goes back to its pool.
 */
void
lab_yield_set_hooks (const LabYieldHooks *hooks)
{
  g_return_if_fail (hooks == NULL ||
                    (hooks->check_point != NULL && hooks->blocking_begin != NULL &&
                     hooks->blocking_end != NULL));

  lab_yield_current_hooks = hooks;
}

/**
 * lab_yield_get_hooks:
 *
 * Returns: (transfer none) (nullable): the calling thread's hooks
 */
const LabYieldHooks *
lab_yield_get_hooks (void)
{
  return lab_yield_current_hooks;
}

/**
 * lab_yield_blocking_begin:
 *
 * The calling thread is about to wait without computing (sleep, network,
 * disk) until lab_yield_blocking_end().
 */
void
lab_yield_blocking_begin (void)
{
  const LabYieldHooks *hooks = lab_yield_current_hooks;

  if (hooks != NULL)
    hooks->blocking_begin (hooks->user_data);
}

/**
 * lab_yield_blocking_end:
 *
 * The calling thread is done waiting and computes again.
 */
void
lab_yield_blocking_end (void)
{
  const LabYieldHooks *hooks = lab_yield_current_hooks;

  if (hooks != NULL)
    hooks->blocking_end (hooks->user_data);
}

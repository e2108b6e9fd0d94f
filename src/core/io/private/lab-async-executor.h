/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-result.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabAsyncExecutor:
 *
 * The async mode: one thread, one event loop, at most @concurrency tasks
 * under way at once (like asyncio with a semaphore of W). Downloads use
 * libsoup's asynchronous API, waits are timers. Created, run and freed on
 * one thread, which must be free to block while it runs.
 */
typedef struct _LabAsyncExecutor LabAsyncExecutor;

LabAsyncExecutor *lab_async_executor_new  (const LabWorkload *workload,
                                           guint              concurrency);
void              lab_async_executor_free (LabAsyncExecutor  *self);
gboolean          lab_async_executor_run  (LabAsyncExecutor  *self,
                                           gint64             t0,
                                           LabSpanFunc        func,
                                           gpointer           user_data,
                                           GCancellable      *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabAsyncExecutor, lab_async_executor_free)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Waiting for an asynchronous operation in the synchronous wrappers
 * (lab_run_execute(), lab_overhead_run(), lab_claim_run()): start it with
 * lab_async_keep_result() as its callback and a GAsyncResult * set to
 * NULL as its data, then lab_async_wait() on that pointer. The caller's
 * thread-default context is iterated meanwhile, so that its other sources
 * (the CLI's Ctrl+C handler, a stall meter) keep working.
 */
void lab_async_keep_result (GObject        *source,
                            GAsyncResult   *result,
                            gpointer        user_data);
void lab_async_wait        (GAsyncResult  **result);

G_END_DECLS

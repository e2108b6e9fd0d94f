/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-result.h"
#include "lab-workload.h"

G_BEGIN_DECLS

/**
 * LabGTaskExecutor:
 *
 * The gtask mode: every task a #GTask run with g_task_run_in_thread() on
 * GLib's shared pool, however many workers were asked for: that pool
 * decides how many run at once. The results come back as the tasks'
 * callbacks on a main context of the executor's own, which
 * lab_gtask_executor_run() iterates. A span's lane is the pool thread
 * that ran it (in the order the threads first appeared), so the lanes may
 * outnumber the workers asked for. Created, run and freed on one thread,
 * which must be free to block while it runs.
 */
typedef struct _LabGTaskExecutor LabGTaskExecutor;

LabGTaskExecutor *lab_gtask_executor_new  (const LabWorkload *workload,
                                           guint              workers);
void              lab_gtask_executor_free (LabGTaskExecutor  *self);
gboolean          lab_gtask_executor_run  (LabGTaskExecutor  *self,
                                           gint64             t0,
                                           LabSpanFunc        func,
                                           gpointer           user_data,
                                           GCancellable      *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabGTaskExecutor, lab_gtask_executor_free)

G_END_DECLS

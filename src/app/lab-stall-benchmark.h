/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-experiment-page.h"

G_BEGIN_DECLS

/*
 * The window's own main-loop stalls under load, without AT-SPI: runs
 * cpu:primes on @page with W = 2 × cores, in threads and then in
 * processes, each as the page runs it (live charts, table, progress), and
 * reports the page's stall meter after each.
 */
void  lab_stall_benchmark_run_async  (LabExperimentPage   *page,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* Returns: (transfer full): one JSON object, on one line */
char *lab_stall_benchmark_run_finish (LabExperimentPage   *page,
                                      GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS

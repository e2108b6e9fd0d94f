/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-run.h"

G_BEGIN_DECLS

/* The measured repetitions as a Chrome/Perfetto trace-event JSON document:
 * one complete event ("ph": "X") per task on its process and thread, one
 * per repetition on a lane of its own, names for processes and threads;
 * in mode gil, the holds of and waits for the emulated GIL inside the
 * tasks of each thread.
 * Opens in ui.perfetto.dev and chrome://tracing. */
char     *lab_export_trace_json  (LabRun             *run);
gboolean  lab_export_trace       (LabRun             *run,
                                  const char         *path,
                                  GError            **error);

G_END_DECLS

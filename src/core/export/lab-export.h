/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-csv.h"
#include "lab-run.h"

G_BEGIN_DECLS

/* The column names are part of the product's interface: append, never reorder. */
extern const char * const lab_results_columns[];
extern const char * const lab_spans_columns[];

/**
 * LabUiCost:
 * @max_stall_ms: the longest the window's main loop was late during the
 *   run (LabStallMeter), in ms
 * @cpu_s: the CPU time the window's own threads used during the run
 *   (lab_machine_ui_cpu_s()), in seconds
 *
 * What a run cost the user interface that showed it; NAN where unknown.
 */
typedef struct
{
  double max_stall_ms;
  double cpu_s;
} LabUiCost;

LabCsv   *lab_export_results_csv (LabRun             *run,
                                  const LabUiCost    *ui);
LabCsv   *lab_export_spans_csv   (LabRun             *run);
gboolean  lab_export_results     (LabRun             *run,
                                  const char         *path,
                                  GError            **error);
gboolean  lab_export_spans       (LabRun             *run,
                                  const char         *path,
                                  GError            **error);
/* One JSON document with the config, the cells and their statistics. */
char     *lab_export_json        (LabRun             *run,
                                  gboolean            include_spans);

G_END_DECLS

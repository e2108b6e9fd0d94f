/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-csv.h"
#include "lab-run.h"

G_BEGIN_DECLS

/* The column names are part of the product's interface: append, never reorder. */
extern const char * const lab_results_columns[];
extern const char * const lab_spans_columns[];
extern const char * const lab_gil_columns[];

/* One row per measured repetition; the ui_* columns come from
 * lab_run_get_ui_cost(), empty when no window recorded them (the CLI). */
LabCsv   *lab_export_results_csv      (LabRun             *run);
LabCsv   *lab_export_results_csv_runs (GPtrArray          *runs);
LabCsv   *lab_export_spans_csv_runs   (GPtrArray          *runs);
LabCsv   *lab_export_spans_csv   (LabRun             *run);
/* Mode gil: one row per hold or wait of the emulated GIL. */
LabCsv   *lab_export_gil_csv_runs     (GPtrArray          *runs);
LabCsv   *lab_export_gil_csv     (LabRun             *run);
gboolean  lab_export_results     (LabRun             *run,
                                  const char         *path,
                                  GError            **error);
gboolean  lab_export_spans       (LabRun             *run,
                                  const char         *path,
                                  GError            **error);
gboolean  lab_export_gil         (LabRun             *run,
                                  const char         *path,
                                  GError            **error);
/* One JSON document with the config, the cells and their statistics. */
char     *lab_export_json        (LabRun             *run,
                                  gboolean            include_spans);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-csv.h"
#include "lab-run.h"

G_BEGIN_DECLS

/* The column names are part of the product's interface: append, never reorder. */
extern const char * const lab_results_columns[];
extern const char * const lab_spans_columns[];

/* Extra columns a caller appends (e.g. the window's ui_max_stall_ms):
 * @extra_names is NULL-terminated, @extra_values has one string per name
 * and is used for every row. */
LabCsv   *lab_export_results_csv (LabRun             *run,
                                  const char * const *extra_names,
                                  const char * const *extra_values);
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lab-csv.h"
#include "lab-overhead.h"

G_BEGIN_DECLS

/* The columns of the overheads CSV, one row per measured point. Part of
 * the product's interface: append, never reorder. */
extern const char * const lab_overhead_columns[];

/* Every point of @overheads (LabOverhead *), experiment by experiment. */
LabCsv  *lab_overhead_export_csv  (GPtrArray  *overheads);
gboolean lab_overhead_export      (GPtrArray  *overheads,
                                   const char *path,
                                   GError    **error);
/* One JSON document: the machine, then per experiment its state, reading,
 * error and points. */
char    *lab_overhead_export_json (GPtrArray  *overheads);

/* The members the JSON documents of the overheads and of the claims begin
 * with: the application's version and the machine (host_cpus, cpu_model,
 * kernel). */
void     lab_experiments_json_add_machine (JsonBuilder *builder);

G_END_DECLS

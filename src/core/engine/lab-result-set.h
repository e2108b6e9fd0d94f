/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_RESULT_SET (lab_result_set_get_type ())

G_DECLARE_FINAL_TYPE (LabResultSet, lab_result_set, LAB, RESULT_SET, GObject)

/**
 * LabResultSet:
 *
 * The results of several runs made with the same settings (see
 * lab_run_config_dup_settings_key()), shown together: one cell per
 * mode × workers, the latest measured, and speed-ups against the latest
 * sequential cell, whichever run measured it. Running Sequential alone
 * and then Threads alone gives two cells and a speed-up.
 */
LabResultSet *lab_result_set_new         (const LabRunConfig *config);
const char   *lab_result_set_get_caption (LabResultSet       *self);
gboolean      lab_result_set_get_io      (LabResultSet       *self);
gboolean      lab_result_set_accepts     (LabResultSet       *self,
                                          const LabRunConfig *config);
void          lab_result_set_add_run     (LabResultSet       *self,
                                          LabRun             *run);
GListModel   *lab_result_set_get_cells   (LabResultSet       *self);
GPtrArray    *lab_result_set_get_runs    (LabResultSet       *self);
guint         lab_result_set_get_failed_tasks (LabResultSet  *self);
GPtrArray    *lab_result_set_dup_error_kinds  (LabResultSet  *self);

G_END_DECLS

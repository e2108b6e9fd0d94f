/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lab-history.h"
#include "lab-page.h"
#include "lab-run-builder.h"
#include "lab-run.h"
#include "lab-stall-meter.h"

G_BEGIN_DECLS

#define LAB_TYPE_EXPERIMENT_PAGE (lab_experiment_page_get_type ())

G_DECLARE_FINAL_TYPE (LabExperimentPage, lab_experiment_page, LAB, EXPERIMENT_PAGE, GtkWidget)

void           lab_experiment_page_run_builder     (LabExperimentPage *self,
                                                    LabRunBuilder     *builder);
void           lab_experiment_page_set_history     (LabExperimentPage *self,
                                                    LabHistory        *history);
LabRun        *lab_experiment_page_get_run         (LabExperimentPage *self);
LabStallMeter *lab_experiment_page_get_stall_meter (LabExperimentPage *self);

G_END_DECLS

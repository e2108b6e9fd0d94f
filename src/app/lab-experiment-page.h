/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lab-run-builder.h"
#include "lab-run.h"
#include "lab-stall-meter.h"

G_BEGIN_DECLS

typedef enum
{
  LAB_EXPERIMENT_KIND_DOWNLOADS,
  LAB_EXPERIMENT_KIND_CPU,
} LabExperimentKind;

#define LAB_TYPE_EXPERIMENT_KIND (lab_experiment_kind_get_type ())
GType lab_experiment_kind_get_type (void) G_GNUC_CONST;

#define LAB_TYPE_EXPERIMENT_PAGE (lab_experiment_page_get_type ())

G_DECLARE_FINAL_TYPE (LabExperimentPage, lab_experiment_page, LAB, EXPERIMENT_PAGE, GtkWidget)

LabExperimentKind lab_experiment_page_get_kind    (LabExperimentPage *self);
gboolean          lab_experiment_page_get_running (LabExperimentPage *self);
void              lab_experiment_page_compare     (LabExperimentPage *self);
void              lab_experiment_page_cancel      (LabExperimentPage *self);
void              lab_experiment_page_run_builder (LabExperimentPage *self,
                                                   LabRunBuilder     *builder);
void              lab_experiment_page_set_server_url (LabExperimentPage *self,
                                                      const char        *url);
LabRun           *lab_experiment_page_get_run     (LabExperimentPage *self);
LabStallMeter    *lab_experiment_page_get_stall_meter (LabExperimentPage *self);

G_END_DECLS

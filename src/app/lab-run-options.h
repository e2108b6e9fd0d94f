/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lab-run-builder.h"

G_BEGIN_DECLS

/**
 * LabModeChoice:
 * @mode: the mode
 * @description: what it does, untranslated (N_())
 */
typedef struct
{
  LabMode     mode;
  const char *description;
} LabModeChoice;

#define LAB_TYPE_RUN_OPTIONS (lab_run_options_get_type ())

G_DECLARE_FINAL_TYPE (LabRunOptions, lab_run_options, LAB, RUN_OPTIONS, GtkWidget)

void  lab_run_options_setup        (LabRunOptions       *self,
                                    GSettings           *settings,
                                    const char          *prefix,
                                    const char          *workers_subtitle,
                                    gboolean             can_sweep,
                                    const char          *sample_workload,
                                    const LabModeChoice *choices,
                                    guint                n_choices);
void  lab_run_options_get_checked  (LabRunOptions       *self,
                                    GArray              *modes);
void  lab_run_options_apply        (LabRunOptions       *self,
                                    LabRunBuilder       *builder,
                                    const LabMode       *modes,
                                    guint                n_modes);
void  lab_run_options_apply_compare (LabRunOptions      *self,
                                     LabRunBuilder      *builder);

G_END_DECLS

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

/**
 * LabRunOptionsFlags:
 * @LAB_RUN_OPTIONS_SWEEP: offer a sweep over worker counts
 * @LAB_RUN_OPTIONS_NATIVE_ONLY: no runtime to pick: the C engine runs
 *   every mode (the form's modes name the emulated GIL themselves)
 */
typedef enum
{
  LAB_RUN_OPTIONS_SWEEP       = 1 << 0,
  LAB_RUN_OPTIONS_NATIVE_ONLY = 1 << 1,
} LabRunOptionsFlags;

#define LAB_TYPE_RUN_OPTIONS (lab_run_options_get_type ())

G_DECLARE_FINAL_TYPE (LabRunOptions, lab_run_options, LAB, RUN_OPTIONS, GtkWidget)

void  lab_run_options_setup        (LabRunOptions       *self,
                                    GSettings           *settings,
                                    const char          *prefix,
                                    const char          *workers_subtitle,
                                    LabRunOptionsFlags   flags,
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lab-mode.h"

G_BEGIN_DECLS

/**
 * LabRuntimeChoice:
 *
 * Who runs a page's experiments, as the window offers it: the C engine,
 * the C engine's threads behind an emulated GIL, or a Python interpreter.
 */
typedef enum
{
  LAB_RUNTIME_CHOICE_NATIVE,
  LAB_RUNTIME_CHOICE_GIL,
  LAB_RUNTIME_CHOICE_CPYTHON,
  LAB_RUNTIME_CHOICE_CPYTHON_NOGIL,
  LAB_N_RUNTIME_CHOICES
} LabRuntimeChoice;

/* The engine's runtime for @choice, and the mode that runs "threads". */
LabRuntime lab_runtime_choice_get_runtime (LabRuntimeChoice choice);
LabMode    lab_runtime_choice_map_mode    (LabRuntimeChoice choice,
                                           LabMode          mode);

#define LAB_TYPE_RUNTIME_SWITCH (lab_runtime_switch_get_type ())

G_DECLARE_FINAL_TYPE (LabRuntimeSwitch, lab_runtime_switch, LAB, RUNTIME_SWITCH, GtkWidget)

void             lab_runtime_switch_bind       (LabRuntimeSwitch *self,
                                                GSettings        *settings,
                                                const char       *key);
LabRuntimeChoice lab_runtime_switch_get_choice (LabRuntimeSwitch *self);
/* Whether the interpreter of @runtime was found and works. */
gboolean         lab_runtime_switch_has        (LabRuntimeSwitch *self,
                                                LabRuntime        runtime);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-run-options.h"

G_BEGIN_DECLS

#define LAB_TYPE_FORM (lab_form_get_type ())

G_DECLARE_INTERFACE (LabForm, lab_form, LAB, FORM, GtkWidget)

/**
 * LabFormInterface:
 * @fill_builder: sets the workload and its parameters on a builder
 * @get_options: the workers, repetitions and modes part of the form
 * @get_idle_status: (optional): what the page says of its workload
 *   before it runs, when the form's workload decides it
 *
 * The parameters of one workload family (CPU kernels, downloads), kept
 * in GSettings. A form emits "changed" when one of its settings changes.
 */
struct _LabFormInterface
{
  GTypeInterface parent_iface;

  void           (*fill_builder) (LabForm       *self,
                                  LabRunBuilder *builder);
  LabRunOptions *(*get_options)  (LabForm       *self);
  const char    *(*get_idle_status) (LabForm     *self);
};

LabRunBuilder *lab_form_dup_builder        (LabForm       *self,
                                            const LabMode *modes,
                                            guint          n_modes);
LabRunBuilder *lab_form_dup_compare_builder (LabForm      *self);
void           lab_form_get_checked_modes  (LabForm       *self,
                                            GArray        *modes);
void           lab_form_emit_changed       (LabForm       *self);
const char    *lab_form_get_idle_status    (LabForm       *self);

G_END_DECLS

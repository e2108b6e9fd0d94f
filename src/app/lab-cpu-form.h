/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-form.h"

G_BEGIN_DECLS

#define LAB_TYPE_CPU_FORM (lab_cpu_form_get_type ())

G_DECLARE_FINAL_TYPE (LabCpuForm, lab_cpu_form, LAB, CPU_FORM, GtkWidget)

G_END_DECLS

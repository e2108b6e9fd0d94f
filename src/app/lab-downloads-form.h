/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-form.h"

G_BEGIN_DECLS

#define LAB_TYPE_DOWNLOADS_FORM (lab_downloads_form_get_type ())

G_DECLARE_FINAL_TYPE (LabDownloadsForm, lab_downloads_form, LAB, DOWNLOADS_FORM, GtkWidget)

G_END_DECLS

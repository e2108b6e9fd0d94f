/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-run-recorder.h"

G_DEFINE_INTERFACE (LabRunRecorder, lab_run_recorder, G_TYPE_OBJECT)

static void
lab_run_recorder_default_init (LabRunRecorderInterface *iface)
{
}

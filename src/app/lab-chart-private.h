/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-chart.h"

G_BEGIN_DECLS

/* For tests: what the rate limit of lab_chart_queue_update() let through. */
gboolean lab_chart_get_update_pending (LabChart *self);
guint    lab_chart_get_n_snapshots    (LabChart *self);

G_END_DECLS

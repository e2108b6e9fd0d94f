/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-cell.h"
#include "lab-run.h"

G_BEGIN_DECLS

/*
 * Readings: what the figures of a cell or a run mean, in words, computed
 * from the numbers. The CLI prints them; the window shows them.
 */

char *lab_reading_trust       (LabCell    *cell);
char *lab_reading_cells_trust (GListModel *cells);
char *lab_reading_run_trust   (LabRun     *run);
char *lab_reading_pipeline    (GListModel *cells);

G_END_DECLS

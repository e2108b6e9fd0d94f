/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-result.h"

G_BEGIN_DECLS

/* Above this share of the machine's CPU used by other programs while a
 * cell was measured (lab_cell_get_background_cpu()), its figures say more
 * about the contention than about the mode. */
#define LAB_CONTENTION_THRESHOLD 0.10

/* Above this MAD ÷ median of its wall times, a cell's repetitions disagree
 * too much for its median to mean much (lab_cell_get_unstable()). */
#define LAB_UNSTABLE_THRESHOLD 0.10

#define LAB_TYPE_CELL (lab_cell_get_type ())

G_DECLARE_FINAL_TYPE (LabCell, lab_cell, LAB, CELL, GObject)

/**
 * LabCell:
 *
 * One runtime × mode × worker-count combination of a run: its measured repetitions
 * and their statistics. Statistics are recomputed by lab_cell_update(),
 * which notifies the changed properties.
 */
LabCell    *lab_cell_new               (LabRuntime       runtime,
                                        LabMode          mode,
                                        guint            workers);
LabRuntime  lab_cell_get_runtime       (LabCell         *self);
LabMode     lab_cell_get_mode          (LabCell         *self);
/* lab_variant_title() of its runtime and mode */
const char *lab_cell_get_title         (LabCell         *self);
/* How long the cell's executor took to start its threads, worker
 * processes or interpreters, before its repetitions; NAN when it starts
 * them inside the measurement (spawn) or has no repetition yet. */
double      lab_cell_get_startup_s     (LabCell         *self);
guint       lab_cell_get_workers       (LabCell         *self);
void        lab_cell_add_repetition    (LabCell         *self,
                                        LabRepetition   *rep);
GPtrArray  *lab_cell_get_repetitions   (LabCell         *self);
void        lab_cell_update            (LabCell         *self,
                                        double           baseline_median_s);
double      lab_cell_get_median_s      (LabCell         *self);
double      lab_cell_get_min_s         (LabCell         *self);
double      lab_cell_get_max_s         (LabCell         *self);
double      lab_cell_get_mad_s         (LabCell         *self);
double      lab_cell_get_speedup       (LabCell         *self);
double      lab_cell_get_efficiency    (LabCell         *self);
double      lab_cell_get_cpu_util      (LabCell         *self);
double      lab_cell_get_background_cpu (LabCell        *self);
gboolean    lab_cell_get_unstable      (LabCell         *self);
guint64     lab_cell_get_checksum      (LabCell         *self);
gboolean    lab_cell_get_checksum_consistent (LabCell   *self);
guint       lab_cell_get_failed_tasks  (LabCell         *self);
guint       lab_cell_get_ok_tasks      (LabCell         *self);
guint64     lab_cell_get_bytes         (LabCell         *self);
/* Task latency (end − start) percentiles over all measured spans, in ms. */
double      lab_cell_get_latency_ms    (LabCell         *self,
                                        double           percentile);
double      lab_cell_get_throughput_mib_s (LabCell      *self);
double      lab_cell_get_stage_busy_s  (LabCell         *self,
                                        LabStage         stage);
char       *lab_cell_dup_first_error   (LabCell         *self);

G_END_DECLS

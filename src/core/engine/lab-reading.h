/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-cell.h"
#include "lab-run.h"

G_BEGIN_DECLS

/*
 * Readings: what the figures of a cell or a run mean, in words, computed
 * from the numbers. The CLI prints them; the window shows them.
 */

/**
 * LabDoubt:
 * @LAB_DOUBT_NONE: its figures can be trusted
 * @LAB_DOUBT_ONE_REPETITION: it has one repetition: its spread is unknown
 * @LAB_DOUBT_UNSTABLE: its repetitions varied by more than
 *   %LAB_UNSTABLE_THRESHOLD of their median
 * @LAB_DOUBT_CONTENTION: another program used more than
 *   %LAB_CONTENTION_THRESHOLD of the CPU while it was measured
 * @LAB_DOUBT_FAILED: tasks failed: it did less work than it was given
 *
 * What is wrong with a cell's figures, from the least bad to the worst.
 */
typedef enum
{
  LAB_DOUBT_NONE,
  LAB_DOUBT_ONE_REPETITION,
  LAB_DOUBT_UNSTABLE,
  LAB_DOUBT_CONTENTION,
  LAB_DOUBT_FAILED,
} LabDoubt;

/**
 * LabChange:
 * @LAB_CHANGE_UNKNOWN: one of the cells has no median
 * @LAB_CHANGE_DOUBTFUL: the figures of one of the cells cannot be trusted
 * @LAB_CHANGE_WITHIN_SPREAD: the medians differ by no more than the
 *   repetitions of the two cells vary
 * @LAB_CHANGE_SAME: the medians are less than 1 % apart
 * @LAB_CHANGE_FASTER: the second cell was measurably faster
 * @LAB_CHANGE_SLOWER: the second cell was measurably slower
 *
 * How one cell's median wall time compares with another's.
 */
typedef enum
{
  LAB_CHANGE_UNKNOWN,
  LAB_CHANGE_DOUBTFUL,
  LAB_CHANGE_WITHIN_SPREAD,
  LAB_CHANGE_SAME,
  LAB_CHANGE_FASTER,
  LAB_CHANGE_SLOWER,
} LabChange;

LabDoubt  lab_reading_comparison_doubt (LabCell  *cell,
                                        double   *severity);
LabChange lab_reading_compare_cells    (LabCell  *before,
                                        LabCell  *after,
                                        LabDoubt *doubt,
                                        double   *ratio);

char *lab_reading_trust       (LabCell    *cell);
char *lab_reading_cells_trust (GListModel *cells);
char *lab_reading_run_trust   (LabRun     *run);
/* io:files: whether the files were synced and where the reads came from. */
char *lab_reading_files       (const LabWorkload *workload,
                               GListModel        *cells);
char *lab_reading_pipeline    (GListModel *cells);

G_END_DECLS

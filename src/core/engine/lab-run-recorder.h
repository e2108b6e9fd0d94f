/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_RUN_RECORDER (lab_run_recorder_get_type ())

G_DECLARE_INTERFACE (LabRunRecorder, lab_run_recorder, LAB, RUN_RECORDER, GObject)

/**
 * LabRunRecorderInterface:
 * @started: the run has its start time and is about to start its thread
 * @repetition_finished: @rep has its figures and is in its cell, whose
 *   statistics are up to date; no signal has told anyone yet
 * @finished: the run is over (@error: why it stopped early, or %NULL);
 *   every repetition it started is in lab_run_get_repetitions(), a
 *   repetition cut short with the spans it reported; "running" is
 *   still %TRUE and the caller of lab_run_execute_async() not told yet
 * @ui_cost_set: lab_run_set_ui_cost() was called (after the run, by a
 *   window)
 *
 * What keeps a record of a run (the history): a #LabRun calls it on its
 * main context, before it emits the signals of the same event, so that
 * what a person sees has been recorded first whoever connected first.
 * Each method is optional. The engine knows nothing of where or how the
 * record is kept.
 */
struct _LabRunRecorderInterface
{
  GTypeInterface parent_iface;

  void (*started)             (LabRunRecorder *self,
                               LabRun         *run);
  void (*repetition_finished) (LabRunRecorder *self,
                               LabRun         *run,
                               LabRepetition  *rep);
  void (*finished)            (LabRunRecorder *self,
                               LabRun         *run,
                               const GError   *error);
  void (*ui_cost_set)         (LabRunRecorder *self,
                               LabRun         *run);
};

/* Gives @run, which has not started, its recorder (held until the run is
 * finalized); %NULL removes it. */
void            lab_run_set_recorder (LabRun         *run,
                                      LabRunRecorder *recorder);
/* Returns: (transfer none) (nullable) */
LabRunRecorder *lab_run_get_recorder (LabRun         *run);

/*
 * A run rebuilt from a record: never executed, finished from the start.
 */

/* The run's parameters in full, as one line of JSON, and back (checked
 * against the builder's limits: LAB_ERROR_INVALID_ARGUMENT). */
char         *lab_run_config_to_record       (const LabRunConfig *config);
LabRunConfig *lab_run_config_new_from_record (const char         *record,
                                              GError            **error);

/* A run of @config that ran at @started_at with the id @run_id (its
 * UUID in the CSV files), on @machine (copied; %NULL: this one). Add its
 * repetitions in the order they ran with lab_run_add_recorded_repetition().
 * Returns: (transfer full) */
LabRun *lab_run_new_recorded            (const LabRunConfig  *config,
                                         const char          *run_id,
                                         GDateTime           *started_at,
                                         const LabRunMachine *machine);
/* Adds @rep as if the run had just run it: a finished one (rep->finished)
 * with its figures goes into its cell, whose statistics (and its
 * runtime's speed-ups) are recomputed; one cut short is only listed. Its
 * spans count as the run's tasks done. */
void    lab_run_add_recorded_repetition (LabRun              *run,
                                         LabRepetition       *rep);

G_END_DECLS

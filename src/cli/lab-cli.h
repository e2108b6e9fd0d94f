/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-history.h"
#include "lab-run.h"

G_BEGIN_DECLS

/* Exit codes of concurrency-lab-cli. */
enum
{
  LAB_CLI_EXIT_OK = 0,
  LAB_CLI_EXIT_FAILED = 1,   /* the run (or some of its tasks) failed */
  LAB_CLI_EXIT_USAGE = 2,    /* bad option or value */
};

/* Each subcommand gets argv with argv[0] = "concurrency-lab-cli SUBCOMMAND". */
int lab_cli_run   (int argc, char **argv);
int lab_cli_info  (int argc, char **argv);
int lab_cli_bench (int argc, char **argv);
int lab_cli_serve (int argc, char **argv);
int lab_cli_overheads (int argc, char **argv);
int lab_cli_claims (int argc, char **argv);
int lab_cli_history (int argc, char **argv);

/* Prints "concurrency-lab-cli: MESSAGE" to stderr and returns @code. */
int lab_cli_fail  (int code, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Installs SIGINT/SIGTERM handlers on the default main context that
 * cancel @cancellable; returns a handle for lab_cli_uninstall_signals(). */
void lab_cli_install_signals   (GCancellable *cancellable);
void lab_cli_uninstall_signals (void);

/* Refuses an output path (of @option) whose folder cannot take the file
 * before anything is measured, rather than after minutes of measuring. */
gboolean lab_cli_check_output_path (const char *option, const char *path, GError **error);
/* The same for --csv. */
gboolean lab_cli_check_csv_path    (const char *path, GError **error);

/* The table of a run's cells that `run` prints, also for a recorded run. */
void lab_cli_print_run_table (LabRun *run);

/* Opens the history, saying on stderr what its opening had to repair. */
LabHistory *lab_cli_open_history (GError **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lab-run-config.h"

G_BEGIN_DECLS

/* The parameters of an experiment, as a person sets them. */
typedef enum
{
  LAB_PARAM_WORKLOAD,
  LAB_PARAM_RUNTIME,
  LAB_PARAM_SIZE,
  LAB_PARAM_TASKS,
  LAB_PARAM_MODES,
  LAB_PARAM_WORKERS,
  LAB_PARAM_REPEAT,
  LAB_PARAM_WARMUP,
  LAB_PARAM_TASK_TIMEOUT_S,
  LAB_PARAM_NICE,
  LAB_PARAM_URLS,
  LAB_PARAM_TIMEOUT_S,
  LAB_PARAM_MAX_BYTES,
  LAB_PARAM_DELAY_MS,
  LAB_PARAM_BYTES,
  LAB_PARAM_STORE_DIR,
  LAB_N_PARAMS
} LabParam;

/* How error messages name a parameter: as the CLI's option ("--tasks")
 * or as the window's label ("Tasks"). */
typedef enum
{
  LAB_PARAM_NAMES_TITLES,
  LAB_PARAM_NAMES_OPTIONS,
} LabParamNames;

/**
 * LabRunBuilder:
 *
 * The one way to make a #LabRunConfig. It owns the defaults and limits of
 * every parameter, reads URL lists, points downloads without URLs at the
 * embedded server, knows which modes and runtimes each workload accepts,
 * and checks everything once, in lab_run_builder_build(), with one set of
 * messages (LAB_ERROR_INVALID_ARGUMENT) that name the parameter at fault.
 *
 * Setters only record; a parameter left unset keeps its default. Setting
 * a parameter that does not apply to the workload (a URL for a CPU
 * kernel) is an error at build time.
 */
typedef struct _LabRunBuilder LabRunBuilder;

LabRunBuilder *lab_run_builder_new             (LabParamNames       names);
void           lab_run_builder_free            (LabRunBuilder      *self);

/* The parameter's name as this builder's messages write it. */
const char    *lab_run_builder_param_name      (LabRunBuilder      *self,
                                                LabParam            param);

/* Text as typed on a command line: "cpu:primes", "2000000",
 * "sequential,threads", "1,2,4", "native"; a URL for LAB_PARAM_URLS
 * (repeatable). Syntax errors are reported here, ranges at build time. */
gboolean       lab_run_builder_parse           (LabRunBuilder      *self,
                                                LabParam            param,
                                                const char         *text,
                                                GError            **error);

gboolean       lab_run_builder_set_workload    (LabRunBuilder      *self,
                                                const char         *spec,
                                                GError            **error);
/* Any numeric parameter (size, tasks, repeat, …). */
void           lab_run_builder_set_number      (LabRunBuilder      *self,
                                                LabParam            param,
                                                guint64             value);
void           lab_run_builder_set_modes       (LabRunBuilder      *self,
                                                const LabMode      *modes,
                                                guint               n_modes);
/* Who runs the tasks; each runtime runs the modes it has. Default: native. */
void           lab_run_builder_set_runtimes    (LabRunBuilder      *self,
                                                const LabRuntime   *runtimes,
                                                guint               n_runtimes);
void           lab_run_builder_set_workers     (LabRunBuilder      *self,
                                                const guint        *workers,
                                                guint               n_workers);
/* 1, 2, 4, … up to and including @max. */
void           lab_run_builder_set_worker_sweep (LabRunBuilder     *self,
                                                 guint              max);
void           lab_run_builder_set_worker_path (LabRunBuilder      *self,
                                                const char         *path);

void           lab_run_builder_add_url         (LabRunBuilder      *self,
                                                const char         *url);
/* One URL per line; blank lines and lines starting with '#' are skipped. */
gboolean       lab_run_builder_add_url_file    (LabRunBuilder      *self,
                                                const char         *path,
                                                GError            **error);
/* The embedded server that downloads without URLs go to. */
void           lab_run_builder_set_server      (LabRunBuilder      *self,
                                                const char         *base_url);

/* Whether the workload accepts @mode (async only waits, it computes nothing). */
gboolean       lab_run_builder_accepts_mode    (LabRunBuilder      *self,
                                                LabMode             mode);
/* A download run with no URL, or the pipeline: it needs lab_run_builder_set_server(). */
gboolean       lab_run_builder_needs_server    (LabRunBuilder      *self);

/* Checks every parameter. Returns: (transfer full) (nullable) */
LabRunConfig  *lab_run_builder_build           (LabRunBuilder      *self,
                                                GError            **error);

/* Splits a URL list as lab_run_builder_add_url_list() does. */
char         **lab_url_list_split              (const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabRunBuilder, lab_run_builder_free)

G_END_DECLS

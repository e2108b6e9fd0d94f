/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lab-run-builder.h"

/* A builder for a test run: @spec in @modes ("threads,processes") with
 * @n_workers worker counts, one measured repetition, no warm-up. */
static inline LabRunBuilder *
lab_test_builder (const char  *spec,
                  const char  *modes,
                  const guint *workers,
                  guint        n_workers)
{
  LabRunBuilder *builder = lab_run_builder_new (LAB_PARAM_NAMES_OPTIONS);

  g_assert_true (lab_run_builder_set_workload (builder, spec, NULL));
  g_assert_true (lab_run_builder_parse (builder, LAB_PARAM_MODES, modes, NULL));
  lab_run_builder_set_workers (builder, workers, n_workers);
  lab_run_builder_set_number (builder, LAB_PARAM_REPEAT, 1);
  lab_run_builder_set_number (builder, LAB_PARAM_WARMUP, 0);
  return builder;
}

/* Builds and frees @builder; the test fails if it does not check out. */
static inline LabRunConfig *
lab_test_build (LabRunBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  LabRunConfig *config = lab_run_builder_build (builder, &error);

  g_assert_no_error (error);
  lab_run_builder_free (builder);
  return config;
}

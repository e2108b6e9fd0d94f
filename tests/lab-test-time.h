/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* How many times slower this build runs than a plain one: a sanitizer
 * build sets LAB_TEST_TIME_SCALE (tests/meson.build), and the time limits
 * of the tests (how soon a cancel must stop a run) are stretched by it.
 * 1 in a plain build. */
static inline double
lab_test_time_scale (void)
{
  const char *value = g_getenv ("LAB_TEST_TIME_SCALE");
  double scale = value != NULL ? g_ascii_strtod (value, NULL) : 1.0;

  return scale >= 1.0 ? scale : 1.0;
}

/* @limit_us in this build: stretched by lab_test_time_scale(). */
static inline gint64
lab_test_time_limit (gint64 limit_us)
{
  return (gint64) (limit_us * lab_test_time_scale ());
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What every table, chart and report shows where a figure is unknown. */
#define LAB_FORMAT_NONE "—"

/* "340.5 ms", "1.250 s", "12.0 µs": the unit follows the value, precision
 * fixed so that a column of them lines up. */
char *lab_format_duration        (double      seconds);

/* "340 ms", "1.25 s", "12 µs": the unit follows @scale_s (an axis' range,
 * or the value itself) and trailing zeros are dropped, for chart labels. */
char *lab_format_duration_scaled (double      seconds,
                                  double      scale_s);

/* "1.25" with at most two decimals below 10, one below 100, none above;
 * trailing zeros dropped. */
char *lab_format_number          (double      value);

/* @format applied to @value ("%.2f×"), or LAB_FORMAT_NONE when @value is
 * not finite. */
char *lab_format_value           (double      value,
                                  const char *format);

/* "2,000,000": an integer with the locale's thousands separators. */
char *lab_format_count           (guint64     value);

/* "512 bytes", "1 KiB", "1.5 MiB": binary units, decimals as
 * lab_format_number() writes them. */
char *lab_format_bytes           (guint64     bytes);

G_END_DECLS

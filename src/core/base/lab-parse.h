/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Strict parsing of whole numbers: decimal digits only (no sign, no
 * spaces, no "0x"), within [@min, @max]. On failure @error
 * (LAB_ERROR_INVALID_ARGUMENT) names @what and the accepted range.
 */
gboolean lab_parse_uint64 (const char  *what,
                           const char  *text,
                           guint64      min,
                           guint64      max,
                           guint64     *out,
                           GError     **error);

/* The same over @len bytes of @text, which need not be NUL-terminated. */
gboolean lab_parse_uint64_n (const char  *what,
                             const char  *text,
                             gsize        len,
                             guint64      min,
                             guint64      max,
                             guint64     *out,
                             GError     **error);

/* The same message for a number that is already parsed: FALSE with
 * @error set when @value is outside [@min, @max]. */
gboolean lab_parse_check_range (const char  *what,
                                guint64      value,
                                guint64      min,
                                guint64      max,
                                GError     **error);

G_END_DECLS

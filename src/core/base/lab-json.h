/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Members of the object being built: "name": value. A double that is not
 * finite (a figure that could not be measured) is written as null. */
void  lab_json_add_double (JsonBuilder *builder,
                           const char  *name,
                           double       value);
void  lab_json_add_int    (JsonBuilder *builder,
                           const char  *name,
                           gint64       value);
void  lab_json_add_bool   (JsonBuilder *builder,
                           const char  *name,
                           gboolean     value);
/* NULL is written as null. */
void  lab_json_add_string (JsonBuilder *builder,
                           const char  *name,
                           const char  *value);

/* The document built so far, as text. */
char *lab_json_to_string  (JsonBuilder *builder,
                           gboolean     pretty);

G_END_DECLS

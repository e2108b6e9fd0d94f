/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "lab-result.h"

G_BEGIN_DECLS

/**
 * LabFetch:
 *
 * The bookkeeping of one download, shared by the blocking path (threads,
 * processes) and the event-loop path (async): the URL check made before
 * any request, the body cap, a checksum of the body that is the same
 * however it arrives in pieces, and what a status or an error means for
 * the task. It does no I/O itself.
 */
typedef struct _LabFetch LabFetch;

#define LAB_FETCH_CHUNK (64 * 1024)

/* NULL with @error set when @url is not an absolute http(s) URL with a host. */
LabFetch    *lab_fetch_new          (const char    *url,
                                     guint64        max_bytes,
                                     GError       **error);
void         lab_fetch_free         (LabFetch      *self);
SoupMessage *lab_fetch_get_message  (LabFetch      *self);
/* After soup_session_send*(): records the status in @span, or turns
 * @send_error into the task's error. */
gboolean     lab_fetch_sent         (LabFetch      *self,
                                     GError        *send_error,
                                     LabSpan       *span,
                                     GError       **error);
/* For each piece of the body read (@len > 0), or a read error. FALSE when
 * the task must stop: over the cap, or the read failed. */
gboolean     lab_fetch_add          (LabFetch      *self,
                                     const guint8  *data,
                                     gssize         len,
                                     GError        *read_error,
                                     LabSpan       *span,
                                     GError       **error);
/* At the end of the body: the checksum, and an HTTP error status as the
 * task's error. */
gboolean     lab_fetch_finish       (LabFetch      *self,
                                     LabSpan       *span,
                                     GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabFetch, lab_fetch_free)

G_END_DECLS

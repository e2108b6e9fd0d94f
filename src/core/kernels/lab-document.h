/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The pipeline's documents and their analysis. Document i is text made
 * of words drawn from a generator seeded with i: the same bytes for the
 * same (length, i), in every process. Its analysis is the articles'
 * word-length sum (whitespace-separated words, their lengths in bytes)
 * and a SHA-256 chain of a configurable number of rounds: the first
 * round hashes the document, each further round the previous digest.
 * The result is one CSV row.
 */

#define LAB_DOCUMENT_DIGEST_LEN 32
#define LAB_DOCUMENT_CSV_HEADER "doc,bytes,words,word_length_sum,digest\n"

typedef struct
{
  guint   doc;
  guint64 bytes;
  guint64 words;
  guint64 word_length_sum;
  guint8  digest[LAB_DOCUMENT_DIGEST_LEN];
} LabDocumentRow;

/* Writes the first @len bytes of document @doc to @buffer. */
void     lab_document_fill         (guint                 doc,
                                    guint8               *buffer,
                                    gsize                 len);
/* Analyses @len bytes of document @doc with @rounds rounds of the chain
 * (>= 1), passing check points as a kernel does. FALSE when cancelled. */
gboolean lab_document_analyse      (const guint8         *data,
                                    gsize                 len,
                                    guint                 doc,
                                    guint64               rounds,
                                    GCancellable         *cancellable,
                                    LabDocumentRow       *row);
/* Appends the row as CSV: "doc,bytes,words,word_length_sum,digest\n",
 * the digest in lower-case hexadecimal. */
void     lab_document_row_format   (const LabDocumentRow *row,
                                    GString              *out);
/* The first 8 bytes (little-endian) of the SHA-256 of the row's CSV line:
 * rows add up to a repetition's checksum in any order. */
guint64  lab_document_row_checksum (const LabDocumentRow *row);
/* The digest in lower-case hexadecimal (64 characters and a NUL). */
void     lab_document_digest_to_hex (const guint8        *digest,
                                     char                *hex);
/* Parses 64 hexadecimal digits; FALSE when @hex is not that. */
gboolean lab_document_digest_from_hex (const char        *hex,
                                       gsize              len,
                                       guint8            *digest);

G_END_DECLS

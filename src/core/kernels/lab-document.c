/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "lab-document.h"
#include "lab-yield.h"

/* Chain rounds, and bytes of text scanned, between two check points */
#define ROUNDS_PER_CHECK 1024
#define BYTES_PER_CHECK  (64 * 1024)

/* splitmix64: small, fast, and the same on every machine. */
static inline guint64
next_random (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Letters drawn five bits at a time, common ones twice. */
static const char letters[32] = "etaoinshrdlucmfwypvbgkjqxzeatoin";

/**
 * lab_document_fill:
 *
 * Each word takes one random draw: bits 0–3 its length (1 to 10
 * letters), bits 4–53 its letters, bits 59–63 its separator (a newline
 * one time in 32, else a space). The text is cut at @len bytes, even
 * inside a word.
 */
void
lab_document_fill (guint   doc,
                   guint8 *buffer,
                   gsize   len)
{
  guint64 state = G_GUINT64_CONSTANT (0x6a09e667f3bcc908) ^ ((guint64) doc * G_GUINT64_CONSTANT (0x2545f4914f6cdd1d));
  gsize at = 0;

  g_return_if_fail (buffer != NULL || len == 0);

  while (at < len)
    {
      guint64 r = next_random (&state);
      guint n = 1 + (r & 0xf) % 10;

      for (guint i = 0; i < n && at < len; i++)
        buffer[at++] = letters[(r >> (4 + 5 * i)) & 0x1f];
      if (at < len)
        buffer[at++] = (r >> 59) == 0 ? '\n' : ' ';
    }
}

static inline gboolean
is_space (guint8 c)
{
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline gboolean
cancelled (GCancellable *cancellable)
{
  return cancellable != NULL && g_cancellable_is_cancelled (cancellable);
}

/* The articles' word count and word-length sum: str.split() and len(). */
static gboolean
count_words (const guint8   *data,
             gsize           len,
             GCancellable   *cancellable,
             LabDocumentRow *row)
{
  gboolean in_word = FALSE;

  for (gsize block = 0; block < len; block += BYTES_PER_CHECK)
    {
      gsize stop = MIN (len, block + BYTES_PER_CHECK);

      if (cancelled (cancellable))
        return FALSE;
      lab_yield_check_point ();
      for (gsize i = block; i < stop; i++)
        {
          gboolean space = is_space (data[i]);

          if (!space)
            {
              row->word_length_sum++;
              row->words += !in_word;
            }
          in_word = !space;
        }
    }
  return TRUE;
}

gboolean
lab_document_analyse (const guint8   *data,
                      gsize           len,
                      guint           doc,
                      guint64         rounds,
                      GCancellable   *cancellable,
                      LabDocumentRow *row)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_len = LAB_DOCUMENT_DIGEST_LEN;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (rounds >= 1, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);

  memset (row, 0, sizeof *row);
  row->doc = doc;
  row->bytes = len;
  if (!count_words (data, len, cancellable, row))
    return FALSE;

  g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, row->digest, &digest_len);
  for (guint64 i = 1; i < rounds; i++)
    {
      if (i % ROUNDS_PER_CHECK == 0)
        {
          if (cancelled (cancellable))
            return FALSE;
          lab_yield_check_point ();
        }
      g_checksum_reset (checksum);
      g_checksum_update (checksum, row->digest, LAB_DOCUMENT_DIGEST_LEN);
      digest_len = LAB_DOCUMENT_DIGEST_LEN;
      g_checksum_get_digest (checksum, row->digest, &digest_len);
    }
  return !cancelled (cancellable);
}

void
lab_document_digest_to_hex (const guint8 *digest,
                            char         *hex)
{
  static const char digits[] = "0123456789abcdef";

  for (guint i = 0; i < LAB_DOCUMENT_DIGEST_LEN; i++)
    {
      hex[2 * i] = digits[digest[i] >> 4];
      hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
  hex[2 * LAB_DOCUMENT_DIGEST_LEN] = '\0';
}

gboolean
lab_document_digest_from_hex (const char *hex,
                              gsize       len,
                              guint8     *digest)
{
  if (len != 2 * LAB_DOCUMENT_DIGEST_LEN)
    return FALSE;
  for (guint i = 0; i < LAB_DOCUMENT_DIGEST_LEN; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return FALSE;
      digest[i] = (guint8) (high << 4 | low);
    }
  return TRUE;
}

void
lab_document_row_format (const LabDocumentRow *row,
                         GString              *out)
{
  char hex[2 * LAB_DOCUMENT_DIGEST_LEN + 1];

  g_return_if_fail (row != NULL && out != NULL);

  lab_document_digest_to_hex (row->digest, hex);
  g_string_append_printf (out, "%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%s\n",
                          row->doc, row->bytes, row->words, row->word_length_sum, hex);
}

guint64
lab_document_row_checksum (const LabDocumentRow *row)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint64 value;

  g_return_val_if_fail (row != NULL, 0);

  lab_document_row_format (row, line);
  g_checksum_update (checksum, (const guint8 *) line->str, line->len - 1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  memcpy (&value, digest, sizeof value);
  return GUINT64_FROM_LE (value);
}

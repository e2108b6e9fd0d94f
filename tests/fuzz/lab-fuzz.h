/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/*
 * A fuzz target defines LLVMFuzzerTestOneInput(); lab-fuzz.c, linked into
 * every target, defines LLVMFuzzerInitialize(), the set-up they share.
 * With -Dfuzzing=true libFuzzer calls them; in any other build
 * lab-fuzz-driver.c does, once per file of the seed corpus.
 *
 * A target checks what must hold for every input with g_assert*(): a
 * failed check aborts, which libFuzzer reports as a crash and keeps the
 * input that caused it.
 */
int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

/*
 * Structured input: a cursor that takes numbers and strings from the
 * front of the input, and zeros once it runs out.
 */
typedef struct
{
  const guint8 *data;
  gsize         size;
} LabFuzzInput;

static inline guint8
lab_fuzz_take_byte (LabFuzzInput *in)
{
  guint8 b;

  if (in->size == 0)
    return 0;
  b = in->data[0];
  in->data++;
  in->size--;
  return b;
}

/* A number of @n_bytes bytes, little-endian. */
static inline guint64
lab_fuzz_take_number (LabFuzzInput *in,
                      guint         n_bytes)
{
  guint64 v = 0;

  for (guint i = 0; i < n_bytes; i++)
    v |= (guint64) lab_fuzz_take_byte (in) << (8 * i);
  return v;
}

/* The bytes up to the next @separator (or the end), without it; NUL
 * bytes are kept, so the caller gets a length. */
static inline const guint8 *
lab_fuzz_take_until (LabFuzzInput *in,
                     guint8        separator,
                     gsize        *len)
{
  const guint8 *start = in->data;
  const guint8 *end = memchr (in->data, separator, in->size);

  *len = end != NULL ? (gsize) (end - start) : in->size;
  in->data += *len;
  in->size -= *len;
  if (end != NULL)
    {
      in->data++;
      in->size--;
    }
  return start;
}

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <signal.h>

#include "lab-fuzz.h"

/* GLib ends on a fatal message (g_error(), or a critical made fatal) with
 * SIGTRAP, which libFuzzer does not catch: it would neither report the
 * crash nor keep the input. */
static void
trap_to_abort (int sig)
{
  abort ();
}

/* The set-up every target shares: the C locale's messages (they are
 * compared), and any critical or warning fatal, as in the tests. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  signal (SIGTRAP, trap_to_abort);
  return 0;
}

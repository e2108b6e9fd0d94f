/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What an overheads experiment may leave behind once it has returned:
 * processes and threads of its own. */

/* The processes whose parent is this one, zombies included: a worker
 * that was killed but not reaped still counts. The sanitizers' symbolizer,
 * which ThreadSanitizer starts to match its suppressions and then keeps,
 * is the sanitizer's, not the test's. */
static inline guint
lab_test_count_children (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *after_name;
      int ppid;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …": the name may hold spaces and parentheses.
       * The ppid is the process's, whichever of its threads forked. */
      after_name = strrchr (stat, ')');
      if (after_name != NULL && sscanf (after_name + 1, " %*c %d", &ppid) == 1 && ppid == getpid () &&
          !g_str_has_prefix (strchr (stat, '('), "(llvm-symbolizer)"))
        n++;
    }
  return n;
}

/* Threads of this process whose name starts with @prefix (the kernel
 * keeps 15 bytes of it). */
static inline guint
lab_test_count_threads (const char *prefix)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (g_strstrip (comm), prefix))
        n++;
    }
  return n;
}

/* No child process and no thread of ours is left. Ours are the threads
 * the lab names "lab-…" (g_thread_new); GLib's pool threads ("pool-…")
 * are not counted, as GLib keeps idle ones on purpose (the shared GTask
 * pool, and unused threads for the next pool).
 *
 * The experiment's own thread ("lab-overhead") is detached and frees its
 * context (stopping the pools' HTTP server) after it has handed over the
 * result, so it is given a second to end. Everything else it started
 * must be gone by then: it joins nothing else afterwards. */
static inline void
lab_test_assert_nothing_left (void)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  g_assert_cmpuint (lab_test_count_children (), ==, 0);
  while (lab_test_count_threads ("lab-overhead") > 0 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpuint (lab_test_count_threads ("lab-"), ==, 0);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lab-machine.h"

guint
lab_machine_n_cpus (void)
{
  return MAX (1, g_get_num_processors ());
}

/**
 * lab_machine_cpu_model:
 *
 * Returns: (transfer full): the CPU's model name, or "unknown"
 */
char *
lab_machine_cpu_model (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return g_strdup ("unknown");

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL &&
          (g_str_has_prefix (lines[i], "model name") || g_str_has_prefix (lines[i], "Model")))
        return g_strstrip (g_strdup (colon + 1));
    }
  return g_strdup ("unknown");
}

/**
 * lab_machine_kernel:
 *
 * Returns: (transfer full): "Linux 6.1.0 x86_64" or the like
 */
char *
lab_machine_kernel (void)
{
  struct utsname name;

  if (uname (&name) != 0)
    return g_strdup ("unknown");
  return g_strdup_printf ("%s %s %s", name.sysname, name.release, name.machine);
}

void
lab_usage_self (LabUsage *usage)
{
  struct rusage ru;

  g_return_if_fail (usage != NULL);

  memset (usage, 0, sizeof *usage);
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return;
  usage->user_us = (guint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec;
  usage->sys_us = (guint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
  usage->maxrss_kib = ru.ru_maxrss;
  usage->voluntary_switches = ru.ru_nvcsw;
  usage->involuntary_switches = ru.ru_nivcsw;
}

static guint64
proc_status_kib (const char *field)
{
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &contents, NULL, NULL))
    return 0;
  line = strstr (contents, field);
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field), NULL, 10);
}

guint64
lab_machine_peak_rss_kib (void)
{
  guint64 kib = proc_status_kib ("VmHWM:");

  if (kib == 0)
    {
      LabUsage usage;

      lab_usage_self (&usage);
      kib = usage.maxrss_kib;
    }
  return kib;
}

void
lab_machine_reset_peak_rss (void)
{
  /* Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
   * Where it is refused the peak is the process's lifetime peak. */
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f == NULL)
    return;
  fputs ("5", f);
  fclose (f);
}

/* Busy and total jiffies of one "cpu…" line of /proc/stat: user nice
 * system idle iowait irq softirq steal (guest time is inside user and
 * nice already); busy is all but idle and iowait. */
static gboolean
parse_cpu_line (const char *line,
                guint64    *busy,
                guint64    *total)
{
  guint64 v[8] = { 0 };
  guint64 all = 0;
  int n;

  n = sscanf (line, "%*s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
              " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
              &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  if (n < 4)
    return FALSE;
  for (int k = 0; k < n; k++)
    all += v[k];
  *busy = all - v[3] - v[4];
  *total = all;
  return TRUE;
}

/**
 * lab_machine_cpu_times:
 * @busy: a GArray of guint64, cleared and filled with one entry per CPU
 * @total: the same for all jiffies
 *
 * Returns: %TRUE when /proc/stat could be read
 */
gboolean
lab_machine_cpu_times (GArray *busy,
                       GArray *total)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (busy != NULL && total != NULL, FALSE);

  g_array_set_size (busy, 0);
  g_array_set_size (total, 0);
  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 b, all;

      if (!g_str_has_prefix (lines[i], "cpu") || !g_ascii_isdigit (lines[i][3]))
        continue;
      if (!parse_cpu_line (lines[i], &b, &all))
        continue;
      g_array_append_val (busy, b);
      g_array_append_val (total, all);
    }
  return busy->len > 0;
}

/**
 * lab_machine_tick_s:
 *
 * Returns: the length of the clock tick that /proc/stat and
 *   /proc/PID/stat count CPU time in, in seconds (usually 0.01)
 */
double
lab_machine_tick_s (void)
{
  long hz = sysconf (_SC_CLK_TCK);

  return 1.0 / (hz > 0 ? hz : 100);
}

/**
 * lab_machine_busy_s:
 * @busy_s: (out): CPU time the whole machine has spent busy since boot
 *   (every process, the kernel and interrupts; not idle, not waiting for
 *   I/O), summed over its CPUs, in seconds
 * @total_s: (out) (optional): the same for all CPU time, idle included
 *
 * Reads the aggregate "cpu" line of /proc/stat. The counters advance in
 * clock ticks (lab_machine_tick_s()): a difference of two readings is
 * rounded by up to a tick per CPU.
 *
 * Returns: %TRUE when /proc/stat could be read
 */
gboolean
lab_machine_busy_s (double *busy_s,
                    double *total_s)
{
  g_autofree char *contents = NULL;
  guint64 busy, total;
  double tick_s = lab_machine_tick_s ();

  g_return_val_if_fail (busy_s != NULL, FALSE);

  /* The aggregate line is the first one. */
  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL) ||
      !g_str_has_prefix (contents, "cpu ") ||
      !parse_cpu_line (contents, &busy, &total))
    return FALSE;

  *busy_s = busy * tick_s;
  if (total_s != NULL)
    *total_s = total * tick_s;
  return TRUE;
}

/* Whether a thread of this process belongs to the engine (its threads are
 * named "lab-…") or to a GLib thread pool ("pool-…", "pool-spawner"). */
static gboolean
is_engine_thread (const char *task_dir)
{
  g_autofree char *path = g_build_filename (task_dir, "comm", NULL);
  g_autofree char *comm = NULL;

  if (!g_file_get_contents (path, &comm, NULL, NULL))
    return FALSE;
  return g_str_has_prefix (comm, "lab-") || g_str_has_prefix (comm, "pool");
}

/* utime + stime of /proc/self/task/TID/stat, in ticks; FALSE when the
 * thread is gone. */
static gboolean
thread_ticks (const char *task_dir,
              guint64    *ticks)
{
  g_autofree char *path = g_build_filename (task_dir, "stat", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *tail = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* The name in parentheses may contain anything: fields follow the last
   * ')', from state (field 3) on; utime and stime are fields 14 and 15. */
  rest = strrchr (contents, ')');
  if (rest == NULL)
    return FALSE;
  tail = g_strstrip (g_strdup (rest + 1));
  fields = g_strsplit (tail, " ", 14);
  if (g_strv_length (fields) < 14)
    return FALSE;
  *ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  return TRUE;
}

/**
 * lab_machine_ui_cpu_s:
 *
 * The CPU time (user + system) that this process's own threads have used,
 * leaving out the engine's threads (named "lab-…") and GLib's thread pools
 * ("pool-…", where the engine's tasks run): in the window, what the user
 * interface costs. Counted in clock ticks (lab_machine_tick_s()), from
 * /proc/self/task/TID/stat; threads that have exited are no longer counted.
 *
 * Returns: seconds, or NAN when /proc cannot be read
 */
double
lab_machine_ui_cpu_s (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint64 total = 0;
  gboolean any = FALSE;

  if (dir == NULL)
    return NAN;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *task_dir = g_build_filename ("/proc/self/task", name, NULL);
      guint64 ticks;

      if (is_engine_thread (task_dir) || !thread_ticks (task_dir, &ticks))
        continue;
      total += ticks;
      any = TRUE;
    }
  return any ? total * lab_machine_tick_s () : NAN;
}

static void
set_cloexec (int fd)
{
  int flags = fcntl (fd, F_GETFD);

  if (flags >= 0 && !(flags & FD_CLOEXEC))
    fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
}

void
lab_machine_cloexec_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      long max = sysconf (_SC_OPEN_MAX);

      for (int fd = 3; fd < MIN (max > 0 ? max : 1024, 65536); fd++)
        set_cloexec (fd);
      return;
    }

  /* The directory's own descriptor is close-on-exec already. */
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);

      if (fd > 2)
        set_cloexec (fd);
    }
}

/* The value in kB of the line of @contents that starts with @field
 * (never its first line: that one names the process or the mappings). */
static gboolean
field_kib (const char *contents,
           const char *field,
           guint64    *kib)
{
  g_autofree char *needle = g_strconcat ("\n", field, NULL);
  const char *line = strstr (contents, needle);

  if (line == NULL)
    return FALSE;
  *kib = g_ascii_strtoull (line + strlen (needle), NULL, 10);
  return TRUE;
}

/**
 * lab_machine_process_memory:
 * @pid: a process, or 0 for this one
 * @memory: (out): its resident memory
 *
 * Reads the process's resident set (RSS), its proportional share of the
 * pages it shares (PSS) and the pages that are its alone (USS, the sum
 * of Private_Clean and Private_Dirty), which the kernel sums over all
 * its mappings in smaps_rollup. Without that file, only the RSS is known.
 *
 * Returns: %TRUE when /proc could be read
 */
gboolean
lab_machine_process_memory (int               pid,
                            LabProcessMemory *memory)
{
  g_autofree char *dir = pid > 0 ? g_strdup_printf ("/proc/%d", pid) : g_strdup ("/proc/self");
  g_autofree char *rollup = g_build_filename (dir, "smaps_rollup", NULL);
  g_autofree char *status = g_build_filename (dir, "status", NULL);
  g_autofree char *contents = NULL;
  guint64 clean = 0, dirty = 0;

  g_return_val_if_fail (memory != NULL, FALSE);

  *memory = (LabProcessMemory) { 0 };
  if (g_file_get_contents (rollup, &contents, NULL, NULL) &&
      field_kib (contents, "Rss:", &memory->rss_kib) &&
      field_kib (contents, "Pss:", &memory->pss_kib) &&
      field_kib (contents, "Private_Clean:", &clean) &&
      field_kib (contents, "Private_Dirty:", &dirty))
    {
      memory->uss_kib = clean + dirty;
      memory->detailed = TRUE;
      return TRUE;
    }

  g_clear_pointer (&contents, g_free);
  return g_file_get_contents (status, &contents, NULL, NULL) &&
         field_kib (contents, "VmRSS:", &memory->rss_kib);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
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
      guint64 v[10] = { 0 };
      guint64 all = 0, idle;
      int n;

      if (!g_str_has_prefix (lines[i], "cpu") || !g_ascii_isdigit (lines[i][3]))
        continue;
      n = sscanf (lines[i], "%*s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
      if (n < 4)
        continue;
      /* user nice system idle iowait irq softirq steal */
      for (int k = 0; k < n; k++)
        all += v[k];
      idle = v[3] + v[4];
      {
        guint64 b = all - idle;

        g_array_append_val (busy, b);
        g_array_append_val (total, all);
      }
    }
  return busy->len > 0;
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

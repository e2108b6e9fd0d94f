/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 user_us;
  guint64 sys_us;
  guint64 maxrss_kib;
} LabUsage;

guint     lab_machine_n_cpus        (void);
char     *lab_machine_cpu_model     (void);
char     *lab_machine_kernel        (void);
/* Usage of this process (all threads). */
void      lab_usage_self            (LabUsage *usage);
/* Current peak resident set of this process (VmHWM), in KiB. */
guint64   lab_machine_peak_rss_kib  (void);
/* Resets the peak resident set to the current one where the kernel allows. */
void      lab_machine_reset_peak_rss (void);
/* Per-CPU jiffies from /proc/stat: @busy and @total get one entry per CPU. */
gboolean  lab_machine_cpu_times     (GArray  *busy,
                                     GArray  *total);
/* Marks every file descriptor above stderr close-on-exec, so that a child
 * spawned with G_SUBPROCESS_FLAGS_INHERIT_FDS gets its pipes and nothing
 * else (descriptors this process inherited included). */
void      lab_machine_cloexec_fds   (void);

G_END_DECLS

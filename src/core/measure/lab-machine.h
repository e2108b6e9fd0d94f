/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 user_us;
  guint64 sys_us;
  guint64 maxrss_kib;
  guint64 voluntary_switches;    /* ru_nvcsw: the process waited */
  guint64 involuntary_switches;  /* ru_nivcsw: the scheduler preempted it */
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
/* The clock tick /proc counts CPU time in, in seconds. */
double    lab_machine_tick_s        (void);
/* Machine-wide CPU seconds since boot, summed over CPUs, from the aggregate
 * line of /proc/stat: busy (not idle, not I/O wait) and, if @total_s is
 * not NULL, all. FALSE when /proc/stat cannot be read. */
gboolean  lab_machine_busy_s        (double  *busy_s,
                                     double  *total_s);
/* CPU seconds (user + system) of this process's threads other than the
 * engine's ("lab-…") and GLib's thread pools' ("pool…"): the user
 * interface's own cost. NAN when /proc is not available. */
double    lab_machine_ui_cpu_s      (void);
/* Marks every file descriptor above stderr close-on-exec, so that a child
 * spawned with G_SUBPROCESS_FLAGS_INHERIT_FDS gets its pipes and nothing
 * else (descriptors this process inherited included). */
void      lab_machine_cloexec_fds   (void);

/* The resident memory of one process, in KiB. */
typedef struct
{
  guint64  rss_kib;
  guint64  pss_kib;      /* its share of pages it shares with others */
  guint64  uss_kib;      /* its own pages: Private_Clean + Private_Dirty */
  gboolean detailed;     /* PSS and USS known (/proc/PID/smaps_rollup) */
} LabProcessMemory;

/* The resident memory of process @pid (0: this one) from
 * /proc/PID/smaps_rollup, or its RSS alone from /proc/PID/status where
 * that file does not exist (Linux < 4.14). FALSE when neither can be read. */
gboolean  lab_machine_process_memory (int               pid,
                                      LabProcessMemory *memory);

G_END_DECLS

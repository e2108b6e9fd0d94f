/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>

#include "lab-limits.h"

static guint64
limit_value (rlim_t value)
{
  return value == RLIM_INFINITY ? LAB_FD_UNLIMITED : (guint64) value;
}

/**
 * lab_fd_limit_get:
 *
 * Returns: how many descriptors this process may have open (the soft
 *   limit), or %LAB_FD_UNLIMITED
 */
guint64
lab_fd_limit_get (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return LAB_FD_UNLIMITED;
  return limit_value (limit.rlim_cur);
}

/**
 * lab_fd_limit_raise:
 *
 * Raises the soft limit of open files to the hard limit. Children inherit
 * it. Call it once at start-up, before any thread is started.
 *
 * Returns: the soft limit now in force
 */
guint64
lab_fd_limit_raise (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return LAB_FD_UNLIMITED;
  if (limit.rlim_cur != limit.rlim_max)
    {
      rlim_t before = limit.rlim_cur;

      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        limit.rlim_cur = before;
    }
  return limit_value (limit.rlim_cur);
}

/**
 * lab_fd_limit_ensure:
 * @needed: how many descriptors the caller is about to need in all
 *
 * Raises the soft limit of open files to @needed if it is lower, within
 * the hard limit.
 *
 * Returns: %FALSE when @needed cannot be had
 */
gboolean
lab_fd_limit_ensure (guint64 needed)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return FALSE;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed)
    {
      limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : MIN ((rlim_t) needed, limit.rlim_max);
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        return FALSE;
    }
  return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed;
}

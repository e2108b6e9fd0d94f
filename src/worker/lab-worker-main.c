/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-limits.h"
#include "lab-worker.h"

/* The installed worker: no hooks. It misbehaves only when its command
 * line asks it to (--crash-on-task, for the crash isolation experiment). */
int
main (int    argc,
      char **argv)
{
  /* Its downloads and files count against its own limit of open files. */
  lab_fd_limit_raise ();
  return lab_worker_run (argc, argv, NULL);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lab-worker.h"

/* The installed worker: no hooks, so nothing in it misbehaves on request. */
int
main (int    argc,
      char **argv)
{
  return lab_worker_run (argc, argv, NULL);
}

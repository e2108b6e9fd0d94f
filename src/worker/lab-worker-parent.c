/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lab-parse.h"
#include "lab-worker.h"

/*
 * A worker ends with its parent, whatever it is doing: a task of an hour
 * (io:sleep, a large kernel) must not outlive a parent that was killed.
 * Two ways, as each misses something the other sees:
 *
 * - The kernel's parent-death signal. It comes when the *thread* that
 *   started the worker ends, which the engine's run and pool threads do
 *   while their process lives on; and again each time the worker is handed
 *   to another parent. So the signal only makes the worker look: it goes
 *   when its parent is no longer the process that started it.
 * - The pipes. A parent that dies closes both ends it held; a parent that
 *   lives may close the worker's stdin to say "no more requests" and still
 *   read the answers to those it sent. So: no reader of stdout, nobody
 *   hears the worker and it goes at once; stdin closed, it goes at once if
 *   its parent is gone, else it answers what it was sent and ends at the
 *   end of its input as always.
 */

/* What the worker exits with when its parent is gone (no one reads it). */
#define EXIT_PARENT_GONE 3
/* "Hang-up": nothing else sends it to a worker, whose stdin is a pipe. */
#define PARENT_DEATH_SIGNAL SIGHUP

static pid_t parent_pid;

static gboolean
parent_gone (void)
{
  return getppid () != parent_pid;
}

/* Async-signal-safe: getppid() and _exit() only. */
static void
on_parent_death_signal (int sig)
{
  int saved = errno;

  if (parent_gone ())
    _exit (EXIT_PARENT_GONE);
  errno = saved;
}

/* The parent the engine says it is (LAB_WORKER_PARENT_ENV), or the one the
 * worker has now when started by someone else. */
static pid_t
expected_parent (void)
{
  const char *text = g_getenv (LAB_WORKER_PARENT_ENV);
  guint64 pid;

  if (text != NULL && lab_parse_uint64 (LAB_WORKER_PARENT_ENV, text, 1, G_MAXINT32, &pid, NULL))
    return (pid_t) pid;
  return getppid ();
}

/* Set once the watcher runs: see lab_worker_watch_parent(). */
static GMutex watcher_lock;
static GCond watcher_started;
static gboolean watcher_running;

/* Waits on the pipes' ends only, never on their data, which is the main
 * thread's to read: a hang-up on stdin, an error (no reader) on stdout. */
static gpointer
watch_pipes (gpointer data)
{
  struct pollfd fds[2] = {
    { .fd = STDIN_FILENO, .events = 0 },
    { .fd = STDOUT_FILENO, .events = 0 },
  };

  g_mutex_lock (&watcher_lock);
  watcher_running = TRUE;
  g_cond_signal (&watcher_started);
  g_mutex_unlock (&watcher_lock);

  while (fds[0].fd >= 0 || fds[1].fd >= 0)
    {
      if (poll (fds, G_N_ELEMENTS (fds), -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[1].revents & (POLLERR | POLLHUP))
        _exit (EXIT_PARENT_GONE);
      if (fds[0].revents != 0 && (fds[0].revents & POLLNVAL) == 0 && parent_gone ())
        _exit (EXIT_PARENT_GONE);
      /* A live parent closed stdin: its answers are still due. Closed or
       * invalid descriptors (run by hand) are no longer watched. */
      for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
        if (fds[i].revents != 0)
          fds[i].fd = -1;
    }
  return NULL;
}

/**
 * lab_worker_watch_parent:
 *
 * Makes the worker end as soon as its parent process is gone, even in the
 * middle of a task; exits at once if it is gone already.
 */
void
lab_worker_watch_parent (void)
{
  struct sigaction action = { .sa_handler = on_parent_death_signal, .sa_flags = SA_RESTART };

  parent_pid = expected_parent ();
  sigemptyset (&action.sa_mask);
  sigaction (PARENT_DEATH_SIGNAL, &action, NULL);
  prctl (PR_SET_PDEATHSIG, PARENT_DEATH_SIGNAL, 0, 0, 0);
  /* A parent that died before the signal was asked for sent none. */
  if (parent_gone ())
    _exit (EXIT_PARENT_GONE);
  g_thread_unref (g_thread_new ("lab-parent-watch", watch_pipes, NULL));
  /* Returns once the thread runs: a worker that exits at once (a bad
   * request, a refused workload) never ends while its thread is still
   * being set up, which LeakSanitizer would take for a leak of the
   * thread's attributes. */
  g_mutex_lock (&watcher_lock);
  while (!watcher_running)
    g_cond_wait (&watcher_started, &watcher_lock);
  g_mutex_unlock (&watcher_lock);
}

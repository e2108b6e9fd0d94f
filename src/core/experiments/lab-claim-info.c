/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-claim.h"

/*
 * The claims of CLAIMS.md: what each article says, how it is checked
 * here and the rule that gives its verdict. The thresholds written in a
 * rule are the ones lab-claim-rules.c applies.
 */

/* TRANSLATORS: short names of the three seed articles */
#define ENTERPRISE N_("Modern Enterprises article")
#define NIMBLE     N_("Nimble AppGenie article")
#define POWER      N_("Power of Concurrency article")

typedef struct
{
  const char *id;
  const char *sources[3];
  const char *wording;
  const char *method;
  const char *rule;
} ClaimText;

static const ClaimText claims[] = {
  { "C01", { ENTERPRISE, NIMBLE, POWER },
    N_("Threads give no speed-up on CPU-bound Python code because of the GIL: the gain is negligible or even negative."),
    N_("Counts primes in as many threads as cores and one after another, in CPython (or, without python3, behind the emulated GIL) and in native threads."),
    N_("Holds when the GIL-bound threads reach at most 1.2× at W = cores while native threads reach at least 0.8 × cores ×; does not hold when the GIL-bound threads exceed 1.2× while native threads scale; inconclusive when native threads do not scale either, a task failed or the repeats are more than 30 % apart; cannot be checked on one core.") },
  { "C02", { ENTERPRISE, POWER },
    N_("Threads overlap waiting: downloads finish much faster than one after another."),
    N_("Downloads M answers that each take the same latency from the embedded server, one after another and with W threads, and compares with the ideal ceil(M/W) × latency."),
    N_("Holds when the threads are at least 2× faster than sequential and within 1.25× of the ideal time; does not hold under 1.5×; depends in between; inconclusive when a download failed or the repeats are more than 30 % apart.") },
  { "C03", { ENTERPRISE },
    N_("Threaded scraping is up to 5× faster: 10,000 URLs in under 3 minutes instead of over 15 minutes."),
    N_("Downloads a smaller number of URLs with a realistic latency (150 ms) one after another and with several worker counts, then extrapolates to 10,000 URLs from the measured cost per request."),
    N_("Holds when some measured W reaches 5× and, extrapolated to 10,000 URLs, the smallest such W takes under 3 minutes while sequential takes over 15; does not hold when no measured W reaches 5×; depends when 5× is reached but the extrapolated times miss the article's figures; inconclusive when a download failed or the repeats are more than 30 % apart.") },
  { "C04", { ENTERPRISE },
    N_("Reading and writing files in parallel cuts ingestion time by 30–45 %, depending on the storage."),
    N_("Writes F files in a temporary folder and reads them back, one after another and with 4 threads: from a warm page cache, with fsync after each write, and from a cold cache (dropped before reading); notes where the reads came from."),
    N_("Holds when threads save at least 30 % of the sequential time in every variant; does not hold when they save less than 10 % in every variant; depends otherwise (the saving depends on cache and fsync); inconclusive when a task failed or the repeats are more than 30 % apart.") },
  { "C05", { ENTERPRISE },
    N_("A process pool squaring 10 million numbers is up to 3.5× faster on 4 cores."),
    N_("Runs the literal pattern Pool.map(square, numbers) with one number per task, and the same numbers in large chunks, in worker processes (W = cores) and one after another."),
    N_("Holds when one number per task in processes reaches 0.875 × cores × (3.5× on 4 cores); does not hold when it is slower than sequential; depends otherwise (only chunked tasks may reach the claimed speed-up); cannot be checked on one core.") },
  { "C06", { ENTERPRISE, POWER },
    N_("A process pool scales nearly linearly for independent simulations (Monte Carlo)."),
    N_("Estimates π by Monte Carlo in worker processes for W = 1 to 2 × cores, and fits Amdahl's law to the speed-ups."),
    N_("Holds when the efficiency (speed-up ÷ W) is at least 0.8 for every W up to the number of cores; does not hold when it is under 0.6 at W = cores; depends in between; inconclusive when a task failed, the repeats are more than 30 % apart or other programs used more than 10 % of the CPU; cannot be checked on one core.") },
  { "C07", { ENTERPRISE },
    N_("Processes are not suited to I/O-bound work because of their overhead."),
    N_("Downloads from the embedded server in W worker processes and in W threads; compares the time (start-up included) and the peak memory."),
    N_("Holds when the processes take at least 1.25× the threads' time; does not hold when they take at most 1.1× the time and at most 1.5× the memory; depends otherwise (as fast, but at a memory cost); inconclusive when a download failed or the repeats are more than 30 % apart.") },
  { "C08", { ENTERPRISE },
    N_("Starting a thread is fast; starting a process is slower."),
    N_("The start-up experiment: the cost of one start when 10 threads or 10 worker processes are started at once."),
    N_("Holds when a process start costs at least 5× a thread start; does not hold when it costs less than 2×; depends in between; inconclusive when the repeats are more than 30 % apart (and the ratio is under 10×).") },
  { "C09", { ENTERPRISE, NIMBLE },
    N_("Processes cost more memory than threads."),
    N_("The memory experiment: the memory a worker process uses on its own (USS) against what a parked thread adds to this process (RSS), for 10 of each."),
    N_("Holds when a worker process uses at least 2× the memory a thread adds; does not hold when it uses no more; depends in between.") },
  { "C10", { NIMBLE, ENTERPRISE },
    N_("Communicating between processes is slower than sharing memory between threads."),
    N_("The communication experiment: round trips of 64 bytes (latency) and of the largest message (throughput) between two threads and through a worker's pipe."),
    N_("Holds when the pipe is at least 1.5× worse than the threads in both latency and throughput; does not hold when it is worse in neither; depends when it is worse in one only; inconclusive when the repeats are more than 30 % apart.") },
  { "C11", { ENTERPRISE, NIMBLE },
    N_("A crash in a thread can take down all threads; a crashed process takes down only itself."),
    N_("The crash experiment: 20 tasks, one of which dies of a real SIGSEGV, in a pool of worker processes and in threads inside one helper process."),
    N_("Holds when the pool loses only the crashing task and the threads lose every task; does not hold when the pool loses more than that task or the threads lose at most that task; depends otherwise.") },
  { "C12", { ENTERPRISE, NIMBLE, POWER },
    N_("Without locks, threads that share data lose updates (race conditions)."),
    N_("The race experiment: as many threads as cores increment one shared counter without a lock, with a mutex and with an atomic add."),
    N_("Holds when updates are lost without a lock and none with the mutex or the atomic add; does not hold when none is lost without a lock; inconclusive when the mutex or the atomic add lose updates (the measurement is broken) or on one core with nothing lost.") },
  { "C13", { ENTERPRISE },
    N_("Creating hundreds of processes drastically increases memory use."),
    N_("The memory experiment: the total memory (PSS) of 10, 100 and 300 ready worker processes against 10, 100 and 300 parked threads."),
    N_("Holds when the largest count of processes takes at least 10× the memory of as many threads and at least 100 MiB; does not hold under 3×; depends otherwise (many times more, but little in absolute terms).") },
  { "C14", { ENTERPRISE },
    N_("For small inputs, sequential code can be as fast as concurrent code."),
    N_("The granularity experiment: the same sum of squares in tasks of 1 to 100,000 numbers, sequential, in threads and in processes; the break-even task size of each mode."),
    N_("Holds when, at the smallest task size, sequential is at least as fast as threads or processes (a break-even task size exists); does not hold when both are faster than sequential even there.") },
  { "C15", { ENTERPRISE },
    N_("Hybrid (threads download, processes analyse, threads store) gives the best performance."),
    N_("The pipeline workload: D documents downloaded, analysed and stored, sequentially, in threads behind the emulated GIL (Python's threads), in processes and hybrid; native threads, which no GIL holds back, beside them."),
    N_("Holds when the hybrid shape is the fastest of the shapes a Python program has (sequential, threads behind the GIL, processes) or within 5 % of the fastest; does not hold when one of them is more than 10 % faster; depends in between; inconclusive when a task failed or the repeats are more than 30 % apart.") },
  { "C16", { NIMBLE, ENTERPRISE },
    N_("A single-threaded event loop (asyncio) handles I/O concurrency like threads, with less overhead."),
    N_("Downloads from the embedded server with an event loop and with threads at the same concurrency, in CPython when python3 is found (asyncio against threading), else natively; compares time, CPU time and peak memory."),
    N_("Holds when the event loop takes at most 1.1× the threads' time and uses less CPU time or memory (at most 0.9×); does not hold when it takes more than 1.25× the time or uses more of both; depends otherwise; inconclusive when a download failed or the repeats are more than 30 % apart.") },
  { "C17", { NIMBLE, ENTERPRISE },
    N_("Threads keep a GUI responsive while background work runs."),
    N_("Measures how late this program's main loop answers a 5 ms heartbeat while threads keep every core busy, and while the same work runs on the main loop's own thread."),
    N_("Holds when the main loop's longest stall stays under 50 ms with the work in threads while running it on the main loop's thread stalls it by at least 200 ms; does not hold when the stall with threads reaches 50 ms; inconclusive when the blocking variant did not stall it (nothing to compare), or when the stall reached 50 ms while other programs used more than 10 % of the CPU.") },
  { "C18", { NIMBLE },
    N_("CPU affinity can reduce cache thrashing and context switches."),
    N_("The affinity experiment: a matrix product in as many worker processes as cores, each pinned to a core of its own or not; time and context switches."),
    N_("Holds when pinned workers are faster (at most 0.95× the time) and switch context less (at most 0.8×); does not hold when they are neither; depends when only one improves; inconclusive when the repeats are more than 30 % apart; cannot be checked on one core.") },
};

static LabClaimInfo infos[G_N_ELEMENTS (claims)];

/* Translated once: the strings live as long as the program. */
static void
infos_init (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    {
      g_autoptr(GStrvBuilder) sources = g_strv_builder_new ();
      g_auto(GStrv) names = NULL;
      g_autofree char *joined = NULL;

      for (guint s = 0; s < G_N_ELEMENTS (claims[i].sources) && claims[i].sources[s] != NULL; s++)
        g_strv_builder_add (sources, _(claims[i].sources[s]));
      names = g_strv_builder_end (sources);
      joined = g_strjoinv (", ", names);
      infos[i].id = claims[i].id;
      infos[i].sources = g_intern_string (joined);
      infos[i].wording = _(claims[i].wording);
      infos[i].method = _(claims[i].method);
      infos[i].rule = _(claims[i].rule);
    }
  g_once_init_leave (&done, 1);
}

guint
lab_claim_info_count (void)
{
  return G_N_ELEMENTS (claims);
}

const LabClaimInfo *
lab_claim_info_nth (guint i)
{
  g_return_val_if_fail (i < G_N_ELEMENTS (claims), NULL);
  infos_init ();
  return &infos[i];
}

const LabClaimInfo *
lab_claim_info_lookup (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    if (g_ascii_strcasecmp (id, claims[i].id) == 0)
      return lab_claim_info_nth (i);
  return NULL;
}

/* Verdicts */

static const struct
{
  const char *name;
  const char *title;
} verdicts[] = {
  [LAB_VERDICT_NOT_RUN] = { "not-run", N_("Not run") },
  [LAB_VERDICT_HOLDS] = { "holds", N_("Holds") },
  [LAB_VERDICT_DOES_NOT_HOLD] = { "does-not-hold", N_("Does not hold") },
  [LAB_VERDICT_DEPENDS] = { "depends", N_("Depends") },
  [LAB_VERDICT_INCONCLUSIVE] = { "inconclusive", N_("Inconclusive") },
  [LAB_VERDICT_CANNOT_CHECK] = { "cannot-check", N_("Cannot be checked here") },
  [LAB_VERDICT_FAILED] = { "failed", N_("Failed") },
};

const char *
lab_verdict_to_string (LabVerdict verdict)
{
  g_return_val_if_fail (verdict < G_N_ELEMENTS (verdicts), NULL);
  return verdicts[verdict].name;
}

gboolean
lab_verdict_from_string (const char *name,
                         LabVerdict *verdict)
{
  for (guint i = 0; i < G_N_ELEMENTS (verdicts); i++)
    if (g_strcmp0 (name, verdicts[i].name) == 0)
      {
        *verdict = i;
        return TRUE;
      }
  return FALSE;
}

const char *
lab_verdict_title (LabVerdict verdict)
{
  g_return_val_if_fail (verdict < G_N_ELEMENTS (verdicts), NULL);
  return _(verdicts[verdict].title);
}

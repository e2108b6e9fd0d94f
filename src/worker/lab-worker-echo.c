/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab-worker.h"

/*
 * --echo: the worker's end of the communication experiment. Each frame
 * that arrives is read whole into the worker's own memory and answered
 * with a frame of the same bytes, so that a round trip costs the same
 * work as between two threads: the message copied in, read by the other
 * side, an answer of the same size copied back and read.
 */

typedef struct
{
  guint8 *buffer;     /* what was read from stdin, header first */
  gsize   have;
  gsize   capacity;
  guint8 *shm;        /* --shm-fd: requests in the first half, replies in the second */
  gsize   shm_size;
  gsize   shm_half;
  guint8 *copy;       /* --shm-fd: the worker's own copy of a request */
  gsize   copy_size;
} Echo;

#define INITIAL_CAPACITY  (64 * 1024)

/* Reads until the buffer holds @want bytes; FALSE when stdin closes. */
static gboolean
fill (Echo  *self,
      gsize  want)
{
  if (want > self->capacity)
    {
      self->buffer = g_realloc (self->buffer, want);
      self->capacity = want;
    }
  while (self->have < want)
    {
      ssize_t n = read (STDIN_FILENO, self->buffer + self->have, self->capacity - self->have);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      self->have += n;
    }
  return TRUE;
}

/* Forgets the first @used bytes of the buffer (one frame). */
static void
consume (Echo  *self,
         gsize  used)
{
  memmove (self->buffer, self->buffer + used, self->have - used);
  self->have -= used;
}

static gboolean
map_segment (Echo *self,
             int   fd)
{
  struct stat st;
  void *shm;

  if (fstat (fd, &st) != 0 || st.st_size < 2)
    return FALSE;
  shm = mmap (NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (shm == MAP_FAILED)
    return FALSE;
  self->shm = shm;
  self->shm_size = st.st_size;
  self->shm_half = st.st_size / 2;
  return TRUE;
}

/* The payload of a frame through the segment: copied out of the request
 * half into the worker's memory, and from there into the reply half. */
static void
echo_in_segment (Echo  *self,
                 gsize  len)
{
  /* An empty message: nothing to copy, and no copy buffer yet to pass
   * memcpy(), which takes no NULL even for no bytes. */
  if (len == 0)
    return;
  if (len > self->copy_size)
    {
      g_free (self->copy);
      self->copy = g_malloc (len);
      self->copy_size = len;
    }
  memcpy (self->copy, self->shm, len);
  memcpy (self->shm + self->shm_half, self->copy, len);
}

int
lab_worker_echo (int shm_fd)
{
  Echo self = { .capacity = INITIAL_CAPACITY };
  int status = 0;

  self.buffer = g_malloc (self.capacity);
  if (shm_fd >= 0 && !map_segment (&self, shm_fd))
    {
      g_printerr ("concurrency-lab-worker: cannot map the shared memory segment %d: %s\n",
                  shm_fd, g_strerror (errno));
      status = 2;
    }

  while (status == 0 && fill (&self, LAB_ECHO_HEADER))
    {
      guint64 len;
      gsize frame;

      memcpy (&len, self.buffer, sizeof len);
      len = GUINT64_FROM_LE (len);
      if (len > LAB_ECHO_MAX_BYTES || (self.shm != NULL && len > self.shm_half))
        {
          g_printerr ("concurrency-lab-worker: frame of %" G_GUINT64_FORMAT " bytes is too large\n", len);
          status = 2;
          break;
        }

      if (self.shm != NULL)
        {
          echo_in_segment (&self, len);
          frame = LAB_ECHO_HEADER;
        }
      else
        {
          frame = LAB_ECHO_HEADER + len;
          if (!fill (&self, frame))
            break;
        }
      /* The same header (the same length) and, on the pipe, the same bytes. */
      lab_worker_write_all ((const char *) self.buffer, frame);
      consume (&self, frame);
    }

  if (self.shm != NULL)
    munmap (self.shm, self.shm_size);
  g_free (self.copy);
  g_free (self.buffer);
  return status;
}

/*
 * mtwork: a small multi-threaded workload for recording mmreplay test traces.
 *
 * Four worker threads each map an anonymous region and a shared file mapping, touch pages for
 * read and write, mprotect part of the region read-only and back, drop pages with
 * MADV_DONTNEED, ask for reclaim with MADV_PAGEOUT, and unmap. The main thread asks
 * move_pages() to move two of its pages to node 0 (a no-op on a one-node machine, but the
 * syscall is recorded), then forks one child that reads and writes a copy-on-write region. Every step is a plain syscall or a
 * plain load/store, so the trace shows exactly these faults and syscalls.
 *
 * Build: gcc -O1 -g -pthread -o mtwork traces/src/mtwork.c
 * Run:   ./mtwork [FILE]   (FILE defaults to /tmp/mtwork.dat; it is created and removed)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

enum { THREADS = 4, ANON_PAGES = 32, FILE_PAGES = 8, PAGE = 4096 };

static int file_fd;
static volatile unsigned long sink;

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* Read one byte from each page of [p, p + pages * PAGE). */
static void touch_read(volatile char *p, int pages) {
  for (int i = 0; i < pages; i++) sink += p[(long)i * PAGE];
}

/* Write one byte to each page of [p, p + pages * PAGE). */
static void touch_write(volatile char *p, int pages, char v) {
  for (int i = 0; i < pages; i++) p[(long)i * PAGE] = v;
}

static void *worker(void *argp) {
  long id = (long)argp;
  size_t len = (size_t)ANON_PAGES * PAGE;
  char *anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (anon == MAP_FAILED) die("mmap anon");
  touch_read(anon, ANON_PAGES / 2);             /* zero-page read faults */
  touch_write(anon, ANON_PAGES, (char)id);      /* write faults (anonymous and COW of zero page) */
  if (mprotect(anon, len / 2, PROT_READ)) die("mprotect ro");
  touch_read(anon, ANON_PAGES / 2);             /* no faults: pages present */
  if (mprotect(anon, len / 2, PROT_READ | PROT_WRITE)) die("mprotect rw");
  if (madvise(anon, len / 4, MADV_DONTNEED)) die("madvise dontneed");
  touch_write(anon, ANON_PAGES / 4, 1);         /* fresh anonymous faults after the discard */
  if (madvise(anon + len / 2, len / 4, MADV_PAGEOUT)) die("madvise pageout");
  touch_read(anon + len / 2, ANON_PAGES / 4);

  /* A shared file mapping: read faults through the page cache, then write faults. */
  size_t flen = (size_t)FILE_PAGES * PAGE;
  char *file = mmap(NULL, flen, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
  if (file == MAP_FAILED) die("mmap file");
  touch_read(file, FILE_PAGES);
  touch_write(file + id * PAGE, 1, (char)('a' + id));
  if (munmap(file, flen)) die("munmap file");
  if (munmap(anon, len)) die("munmap anon");
  return NULL;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/tmp/mtwork.dat";
  file_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (file_fd < 0) die("open");
  if (ftruncate(file_fd, (off_t)FILE_PAGES * PAGE)) die("ftruncate");

  /* A region the forked child shares copy-on-write. */
  size_t clen = 8 * PAGE;
  char *cow = mmap(NULL, clen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (cow == MAP_FAILED) die("mmap cow");
  touch_write(cow, 8, 7);

  pthread_t t[THREADS];
  for (long i = 0; i < THREADS; i++)
    if (pthread_create(&t[i], NULL, worker, (void *)i)) die("pthread_create");

  /* move_pages(2) through syscall(2), so no libnuma is needed: two pages to node 0. */
  void *pages[2] = {cow, cow + PAGE};
  int nodes[2] = {0, 0}, page_status[2];
  if (syscall(SYS_move_pages, 0, 2L, pages, nodes, page_status, 2 /* MPOL_MF_MOVE */) < 0) perror("move_pages");

  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    touch_read(cow, 8);      /* shared pages: no copy */
    touch_write(cow, 4, 9);  /* copy-on-write faults in the child */
    _exit(0);
  }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  int status;
  if (waitpid(child, &status, 0) < 0) die("waitpid");
  munmap(cow, clen);
  close(file_fd);
  unlink(path);
  printf("mtwork: %d threads, child exit %d\n", THREADS, WEXITSTATUS(status));
  return 0;
}

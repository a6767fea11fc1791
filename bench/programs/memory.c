/* Virtual memory (lmbench lat_pagefault, lat_mmap): anonymous page faults, timed per page over
 * 4 MiB regions (mmap, write one byte to each page, munmap: zero-fill, page-table update and
 * freeing are all counted; MADV_NOHUGEPAGE keeps Linux's transparent huge pages out, so both
 * kernels take one fault per 4 KiB page), and mmap+munmap of an untouched 1 MiB anonymous
 * region (the cost of creating and destroying the region objects alone). */
#include "bench.h"
#include <sys/mman.h>

#define PAGE 4096L
#define REGION_PAGES 1024L

static int loop_fault(long count, void *context) {
  (void)context;
  while (count > 0) {
    long pages = count < REGION_PAGES ? count : REGION_PAGES;
    volatile char *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return -1;
    madvise((void *)region, pages * PAGE, MADV_NOHUGEPAGE);   /* 4 KiB faults on both kernels */
    for (long page = 0; page < pages; page++) region[page * PAGE] = 1;
    if (munmap((void *)region, pages * PAGE) < 0) return -1;
    count -= pages;
  }
  return 0;
}

static int loop_mmap(long count, void *context) {
  (void)context;
  for (long i = 0; i < count; i++) {
    void *region = mmap(NULL, 1L << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return -1;
    if (munmap(region, 1L << 20) < 0) return -1;
  }
  return 0;
}

int main(void) {
  bench_run_ns("page_fault", loop_fault, NULL);
  bench_run_ns("mmap_munmap_1m", loop_mmap, NULL);
  return 0;
}

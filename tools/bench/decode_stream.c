// How close the decode kernels come to the read bandwidth, without the rest of a decoding step: N threads run
// gk_matvec_rows_multi over a region of Q4_0, Q8_0, Q4_0_X8 or Q8_0_X8 rows (4096 columns, GPT-J-6B's width), claiming 256-row
// chunks from a shared counter, alternately with the XOR read that `glimpse bench` uses as its bandwidth probe
// over the same region. A region that fits in L3 (e.g. 16 MB) gives the kernel's arithmetic rate instead.
//
//   K=Sources/CKernels
//   clang -O3 -I$K/include -I$K tools/bench/decode_stream.c $K/dot.c $K/interleaved.c $K/convert.c $K/ops.c -lm -lpthread -o /tmp/ds
//   /tmp/ds q4_0 2          # 2 GiB, 2 threads: streaming
//   /tmp/ds q4_0x8 1 16     # 16 MB, 1 thread: in cache
//
// Build it with the toolchain's clang (SwiftPM's compiler), not gcc: gcc's code for the same kernels streamed
// 20-40% slower here. Results on this VM: BENCHMARKS.md.
#define _GNU_SOURCE
#include "ckernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { COLS = 4096, CHUNK = 256, MAX_THREADS = 64 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int type, probing, stop;
static char *base;
static int64_t rows, row_bytes;
static _Atomic int64_t next_row;
static _Atomic uint64_t sink;
static void *xq8;
static float *xinfo, *y, x[COLS];
static pthread_barrier_t start_line, finish_line;

static void run_share(void) {
    uint64_t fold = 0;
    int64_t r;
    while ((r = atomic_fetch_add(&next_row, CHUNK)) < rows) {
        const int64_t end = r + CHUNK < rows ? r + CHUNK : rows;
        if (probing) fold ^= gk_touch_bytes(base + r * row_bytes, (end - r) * row_bytes);
        else gk_matvec_rows_multi(type, base, COLS, x, xq8, 0, 1, xinfo, y, 0, r, end);
    }
    atomic_fetch_xor(&sink, fold);
}

static void *worker(void *arg) {
    (void)arg;
    for (;;) {
        pthread_barrier_wait(&start_line);
        if (stop) return NULL;
        run_share();
        pthread_barrier_wait(&finish_line);
    }
}

int main(int argc, char **argv) {
    const char *names[] = {"q4_0", "q8_0", "q4_0x8", "q8_0x8"};
    const int ids[] = {GK_TYPE_Q4_0, GK_TYPE_Q8_0, GK_TYPE_Q4_0_X8, GK_TYPE_Q8_0_X8};
    type = -1;
    for (int i = 0; i < 4; i++)
        if (argc > 1 && strcmp(argv[1], names[i]) == 0) type = ids[i];
    if (type < 0) {
        fprintf(stderr, "usage: %s q4_0|q8_0|q4_0x8|q8_0x8 [threads] [region MB]\n", argv[0]);
        return 2;
    }
    const int interleaved = type == GK_TYPE_Q4_0_X8 || type == GK_TYPE_Q8_0_X8;
    const int threads = argc > 2 ? atoi(argv[2]) : 2;
    const size_t bytes = (argc > 3 ? (size_t)atoi(argv[3]) : 2048) << 20;
    if (threads < 1 || threads > MAX_THREADS || bytes == 0) {
        fprintf(stderr, "threads must be 1-%d and the region at least 1 MB\n", MAX_THREADS);
        return 2;
    }
    const int64_t block_bytes = type == GK_TYPE_Q8_0 || type == GK_TYPE_Q8_0_X8 ? 34 : 18;
    row_bytes = COLS / 32 * block_bytes;
    rows = (int64_t)(bytes / (size_t)row_bytes) & ~(int64_t)7;
    base = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    y = malloc(sizeof(float) * (size_t)rows);
    xq8 = malloc(COLS / 32 * 34);
    xinfo = malloc(sizeof(float) * 2 * COLS / 32);
    if (base == MAP_FAILED || !y || !xq8 || !xinfo) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    madvise(base, bytes, MADV_HUGEPAGE);  // as a model file read fresh into the page cache is mapped
    uint64_t s = 88172645463325252ull;    // xorshift fill, then valid fp16 scales in every block
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        memcpy(base + i, &s, 8);
    }
    for (int64_t r = 0; r < rows; r++)
        for (int b = 0; b < COLS / 32; b++) {
            const uint16_t d = (uint16_t)(0x2000 + (r + b) % 512);
            if (interleaved)  // group r / 8's block b, scale r % 8
                memcpy(base + ((r / 8) * (COLS / 32) + b) * 8 * block_bytes + 2 * (r % 8), &d, 2);
            else
                memcpy(base + r * row_bytes + b * block_bytes, &d, 2);
        }
    for (int i = 0; i < COLS; i++) x[i] = (float)((i * 37) % 101 - 50) * 0.01f;
    gk_quantize_q8_0(x, xq8, COLS);
    gk_act_info(type, xq8, 0, 1, COLS, xinfo);

    pthread_barrier_init(&start_line, NULL, (unsigned)threads);
    pthread_barrier_init(&finish_line, NULL, (unsigned)threads);
    pthread_t th[MAX_THREADS];
    for (int t = 1; t < threads; t++) pthread_create(&th[t], NULL, worker, NULL);
    const int reps = bytes < (64u << 20) ? 200 : 6;  // small regions: many passes, so the times are not tiny
    double best[2] = {0, 0}, probe = 0;
    for (int rep = 0; rep < reps; rep++)
        for (probing = 1; probing >= 0; probing--) {
            next_row = 0;
            const double t0 = now();
            pthread_barrier_wait(&start_line);
            run_share();
            pthread_barrier_wait(&finish_line);
            const double gbs = (double)(rows * row_bytes) / (now() - t0) / 1e9;
            if (gbs > best[probing]) best[probing] = gbs;
            if (reps > 10) continue;
            if (probing) probe = gbs;
            else printf("probe %6.2f GB/s   kernel %6.2f GB/s (%.0f%%)\n", probe, gbs, 100 * gbs / probe);
        }
    stop = 1;
    pthread_barrier_wait(&start_line);
    for (int t = 1; t < threads; t++) pthread_join(th[t], NULL);
    printf("best: probe %.2f GB/s, kernel %.2f GB/s (%.0f%%)   [fold %llu, y[5] %g]\n", best[1], best[0],
           100 * best[0] / best[1], (unsigned long long)sink, y[5]);
    return 0;
}

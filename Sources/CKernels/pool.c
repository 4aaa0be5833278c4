// A persistent thread pool. Workers spin on a generation counter for a while after each job
// (decode issues hundreds of parallel sections per token and a sleeping thread takes 25-55 us
// to wake here), then fall back to a condition variable so an idle process burns no CPU.
#include "ckernels.h"
#include "dispatch.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#ifdef GK_X86
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

enum { SPIN_NS = 500000 };        // workers spin this long for the next job before sleeping
enum { YIELD_AFTER_NS = 50000 };  // then spinning threads yield between checks

struct gk_pool {
    int n_threads;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_mutex_t run_mu;  // one job at a time: callers on other threads wait their turn
    // (job generation << 32) | next task index. A worker claims a task with a compare-and-swap
    // that also checks the generation, so a late worker can never take a task of a job it has
    // not seen published. Publishing takes two generations: the first closes the word (index
    // CLOSED, which no task count reaches) before fn/ctx/n_tasks change, the second opens the new
    // job. Without the first, a worker still leaving the previous job could read the new, larger
    // n_tasks, then win its compare-and-swap on the old word and run a task of the new job with
    // an index the old job never had, before that job was published (and count it done twice).
    _Atomic uint64_t work;
    _Atomic int64_t done;
    _Atomic int64_t n_tasks;
    _Atomic(gk_task_fn) fn;
    _Atomic(void *) ctx;
    _Atomic int sleeping; // workers waiting on cv
    _Atomic int stop;
};

typedef struct { gk_pool *pool; int index; } worker_arg;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint32_t gen_of(uint64_t w) { return (uint32_t)(w >> 32); }
enum { CLOSED = 0xffffffffu };

static void run_tasks(gk_pool *p, uint32_t gen, int thread) {
    uint64_t w = atomic_load_explicit(&p->work, memory_order_acquire);
    for (;;) {
        if (gen_of(w) != gen) return;
        const int64_t i = (int64_t)(w & 0xffffffffu);
        // acquire: a new job's n_tasks seen here means the word's closing is seen by the CAS below
        if (i >= atomic_load_explicit(&p->n_tasks, memory_order_acquire)) return;
        if (!atomic_compare_exchange_weak_explicit(&p->work, &w, w + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        gk_task_fn fn = atomic_load_explicit(&p->fn, memory_order_relaxed);
        fn(atomic_load_explicit(&p->ctx, memory_order_relaxed), i, thread);
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
        w = atomic_load_explicit(&p->work, memory_order_acquire);
    }
}

static void *worker_main(void *arg) {
    worker_arg a = *(worker_arg *)arg;
    free(arg);
    gk_pool *p = a.pool;
    uint32_t seen = gen_of(atomic_load_explicit(&p->work, memory_order_acquire));
    for (;;) {
        uint64_t start = now_ns();
        uint32_t spins = 0;
        while (gen_of(atomic_load_explicit(&p->work, memory_order_acquire)) == seen &&
               !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
            CPU_RELAX();
            if ((++spins & 63) != 0) continue;
            const uint64_t waited = now_ns() - start;
            if (waited > YIELD_AFTER_NS && waited <= SPIN_NS) sched_yield();  // let a co-located caller run
            if (waited > SPIN_NS) {
                pthread_mutex_lock(&p->mu);
                atomic_fetch_add(&p->sleeping, 1);
                while (gen_of(atomic_load(&p->work)) == seen && !atomic_load(&p->stop))
                    pthread_cond_wait(&p->cv, &p->mu);
                atomic_fetch_sub(&p->sleeping, 1);
                pthread_mutex_unlock(&p->mu);
                start = now_ns();
            }
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = gen_of(atomic_load_explicit(&p->work, memory_order_acquire));
        run_tasks(p, seen, a.index);
    }
}

gk_pool *gk_pool_create(int n_threads) {
    if (n_threads < 1) n_threads = 1;
    gk_pool *p = calloc(1, sizeof(gk_pool));
    if (!p) return NULL;
    p->n_threads = n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->run_mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (n_threads > 1) {
        p->threads = calloc((size_t)n_threads - 1, sizeof(pthread_t));
        for (int t = 1; t < n_threads; t++) {
            worker_arg *a = malloc(sizeof(worker_arg));
            a->pool = p;
            a->index = t;
            if (pthread_create(&p->threads[t - 1], NULL, worker_main, a) != 0) {
                free(a);
                p->n_threads = t;  // run with the threads we got
                break;
            }
        }
    }
    return p;
}

void gk_pool_destroy(gk_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int t = 1; t < p->n_threads; t++) pthread_join(p->threads[t - 1], NULL);
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->run_mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int gk_pool_size(const gk_pool *p) { return p ? p->n_threads : 1; }

void gk_pool_run(gk_pool *p, gk_task_fn fn, void *ctx, int64_t n_tasks) {
    if (n_tasks <= 0) return;
    if (!p || p->n_threads == 1 || n_tasks == 1) {
        for (int64_t i = 0; i < n_tasks; i++) fn(ctx, i, 0);
        return;
    }
    pthread_mutex_lock(&p->run_mu);
    const uint32_t closed = gen_of(atomic_load_explicit(&p->work, memory_order_relaxed)) + 1, gen = closed + 1;
    atomic_store(&p->work, (uint64_t)closed << 32 | CLOSED);
    atomic_store_explicit(&p->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&p->n_tasks, n_tasks, memory_order_release);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    // seq_cst: publishes the fields above; pairs with the sleeper check below
    atomic_store(&p->work, (uint64_t)gen << 32);
    if (atomic_load(&p->sleeping) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    run_tasks(p, gen, 0);
    // Wait for the tasks other threads hold. Spin at first (they finish within microseconds when they are
    // running), then yield: if a worker holding a task shares this core with us, spinning for a whole
    // time slice would keep it from finishing (the collapse ggml's spinning threads show under load).
    const uint64_t wait_start = now_ns();
    uint32_t spins = 0;
    while (atomic_load_explicit(&p->done, memory_order_acquire) < n_tasks) {
        CPU_RELAX();
        if ((++spins & 63) == 0 && now_ns() - wait_start > YIELD_AFTER_NS) sched_yield();
    }
    pthread_mutex_unlock(&p->run_mu);
}

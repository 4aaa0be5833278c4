#define _GNU_SOURCE
#include "cmapguard.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define MG_SLOTS 64
#define MG_PATH 1024

typedef struct {
    _Atomic(uintptr_t) base;  // 0: free
    size_t size;
    char path[MG_PATH];
} mg_slot;

static mg_slot slots[MG_SLOTS];
static char prefix_text[64];

void mg_register(const void *base, size_t size, const char *path) {
    for (int i = 0; i < MG_SLOTS; i++) {
        uintptr_t expected = 0;
        // Claim with a placeholder so the handler never sees a half-written slot.
        if (atomic_compare_exchange_strong(&slots[i].base, &expected, (uintptr_t)1)) {
            slots[i].size = size;
            strncpy(slots[i].path, path, MG_PATH - 1);
            slots[i].path[MG_PATH - 1] = 0;
            atomic_store(&slots[i].base, (uintptr_t)base);
            return;
        }
    }
}

void mg_unregister(const void *base) {
    for (int i = 0; i < MG_SLOTS; i++) {
        if (atomic_load(&slots[i].base) == (uintptr_t)base) { atomic_store(&slots[i].base, 0); return; }
    }
}

static void say(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_sigbus(int sig, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t at = (uintptr_t)info->si_addr;
    for (int i = 0; i < MG_SLOTS; i++) {
        uintptr_t b = atomic_load(&slots[i].base);
        if (b > 1 && at >= b && at < b + slots[i].size) {
            say(prefix_text);
            say(slots[i].path);
            say(": the file shrank while in use (truncated or rewritten in place); results written so far are kept\n");
            _exit(1);
        }
    }
    // Not one of ours: die from the signal as if no handler were installed.
    signal(sig, SIG_DFL);
    raise(sig);
}

void mg_install(const char *prefix) {
    strncpy(prefix_text, prefix, sizeof prefix_text - 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, 0);
}

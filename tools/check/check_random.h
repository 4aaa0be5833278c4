// The kernel checks' random numbers: xorshift64*, reproducible on every machine and compiler.
#ifndef CHECK_RANDOM_H
#define CHECK_RANDOM_H
#include <stdint.h>

static uint64_t check_random_state = 0x9E3779B97F4A7C15ull;

// uniform in [-1, 1)
static inline float uniform(void) {
    uint64_t *s = &check_random_state;
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (float)((*s * 2685821657736338717ull) >> 40) / (float)(1 << 23) - 1.0f;
}
#endif

// Elementwise and row-wise activations used by the forward pass.
#include "ckernels.h"
#include "dispatch.h"
#include <math.h>
#include <string.h>

void gk_layer_norm(const float *x, const float *w, const float *b, int64_t n, float eps, float *out) {
    // moments in double: torch's f32 result is closer to the exact value than to a naive f32 sum
    double mean = 0.0;
    for (int64_t i = 0; i < n; i++) mean += x[i];
    mean /= (double)n;
    double var = 0.0;
    for (int64_t i = 0; i < n; i++) { const double d = x[i] - mean; var += d * d; }
    var /= (double)n;
    const float rstd = (float)(1.0 / sqrt(var + (double)eps));
    const float m = (float)mean;
    for (int64_t i = 0; i < n; i++) out[i] = (x[i] - m) * rstd * w[i] + b[i];
}

#define GK_SQRT_2_OVER_PI 0.7978845608028654f

static void gelu_new_portable(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + tanhf(GK_SQRT_2_OVER_PI * (v + 0.044715f * v * v * v)));
    }
}

#ifdef GK_X86
// exp(x) for x in [-87.3, 88.7] (clamped): 2^n * e^r with |r| <= ln2/2, Cephes' degree-6 polynomial
// (about 1 ulp).
GK_AVX2 static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// 0.5 v (1 + tanh(u)) = v / (1 + e^(-2u)): one exp and a division instead of libm's tanhf (GPT-J-6B has
// 16384 activations per token and layer; with this and the pool split, Q4_0 prefill went from 10.1 to
// 10.7-11.35 tok/s). Agrees with the tanh form to 1e-6 relative (ActivationKernelTests).
GK_AVX2 static void gelu_new_avx2(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 v3 = _mm256_mul_ps(_mm256_mul_ps(v, v), v);
        const __m256 u = _mm256_mul_ps(_mm256_set1_ps(GK_SQRT_2_OVER_PI), _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), v3, v));
        const __m256 e = exp_avx2(_mm256_mul_ps(_mm256_set1_ps(-2.0f), u));
        _mm256_storeu_ps(x + i, _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), e)));
    }
    gelu_new_portable(x + i, n - i);
}
#endif

void gk_gelu_new(float *x, int64_t n) {
#ifdef GK_X86
    if (gk_have_avx2()) {
        gelu_new_avx2(x, n);
        return;
    }
#endif
    gelu_new_portable(x, n);
}

#ifdef GK_X86
// 256-bit loads, four independent accumulators: the portable loop below compiles to 128-bit loads (x86-64's
// baseline), which read 15-20% slower than the decode kernels stream from memory here (29 against 34 GB/s
// with 2 threads, tools/bench/decode_stream.c), so bench's roofline would have been too low.
GK_AVX2 static uint64_t touch_bytes_avx2(const char *p, int64_t n) {
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    int64_t i = 0;
    for (; i + 128 <= n; i += 128) {
        a = _mm256_xor_si256(a, _mm256_loadu_si256((const __m256i *)(p + i)));
        b = _mm256_xor_si256(b, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
        c = _mm256_xor_si256(c, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
        d = _mm256_xor_si256(d, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
    }
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d)));
    uint64_t fold = lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        fold ^= w;
    }
    return fold;
}
#endif

uint64_t gk_touch_bytes(const void *p, int64_t n) {
#ifdef GK_X86
    if (gk_have_avx2()) return touch_bytes_avx2((const char *)p, n);
#endif
    // XOR of every 64-bit word: the compiler cannot skip the loads, and it vectorizes
    const uint64_t *w = (const uint64_t *)p;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    int64_t i = 0, words = n / 8;
    for (; i + 4 <= words; i += 4) { a ^= w[i]; b ^= w[i + 1]; c ^= w[i + 2]; d ^= w[i + 3]; }
    for (; i < words; i++) a ^= w[i];
    return a ^ b ^ c ^ d;
}

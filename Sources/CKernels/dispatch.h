// Runtime CPU dispatch shared by the kernel files (not part of the public header).
#ifndef GK_DISPATCH_H
#define GK_DISPATCH_H
#if defined(__x86_64__)
#include <immintrin.h>
#define GK_X86 1
#define GK_AVX2 __attribute__((target("avx2,fma,f16c")))
#ifdef GK_SIMDE_VNNI
// Checking the VNNI kernels on a CPU without them (tools/check/vnni.sh): SIMDe's portable versions of
// the AVX-512 intrinsics stand in, and the functions are compiled for AVX2 only, so nothing emits EVEX code.
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define GK_VNNI GK_AVX2
// SIMDe 0.7 has no 512-bit int -> float conversion: two 256-bit ones round the same way
static inline simde__m512 gk_simde_cvtepi32_ps(simde__m512i a) {
    const __m256 lo = _mm256_cvtepi32_ps(simde_mm512_castsi512_si256(a));
    const __m256 hi = _mm256_cvtepi32_ps(simde_mm512_extracti64x4_epi64(a, 1));
    return simde_mm512_castpd_ps(simde_mm512_insertf64x4(simde_mm512_castps_pd(simde_mm512_castps256_ps512(lo)),
                                                         _mm256_castps_pd(hi), 1));
}
#define _mm512_cvtepi32_ps gk_simde_cvtepi32_ps
#else
#define GK_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))
#endif
#elif defined(__aarch64__)
#include <arm_neon.h>
#define GK_NEON 1
#endif

/// 1 when the AVX2+FMA+F16C kernels run (the CPU has them and GLIMPSE_KERNELS is not "portable").
int gk_have_avx2(void);
/// 1 when, on top of those, the quantized decode products use AVX-512 (512-bit registers, VNNI's vpdpbusd):
/// the CPU has AVX-512 F, BW, VL and VNNI, and GLIMPSE_KERNELS is neither "portable" nor "avx2".
int gk_have_vnni(void);
/// 1 when the NEON row dot products run (AArch64, where NEON is always there, and GLIMPSE_KERNELS is not
/// "portable").
int gk_have_neon(void);
#endif

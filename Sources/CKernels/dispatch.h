// Runtime CPU dispatch shared by the kernel files (not part of the public header).
#ifndef GK_DISPATCH_H
#define GK_DISPATCH_H
#if defined(__x86_64__)
#include <immintrin.h>
#define GK_X86 1
#define GK_AVX2 __attribute__((target("avx2,fma,f16c")))
#ifdef GK_SIMDE_VNNI
// Checking the VNNI kernels on a CPU without them (tools/kernels/check_vnni.sh): SIMDe's portable versions of
// the AVX-512 intrinsics stand in, and the functions are compiled for AVX2 only, so nothing emits EVEX code.
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define GK_VNNI GK_AVX2
#else
#define GK_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")))
#endif
#endif

/// 1 when the AVX2+FMA+F16C kernels run (the CPU has them and GLIMPSE_KERNELS is not "portable").
int gk_have_avx2(void);
/// 1 when, on top of those, the quantized dot products use AVX-512 VNNI's vpdpbusd on 256-bit registers (the
/// CPU has AVX-512 VNNI and VL, and GLIMPSE_KERNELS is neither "portable" nor "avx2").
int gk_have_vnni(void);
#endif

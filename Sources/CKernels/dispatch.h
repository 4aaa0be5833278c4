// Runtime CPU dispatch shared by the kernel files (not part of the public header).
#ifndef GK_DISPATCH_H
#define GK_DISPATCH_H
#if defined(__x86_64__)
#include <immintrin.h>
#define GK_X86 1
#define GK_AVX2 __attribute__((target("avx2,fma,f16c")))
#endif

/// 1 when the AVX2+FMA+F16C kernels run (the CPU has them and GLIMPSE_KERNELS is not "portable").
int gk_have_avx2(void);
#endif

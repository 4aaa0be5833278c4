// Would int8 tiles beat dequantized tiles + sgemm for prefill on an AVX2 machine (no VNNI)? This measures the
// best case of an int8 tile: 4 Q8_0 weight rows x 3 activation rows, everything in L1, no packing, against
// one-thread OpenBLAS sgemm on prefill's real shape (152 tokens x 256-row tile x 4096). Per row, token and
// block it issues maddubs, madd, an integer subtract, convert, scale multiply and FMA. (The activations are
// taken as x+128 with a 128*sum(w) correction, which can saturate maddubs' int16 pair sums, so a correct
// kernel would move the sign onto x instead: the same instruction count. This measures throughput only.)
//
//   clang -O2 tools/bench/int8_tile_vs_sgemm.c -I/usr/include/x86_64-linux-gnu/openblas-pthread -lopenblas -o /tmp/i8 && /tmp/i8
//
// Result on this VM (BENCHMARKS.md): 67 GFLOP/s for the int8 tile against 84-85 for sgemm, so Glimpse keeps sgemm.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cblas.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
#define NB 128   /* 4096 columns */
__attribute__((target("avx2,fma"))) static void tile(const int8_t *w, const float *dw, const uint8_t *xu, const float *dx,
    const int32_t *wsum, float *out) {
  __m256 acc[4][3];
  for (int r=0;r<4;r++) for(int t=0;t<3;t++) acc[r][t]=_mm256_setzero_ps();
  const __m256i one=_mm256_set1_epi16(1);
  for (int b=0;b<NB;b++){
    __m256i x0=_mm256_loadu_si256((const __m256i*)(xu+(0*NB+b)*32)), x1=_mm256_loadu_si256((const __m256i*)(xu+(1*NB+b)*32)), x2=_mm256_loadu_si256((const __m256i*)(xu+(2*NB+b)*32));
    __m256 d0=_mm256_broadcast_ss(dx+0*NB+b), d1=_mm256_broadcast_ss(dx+1*NB+b), d2=_mm256_broadcast_ss(dx+2*NB+b);
    for (int r=0;r<4;r++){
      __m256i wr=_mm256_loadu_si256((const __m256i*)(w+(r*NB+b)*32));
      __m256 dr=_mm256_broadcast_ss(dw+r*NB+b);
      __m256i corr=_mm256_set1_epi32(wsum[r*NB+b]);   // 128 * sum(w) per block (x stored as x+128)
      acc[r][0]=_mm256_fmadd_ps(_mm256_mul_ps(dr,d0), _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(x0,wr),one),corr)), acc[r][0]);
      acc[r][1]=_mm256_fmadd_ps(_mm256_mul_ps(dr,d1), _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(x1,wr),one),corr)), acc[r][1]);
      acc[r][2]=_mm256_fmadd_ps(_mm256_mul_ps(dr,d2), _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(x2,wr),one),corr)), acc[r][2]);
    }
  }
  for (int r=0;r<4;r++) for(int t=0;t<3;t++){ float s[8]; _mm256_storeu_ps(s,acc[r][t]); out[r*3+t]=s[0]+s[1]+s[2]+s[3]+s[4]+s[5]+s[6]+s[7]; }
}
int main(){
  int8_t *w=malloc(4*NB*32); float *dw=malloc(4*NB*4); uint8_t *xu=malloc(3*NB*32); float *dx=malloc(3*NB*4); int32_t *ws=malloc(4*NB*4);
  for(int i=0;i<4*NB*32;i++) w[i]=(int8_t)(i*37); for(int i=0;i<3*NB*32;i++) xu[i]=(uint8_t)(i*11);
  for(int i=0;i<4*NB;i++){dw[i]=1e-3f; ws[i]=0;} for(int i=0;i<3*NB;i++) dx[i]=1e-3f;
  float out[12]; long reps=200000; double t=now();
  for(long k=0;k<reps;k++){ tile(w,dw,xu,dx,ws,out); __asm__ volatile(""::"r"(out):"memory"); }
  t=now()-t; printf("int8 tile 4x3, K=4096: %.1f GFLOP/s (%g)\n", 2.0*4*3*4096*reps/t/1e9, out[0]);
  int M=152,N=256,K=4096; float *A=malloc(sizeof(float)*M*K),*B=malloc(sizeof(float)*N*K),*C=malloc(sizeof(float)*M*N);
  for(long i=0;i<(long)M*K;i++)A[i]=1e-3f*(i%7); for(long i=0;i<(long)N*K;i++)B[i]=1e-3f*(i%5);
  openblas_set_num_threads(1); t=now(); int r2=40;
  for(int k=0;k<r2;k++) cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,M,N,K,1,A,K,B,K,0,C,N);
  t=now()-t; printf("sgemm 152x256x4096: %.1f GFLOP/s\n", 2.0*M*N*K*r2/t/1e9);
}

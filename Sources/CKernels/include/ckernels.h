// Glimpse's hot loops. Everything here is plain C with fixed-width types and `gk_` prefixes;
// the API design lives in Swift (TensorCore).
#ifndef GLIMPSE_CKERNELS_H
#define GLIMPSE_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ggml type ids (ggml.h `enum ggml_type`), the subset Glimpse reads and writes.
enum {
    GK_TYPE_F32 = 0,
    GK_TYPE_F16 = 1,
    GK_TYPE_Q4_0 = 2,
    GK_TYPE_Q8_0 = 8,
    GK_TYPE_BF16 = 30,
    // Glimpse's own type, not ggml's (far above ggml's ids, 0-39 in 2025, and ik_llama.cpp's 100-220): Q4_0
    // blocks with 8 rows interleaved, so that decode converts 8 rows' scales at once. ggml readers reject it.
    GK_TYPE_Q4_0_X8 = 4002,
    GK_TYPE_Q8_0_X8 = 4008,  // the same for Q8_0
};

// ggml block layouts: 32 weights per block, an fp16 scale first.
#define GK_QK 32
typedef struct { uint16_t d; int8_t qs[32]; } gk_block_q8_0;   // 34 bytes
typedef struct { uint16_t d; uint8_t qs[16]; } gk_block_q4_0;  // 18 bytes: low nibbles = x[0..15], high = x[16..31]
// Q4_0_X8 and Q8_0_X8: rows in groups of 8. Group g's block b holds block b of rows 8g..8g+7: their 8 scales,
// then their 8 blocks of quants (the same bytes as 8 Q4_0 or Q8_0 blocks, regrouped). Blocks go b = 0, 1, ...
// within a group, then the next group: a group of rows is contiguous, as 8 plain rows would be.
#define GK_X8_ROWS 8
typedef struct { uint16_t d[8]; uint8_t qs[8][16]; } gk_block_q4_0_x8;  // 144 bytes
typedef struct { uint16_t d[8]; int8_t qs[8][32]; } gk_block_q8_0_x8;   // 272 bytes

// --- scalar conversions ---
float gk_fp16_to_fp32(uint16_t h);
uint16_t gk_fp32_to_fp16(float f);
float gk_bf16_to_fp32(uint16_t h);
uint16_t gk_fp32_to_bf16(float f);

// --- row conversions (n elements; n is a multiple of 32 for quantized types) ---
void gk_to_f16(const float *x, uint16_t *y, int64_t n);
void gk_to_bf16(const float *x, uint16_t *y, int64_t n);
void gk_quantize_q8_0(const float *x, void *y, int64_t n);
void gk_quantize_q4_0(const float *x, void *y, int64_t n);
/// rows x cols floats (row-major; rows a multiple of 8, cols of 32) to Q4_0_X8 or Q8_0_X8: the blocks
/// gk_quantize_q4_0 or gk_quantize_q8_0 makes, interleaved.
void gk_quantize_q4_0_x8(const float *x, void *y, int64_t rows, int64_t cols);
void gk_quantize_q8_0_x8(const float *x, void *y, int64_t rows, int64_t cols);
/// The portable C conversion and quantizer whatever the CPU (tests compare them with the dispatched ones).
void gk_to_f16_portable(const float *x, uint16_t *y, int64_t n);
void gk_quantize_q8_0_portable(const float *x, void *y, int64_t n);
/// Any supported type to f32. Returns 0, or -1 for an unknown type or an interleaved one (Q4_0_X8, Q8_0_X8:
/// their rows are not contiguous; use gk_dequantize_rows).
int gk_dequantize(int type, const void *x, float *y, int64_t n);

/// Which code path the dispatcher picked ("avx512", "avx2", "scalar"), for bench and logs.
const char *gk_cpu_path(void);

// --- dot products of one weight row with an activation vector ---
// For Q8_0/Q4_0 rows the activation is first quantized to Q8_0 blocks (as ggml does);
// for F32/F16/BF16 rows it stays f32.
/// The portable C dot product whatever the CPU (tests compare it with the dispatched one).
float gk_dot_row_portable(int type, const void *row, const float *x, const void *xq8, int64_t n);
/// (The interleaved types have no rows on their own: these return NaN for them, and the matvec functions below
/// handle them.)
float gk_dot_row(int type, const void *row, const float *x, const void *xq8, int64_t n);

/// y[r] = dot(W[r], x) for r in [r0, r1). W has `cols` columns of `type`, rows laid out contiguously (the
/// interleaved types: in their groups of 8; any r0, r1 work, but ranges at multiples of 8 read no row twice).
/// xq8 must hold x quantized to Q8_0 when type is quantized (else it may be NULL).
void gk_matvec_rows(int type, const void *w, int64_t cols, const float *x, const void *xq8,
                    float *y, int64_t r0, int64_t r1);

/// The figures the dispatched Q8_0/Q4_0 kernels need from the quantized activations (block scales as floats,
/// block sums), for n_vec vectors: fills info (2 * cols/32 floats per vector) and returns 1, or returns 0 when
/// the dispatched path does not use them (other types, the portable path). Computed once per product, they
/// save every row range of it from computing them again.
int gk_act_info(int type, const void *xq8, int64_t xq8_stride, int64_t n_vec, int64_t cols, float *info);

/// The same for n_vec vectors at once (x: n_vec rows of cols; xq8: their Q8_0 blocks, xq8_stride bytes apart;
/// y: n_vec rows y_stride apart): each weight row is read once and dotted with every vector, so a batch of
/// decoded tokens costs one pass over the weights. Each vector's result equals gk_matvec_rows's bit for bit.
/// xinfo: what gk_act_info filled for these vectors (NULL when it returned 0). With NULL the rows go one at a
/// time through gk_dot_row, so pass it whenever gk_act_info provides it to get gk_matvec_rows's results.
void gk_matvec_rows_multi(int type, const void *w, int64_t cols, const float *x, const void *xq8, int64_t xq8_stride,
                          int64_t n_vec, const float *xinfo, float *y, int64_t y_stride, int64_t r0, int64_t r1);

/// Rows [r0, r1) of W converted to f32 into out (row-major, (r1-r0) x cols).
void gk_dequantize_rows(int type, const void *w, int64_t cols, float *out, int64_t r0, int64_t r1);

// --- attention for one head and one query over positions [0, n_pos) ---
// k and v are cache rows with stride `stride` elements between positions; kv_type is F32 or F16.
// scores is scratch of n_pos floats. out gets head_dim floats.
void gk_attend(const float *q, const void *k, const void *v, int kv_type, int64_t stride,
               int64_t n_pos, int64_t head_dim, float scale, float *scores, float *out);

// --- activations ---
/// out = (x - mean) / sqrt(var + eps) * w + b over one row of n (biased variance, as torch).
void gk_layer_norm(const float *x, const float *w, const float *b, int64_t n, float eps, float *out);
/// In place: transformers' gelu_new (tanh approximation).
void gk_gelu_new(float *x, int64_t n);

/// Reads n bytes (8-byte words) and folds them into a value, to measure read bandwidth.
uint64_t gk_touch_bytes(const void *p, int64_t n);

// --- image encoder (channels-last activations) ---
/// (h, w, c) -> (oh*ow, c*k*k) rows with columns in (c, ky, kx) order; zero padding `pad`.
void gk_im2col_hwc(const float *x, int64_t h, int64_t w, int64_t c, int64_t k, int64_t stride, int64_t pad, float *out);
/// AvgPool2d(k) (kernel = stride = k, no padding, floor) over (h, w, c).
void gk_avgpool_hwc(const float *x, int64_t h, int64_t w, int64_t c, int64_t k, float *out);
void gk_relu(float *x, int64_t n);
/// x = relu(x + y)
void gk_add_relu(float *x, const float *y, int64_t n);

// --- thread pool: workers spin briefly, then sleep (waking a sleeping thread costs 25-55 us here) ---
typedef struct gk_pool gk_pool;
typedef void (*gk_task_fn)(void *ctx, int64_t task, int thread);
gk_pool *gk_pool_create(int n_threads);
void gk_pool_destroy(gk_pool *pool);
int gk_pool_size(const gk_pool *pool);
/// Runs fn(ctx, i, thread) for i in [0, n_tasks) across the pool (the caller is thread 0) and waits.
void gk_pool_run(gk_pool *pool, gk_task_fn fn, void *ctx, int64_t n_tasks);

#ifdef __cplusplus
}
#endif
#endif

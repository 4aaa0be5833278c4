// Image decoding for Glimpse: JPEG (libjpeg) and PNG (libpng) from a memory buffer into 8-bit RGB,
// pixel for pixel as Pillow's `Image.open(path).convert("RGB")` produces it.
// All error paths return a status; libjpeg's and libpng's longjmp-based errors never reach Swift.
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a decode call.
typedef enum gi_status {
    GI_OK = 0,
    /// The codec rejected the data; the message buffer says why (libjpeg's or libpng's text).
    GI_ERROR_CORRUPT = 1,
    /// The data ended before the image was complete (Pillow: "image file is truncated").
    GI_ERROR_TRUNCATED = 2,
    /// The header declares a width or height of zero.
    GI_ERROR_ZERO_SIZE = 3,
    /// width * height exceeds the caller's limit (checked before any pixel memory is allocated).
    GI_ERROR_TOO_LARGE = 4,
    /// A valid file this decoder cannot represent (e.g. a 2-channel JPEG); the message says which.
    GI_ERROR_UNSUPPORTED = 5,
    GI_ERROR_OUT_OF_MEMORY = 6,
} gi_status;

/// A decoded image: `pixels` holds width * height * 3 bytes (RGB, row-major), allocated with malloc.
typedef struct gi_image {
    uint32_t width;
    uint32_t height;
    uint8_t *pixels;
} gi_image;

/// Decodes a baseline/progressive JPEG (grayscale, YCbCr/RGB, CMYK or YCCK).
/// On failure `out->pixels` is NULL, `out->width`/`height` hold the declared size when the header
/// was read (0 otherwise), and `message` (if non-NULL) holds a NUL-terminated reason.
gi_status gi_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels, gi_image *out,
                         char *message, size_t message_capacity);

/// Decodes a PNG of any color type and bit depth, interlaced or not. Alpha and tRNS are dropped,
/// as Pillow's convert("RGB") drops them (no compositing).
gi_status gi_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels, gi_image *out,
                        char *message, size_t message_capacity);

/// Frees the pixels of an image returned by a gi_decode_* call (NULL is fine).
void gi_image_free(gi_image *image);

#ifdef __cplusplus
}
#endif

#endif

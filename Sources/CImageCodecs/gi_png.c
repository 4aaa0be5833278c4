// PNG decoding with libpng, converted to RGB the way Pillow's PngImagePlugin + convert("RGB") do:
// Pillow decodes PNG itself (not with libpng) into modes "1", "L", "I;16", "P", "LA", "RGB", "RGBA",
// then drops alpha and tRNS. Its per-mode quirks are reproduced in gi_png_row_to_rgb.
// libpng's progressive reader is used because it, like Pillow, decodes whatever data there is: an
// image is complete once its last row is out, even if the zlib checksum, CRC or IEND are missing.
// libpng reports errors through png_error, which longjmps back into gi_png_run.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "gi_internal.h"

static uint32_t gi_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint32_t gi_crc32(const uint8_t *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

/// Pillow verifies the CRC of every chunk before the first IDAT and of none after it (IDAT, IEND
/// and later chunks go unchecked). This checks the former; libpng is told to ignore CRCs.
/// Returns 0, or 1 with `message` set when a checked chunk is damaged. Incomplete chunks are left
/// for libpng to report as truncation.
static int gi_png_bad_header_crc(const uint8_t *data, size_t size, char *message, size_t message_capacity) {
    size_t position = 8;
    while (position + 12 <= size) {
        uint32_t length = gi_be32(data + position);
        const uint8_t *type = data + position + 4;
        if (memcmp(type, "IDAT", 4) == 0 || length > size - position - 12) {
            return 0;
        }
        if (gi_crc32(type, 4 + (size_t)length) != gi_be32(type + 4 + length)) {
            char text[64];
            snprintf(text, sizeof(text), "%c%c%c%c: CRC error", type[0], type[1], type[2], type[3]);
            gi_set_message(message, message_capacity, text);
            return 1;
        }
        position += 12 + (size_t)length;
    }
    return 0;
}

/// How a libpng row (after png_set_packing, 16-bit samples left big-endian) becomes Pillow's RGB.
typedef struct {
    int color_type;
    int bit_depth;
    uint8_t palette[256 * 3];
} gi_png_layout;

static void gi_png_row_to_rgb(uint8_t *out, const uint8_t *in, uint32_t width, const gi_png_layout *layout) {
    int wide = layout->bit_depth == 16;
    switch (layout->color_type) {
        case PNG_COLOR_TYPE_GRAY:
            for (uint32_t i = 0; i < width; i++) {
                int v;
                if (wide) {
                    // Mode "I;16" -> "RGB" clips the 16-bit value to 255 (it does not take the high byte).
                    v = in[2 * i] != 0 ? 255 : in[2 * i + 1];
                } else if (layout->bit_depth == 8) {
                    v = in[i];
                } else {
                    // Modes "1", "L;2", "L;4" scale to 0...255: x255, x85 (0x55), x17 (0x11).
                    v = in[i] * (255 / ((1 << layout->bit_depth) - 1));
                }
                out[3 * i + 0] = out[3 * i + 1] = out[3 * i + 2] = (uint8_t)v;
            }
            break;
        case PNG_COLOR_TYPE_GRAY_ALPHA: {
            // 8-bit: "LA"; 16-bit: "LA;16B" unpacked to "RGBA" keeping high bytes. Alpha is dropped.
            size_t stride = wide ? 4 : 2;
            for (uint32_t i = 0; i < width; i++) {
                uint8_t v = in[stride * i];
                out[3 * i + 0] = out[3 * i + 1] = out[3 * i + 2] = v;
            }
            break;
        }
        case PNG_COLOR_TYPE_PALETTE:
            for (uint32_t i = 0; i < width; i++) {
                memcpy(out + 3 * i, layout->palette + 3 * in[i], 3);
            }
            break;
        case PNG_COLOR_TYPE_RGB:
        case PNG_COLOR_TYPE_RGB_ALPHA: {
            // "RGB;16B" / "RGBA;16B" keep each sample's high byte; alpha is dropped.
            size_t channels = layout->color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
            size_t sample = wide ? 2 : 1;
            for (uint32_t i = 0; i < width; i++) {
                const uint8_t *p = in + i * channels * sample;
                out[3 * i + 0] = p[0];
                out[3 * i + 1] = p[sample];
                out[3 * i + 2] = p[2 * sample];
            }
            break;
        }
        default:
            break;
    }
}

/// Everything the decode touches lives here, in the caller's frame, so that nothing the
/// setjmp-ing function changes needs to be volatile.
typedef struct {
    png_structp png;
    png_infop info;
    gi_png_layout layout;
    uint64_t max_pixels;
    uint32_t width;
    uint32_t height;
    int interlaced;
    uint8_t *pixels;  // width * height * 3 RGB
    uint8_t *raw;     // interlaced only: the raw image libpng combines the Adam7 passes into
    size_t rowbytes;
    gi_status status;
    char *message;
    size_t message_capacity;
    // libpng only warns ("benign error") when the compressed image data is invalid; the first
    // warning after the header is kept so that such a file is reported corrupt, not truncated.
    char warning[160];
} gi_png_state;

static void gi_png_error(png_structp png, png_const_charp text) {
    gi_png_state *s = (gi_png_state *)png_get_error_ptr(png);
    if (s->status == GI_OK) {
        s->status = GI_ERROR_CORRUPT;
        gi_set_message(s->message, s->message_capacity, text);
    }
    png_longjmp(png, 1);
}

// Pillow ignores what libpng warns about before the image data (unknown chunks, bad ancillary CRCs).
static void gi_png_warning(png_structp png, png_const_charp text) {
    gi_png_state *s = (gi_png_state *)png_get_error_ptr(png);
    if (s->pixels != NULL && s->warning[0] == '\0') {
        gi_set_message(s->warning, sizeof(s->warning), text);
    }
}

static void gi_png_fail(gi_png_state *s, gi_status status, const char *text) {
    s->status = status;
    gi_set_message(s->message, s->message_capacity, text);
    png_error(s->png, text);
}

// Progressive-reader callback: the header is in; set up transformations and buffers.
static void gi_png_on_info(png_structp png, png_infop info) {
    gi_png_state *s = (gi_png_state *)png_get_progressive_ptr(png);
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if ((uint64_t)width * height > s->max_pixels) {
        gi_png_fail(s, GI_ERROR_TOO_LARGE, "the image has too many pixels");
    }
    s->width = width;
    s->height = height;
    s->layout.color_type = color_type;
    s->layout.bit_depth = bit_depth;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        // Entries the PLTE chunk does not define stay black, as in Pillow's palette.
        png_colorp palette = NULL;
        int count = 0;
        if (png_get_PLTE(png, info, &palette, &count) == PNG_INFO_PLTE) {
            for (int i = 0; i < count && i < 256; i++) {
                s->layout.palette[3 * i + 0] = palette[i].red;
                s->layout.palette[3 * i + 1] = palette[i].green;
                s->layout.palette[3 * i + 2] = palette[i].blue;
            }
        }
    }
    if (bit_depth < 8) {
        png_set_packing(png);  // one unscaled sample per byte; scaling follows Pillow's rules
    }
    s->interlaced = interlace != PNG_INTERLACE_NONE;
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    s->rowbytes = png_get_rowbytes(png, info);

    s->pixels = gi_alloc_rgb(width, height);
    if (s->pixels == NULL) {
        gi_png_fail(s, GI_ERROR_OUT_OF_MEMORY, "out of memory");
    }
    if (s->interlaced) {
        // Adam7 passes revisit rows: keep the raw image, convert once every pass is in.
        if (s->rowbytes != 0 && height > SIZE_MAX / s->rowbytes) {
            gi_png_fail(s, GI_ERROR_OUT_OF_MEMORY, "out of memory");
        }
        s->raw = (uint8_t *)calloc(height, s->rowbytes);
        if (s->raw == NULL) {
            gi_png_fail(s, GI_ERROR_OUT_OF_MEMORY, "out of memory");
        }
    }
}

// Progressive-reader callback: one decoded row (NULL for rows an interlace pass does not touch).
static void gi_png_on_row(png_structp png, png_bytep row, png_uint_32 y, int pass) {
    gi_png_state *s = (gi_png_state *)png_get_progressive_ptr(png);
    (void)pass;
    if (row == NULL || y >= s->height || s->pixels == NULL) {
        return;
    }
    if (s->interlaced) {
        png_progressive_combine_row(png, s->raw + s->rowbytes * y, row);
    } else {
        gi_png_row_to_rgb(s->pixels + (size_t)y * s->width * 3, row, s->width, &s->layout);
    }
}

// Feeds all data to libpng; returns 0 if it stopped with an error (reason in s->status).
static int gi_png_run(gi_png_state *s, const uint8_t *data, size_t size) {
    if (setjmp(png_jmpbuf(s->png))) {
        return 0;
    }
    png_set_progressive_read_fn(s->png, s, gi_png_on_info, gi_png_on_row, NULL);
    png_process_data(s->png, s->info, (png_bytep)data, size);
    return 1;
}

// libpng moves past the last row (non-interlaced) or the last pass (Adam7) once all are out.
static int gi_png_rows_complete(const gi_png_state *s) {
    if (s->pixels == NULL) {
        return 0;
    }
    return s->interlaced ? png_get_current_pass_number(s->png) >= 7
                         : png_get_current_row_number(s->png) >= s->height;
}

gi_status gi_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels, gi_image *out,
                        char *message, size_t message_capacity) {
    gi_png_state s;
    memset(&s, 0, sizeof(s));
    s.message = message;
    s.message_capacity = message_capacity;
    s.max_pixels = max_pixels;
    out->width = 0;
    out->height = 0;
    out->pixels = NULL;
    gi_set_message(message, message_capacity, "");

    // Check the declared size before libpng allocates anything (libpng rejects width 0 with a
    // generic message; we want a specific error). IHDR must be the first chunk.
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        uint32_t w = gi_be32(data + 16), h = gi_be32(data + 20);
        out->width = w;
        out->height = h;
        if (w == 0 || h == 0) {
            gi_set_message(message, message_capacity, "the image has zero width or height");
            return GI_ERROR_ZERO_SIZE;
        }
        if ((uint64_t)w * h > max_pixels) {
            gi_set_message(message, message_capacity, "the image has too many pixels");
            return GI_ERROR_TOO_LARGE;
        }
    }

    if (gi_png_bad_header_crc(data, size, message, message_capacity)) {
        return GI_ERROR_CORRUPT;
    }

    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, gi_png_error, gi_png_warning);
    if (s.png != NULL) {
        s.info = png_create_info_struct(s.png);
    }
    if (s.png == NULL || s.info == NULL) {
        png_destroy_read_struct(&s.png, NULL, NULL);
        gi_set_message(message, message_capacity, "out of memory");
        return GI_ERROR_OUT_OF_MEMORY;
    }

    png_set_crc_action(s.png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);

    gi_status status = GI_OK;
    int finished = gi_png_run(&s, data, size);
    if (gi_png_rows_complete(&s)) {
        // Every row is decoded. Like Pillow, ignore whatever follows (damaged or missing chunks).
        if (s.interlaced) {
            for (uint32_t y = 0; y < s.height; y++) {
                gi_png_row_to_rgb(s.pixels + (size_t)y * s.width * 3, s.raw + s.rowbytes * y, s.width, &s.layout);
            }
        }
    } else {
        if (!finished) {
            status = s.status == GI_OK ? GI_ERROR_CORRUPT : s.status;
        } else if (s.warning[0] != '\0') {
            // libpng only warns on invalid zlib data (calling any such error an ADLER32 mismatch).
            char text[224];
            snprintf(text, sizeof(text), "invalid compressed image data; libpng: %s", s.warning);
            gi_set_message(message, message_capacity, text);
            status = GI_ERROR_CORRUPT;
        } else {
            gi_set_message(message, message_capacity, "image data ends before the image is complete");
            status = GI_ERROR_TRUNCATED;
        }
        free(s.pixels);
        s.pixels = NULL;
    }
    png_destroy_read_struct(&s.png, &s.info, NULL);
    free(s.raw);
    if (status == GI_OK) {
        out->width = s.width;
        out->height = s.height;
        out->pixels = s.pixels;
    }
    return status;
}

// JPEG decoding with libjpeg(-turbo), matching Pillow's JpegDecode.c: default IDCT (ISLOW) and fancy
// upsampling, output RGB for 3 components, grayscale for 1, raw CMYK for 4 (libjpeg turns YCCK
// into CMYK); warnings are silenced as Pillow silences them. libjpeg reports errors by calling
// error_exit, whose default calls exit(): here it longjmps back into gi_decode_jpeg instead.
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "gi_internal.h"

typedef struct {
    struct jpeg_error_mgr pub;  // must stay first: libjpeg hands us a pointer to it
    jmp_buf jump;
    gi_status status;
    char *message;
    size_t message_capacity;
} gi_jpeg_error;

typedef struct {
    struct jpeg_source_mgr pub;  // must stay first
    gi_jpeg_error *error;
    // Set once every scanline is out: Pillow tolerates data that ends before the EOI marker then.
    int finishing;
} gi_jpeg_source;

static const JOCTET gi_fake_eoi[2] = {0xFF, JPEG_EOI};

static void gi_jpeg_error_exit(j_common_ptr cinfo) {
    gi_jpeg_error *error = (gi_jpeg_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    gi_set_message(error->message, error->message_capacity, text);
    switch (cinfo->err->msg_code) {
        case JERR_EMPTY_IMAGE: error->status = GI_ERROR_ZERO_SIZE; break;
        case JERR_IMAGE_TOO_BIG: error->status = GI_ERROR_TOO_LARGE; break;
        case JERR_OUT_OF_MEMORY: error->status = GI_ERROR_OUT_OF_MEMORY; break;
        default: error->status = GI_ERROR_CORRUPT; break;
    }
    longjmp(error->jump, 1);
}

// Pillow installs a no-op output_message: corrupt-data warnings do not fail a decode.
static void gi_jpeg_silent(j_common_ptr cinfo) { (void)cinfo; }

static void gi_jpeg_init_source(j_decompress_ptr cinfo) { (void)cinfo; }
static void gi_jpeg_term_source(j_decompress_ptr cinfo) { (void)cinfo; }

// Called only when every byte has been consumed. Pillow's suspending source then asks the file
// for more, finds none and raises "image file is truncated" - unless all scanlines are decoded.
static boolean gi_jpeg_fill_input_buffer(j_decompress_ptr cinfo) {
    gi_jpeg_source *source = (gi_jpeg_source *)cinfo->src;
    if (source->finishing) {
        source->pub.next_input_byte = gi_fake_eoi;
        source->pub.bytes_in_buffer = sizeof(gi_fake_eoi);
        return TRUE;
    }
    gi_jpeg_error *error = source->error;
    error->status = GI_ERROR_TRUNCATED;
    gi_set_message(error->message, error->message_capacity, "image data ends before the image is complete");
    longjmp(error->jump, 1);
}

static void gi_jpeg_skip_input_data(j_decompress_ptr cinfo, long num_bytes) {
    gi_jpeg_source *source = (gi_jpeg_source *)cinfo->src;
    if (num_bytes <= 0) {
        return;
    }
    if ((size_t)num_bytes <= source->pub.bytes_in_buffer) {
        source->pub.next_input_byte += num_bytes;
        source->pub.bytes_in_buffer -= (size_t)num_bytes;
        return;
    }
    source->pub.next_input_byte += source->pub.bytes_in_buffer;
    source->pub.bytes_in_buffer = 0;
    (void)gi_jpeg_fill_input_buffer(cinfo);
}

gi_status gi_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels, gi_image *out,
                         char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    gi_jpeg_error error;
    gi_jpeg_source source;
    // Written after setjmp and read after longjmp, so they must be volatile.
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;

    out->width = 0;
    out->height = 0;
    out->pixels = NULL;
    gi_set_message(message, message_capacity, "");

    memset(&error, 0, sizeof(error));
    error.message = message;
    error.message_capacity = message_capacity;
    cinfo.err = jpeg_std_error(&error.pub);
    error.pub.error_exit = gi_jpeg_error_exit;
    error.pub.output_message = gi_jpeg_silent;

    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        return error.status;
    }

    jpeg_create_decompress(&cinfo);
    memset(&source, 0, sizeof(source));
    source.error = &error;
    source.pub.init_source = gi_jpeg_init_source;
    source.pub.fill_input_buffer = gi_jpeg_fill_input_buffer;
    source.pub.skip_input_data = gi_jpeg_skip_input_data;
    source.pub.resync_to_restart = jpeg_resync_to_restart;
    source.pub.term_source = gi_jpeg_term_source;
    source.pub.next_input_byte = data;
    source.pub.bytes_in_buffer = size;
    cinfo.src = &source.pub;

    // As Pillow: skip tables-only datastreams until one carries an image.
    int header;
    do {
        header = jpeg_read_header(&cinfo, FALSE);
    } while (header == JPEG_HEADER_TABLES_ONLY);

    uint32_t width = cinfo.image_width, height = cinfo.image_height;
    out->width = width;
    out->height = height;
    if (width == 0 || height == 0) {
        jpeg_destroy_decompress(&cinfo);
        gi_set_message(message, message_capacity, "the image has zero width or height");
        return GI_ERROR_ZERO_SIZE;
    }
    if ((uint64_t)width * height > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        gi_set_message(message, message_capacity, "the image has too many pixels");
        return GI_ERROR_TOO_LARGE;
    }
    int components = cinfo.num_components;
    switch (components) {
        case 1: cinfo.out_color_space = JCS_GRAYSCALE; break;
        case 3: cinfo.out_color_space = JCS_RGB; break;
        case 4: cinfo.out_color_space = JCS_CMYK; break;
        default: {
            char text[96];
            snprintf(text, sizeof(text), "JPEG with %d color components (1, 3 or 4 are supported)", components);
            jpeg_destroy_decompress(&cinfo);
            gi_set_message(message, message_capacity, text);
            return GI_ERROR_UNSUPPORTED;
        }
    }

    jpeg_start_decompress(&cinfo);
    if (cinfo.output_width != width || cinfo.output_height != height) {
        // Cannot happen without scaling; guards the buffer arithmetic below.
        jpeg_destroy_decompress(&cinfo);
        gi_set_message(message, message_capacity, "unexpected JPEG output size");
        return GI_ERROR_CORRUPT;
    }
    pixels = gi_alloc_rgb(width, height);
    if (components == 4) {
        row = (uint8_t *)malloc((size_t)width * 4);
    }
    if (pixels == NULL || (components == 4 && row == NULL)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        gi_set_message(message, message_capacity, "out of memory");
        return GI_ERROR_OUT_OF_MEMORY;
    }

    while (cinfo.output_scanline < height) {
        uint8_t *target = pixels + (size_t)cinfo.output_scanline * width * 3;
        JSAMPROW sample_row = components == 4 ? row : target;
        if (jpeg_read_scanlines(&cinfo, &sample_row, 1) != 1) {
            // Unreachable: this source never suspends. Fail rather than return a partial image.
            error.status = GI_ERROR_CORRUPT;
            gi_set_message(message, message_capacity, "JPEG decoder suspended unexpectedly");
            longjmp(error.jump, 1);
        }
        if (components == 1) {
            gi_row_gray_to_rgb(target, target, width);
        } else if (components == 4) {
            gi_row_inverted_cmyk_to_rgb(target, row, width);
        }
    }

    source.finishing = 1;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);

    out->pixels = pixels;
    return GI_OK;
}

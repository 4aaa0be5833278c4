// Pixel conversions that reproduce Pillow's convert("RGB") for the modes its decoders produce.
#include "gi_internal.h"

#include <stdlib.h>
#include <string.h>

void gi_set_message(char *message, size_t capacity, const char *text) {
    if (message == NULL || capacity == 0) {
        return;
    }
    size_t n = strlen(text);
    if (n >= capacity) {
        n = capacity - 1;
    }
    memcpy(message, text, n);
    message[n] = '\0';
}

void gi_row_gray_to_rgb(uint8_t *out, const uint8_t *in, uint32_t width) {
    // Walk backwards so the conversion may run in place (out == in, gray in the row's first third).
    for (uint32_t i = width; i-- > 0;) {
        uint8_t v = in[i];
        out[3 * i + 0] = v;
        out[3 * i + 1] = v;
        out[3 * i + 2] = v;
    }
}

// Pillow's MULDIV255: a * b / 255 rounded, with the same integer steps.
static inline int gi_muldiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

static inline uint8_t gi_clip8(int v) {
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

void gi_row_inverted_cmyk_to_rgb(uint8_t *out, const uint8_t *in, uint32_t width) {
    for (uint32_t i = 0; i < width; i++) {
        const uint8_t *p = in + 4 * i;
        // "CMYK;I": Pillow assumes Adobe polarity for every 4-channel JPEG and inverts each sample.
        int c = 255 - p[0], m = 255 - p[1], y = 255 - p[2], k = 255 - p[3];
        int nk = 255 - k;
        out[3 * i + 0] = gi_clip8(nk - gi_muldiv255(c, nk));
        out[3 * i + 1] = gi_clip8(nk - gi_muldiv255(m, nk));
        out[3 * i + 2] = gi_clip8(nk - gi_muldiv255(y, nk));
    }
}

uint8_t *gi_alloc_rgb(uint32_t width, uint32_t height) {
    size_t n = (size_t)width * (size_t)height;
    if (width != 0 && n / width != height) {
        return NULL;
    }
    if (n > SIZE_MAX / 3) {
        return NULL;
    }
    return (uint8_t *)malloc(n * 3 == 0 ? 1 : n * 3);
}

void gi_image_free(gi_image *image) {
    if (image != NULL) {
        free(image->pixels);
        image->pixels = NULL;
    }
}

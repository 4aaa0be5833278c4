// Helpers shared by the JPEG and PNG decoders (not part of the public header).
#ifndef GI_INTERNAL_H
#define GI_INTERNAL_H

#include "cimagecodecs.h"

/// Copies `text` into the caller's message buffer, truncating; a NULL buffer is ignored.
void gi_set_message(char *message, size_t capacity, const char *text);

/// Pillow's L -> RGB: the gray value in all three channels.
void gi_row_gray_to_rgb(uint8_t *out, const uint8_t *in, uint32_t width);

/// Pillow's JPEG CMYK path: unpack "CMYK;I" (Adobe-inverted samples) and then Convert.c's
/// cmyk2rgb with its rounded integer MULDIV255.
void gi_row_inverted_cmyk_to_rgb(uint8_t *out, const uint8_t *in, uint32_t width);

/// Allocates width * height * 3 bytes, or returns NULL on overflow or exhaustion.
uint8_t *gi_alloc_rgb(uint32_t width, uint32_t height);

#endif

/* Writes JPEG variants Pillow's encoder cannot produce, for make_image_fixtures.py.
 *
 *   write_jpeg_variant MODE WIDTH HEIGHT < raw_pixels > out.jpg
 *
 * MODE  ycck     4 channels in, stored as Adobe YCCK (transform 2)
 *       rgb      3 channels in, stored as RGB without a color transform (Adobe transform 0)
 *       restart  3 channels in, YCbCr 4:2:0 with a restart marker every 2 MCUs
 * Build: cc -O2 write_jpeg_variant.c -ljpeg
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s ycck|rgb|restart WIDTH HEIGHT < raw > out.jpg\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    int width = atoi(argv[2]), height = atoi(argv[3]);
    int channels = strcmp(mode, "ycck") == 0 ? 4 : 3;
    size_t size = (size_t)width * height * channels;
    unsigned char *pixels = malloc(size);
    if (pixels == NULL || fread(pixels, 1, size, stdin) != size) {
        fprintf(stderr, "expected %zu bytes on stdin\n", size);
        return 1;
    }

    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, stdout);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 90, TRUE);
    if (strcmp(mode, "ycck") == 0) {
        jpeg_set_colorspace(&cinfo, JCS_YCCK);
    } else if (strcmp(mode, "rgb") == 0) {
        jpeg_set_colorspace(&cinfo, JCS_RGB);
    } else {
        cinfo.restart_interval = 2;
    }
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = pixels + (size_t)cinfo.next_scanline * width * channels;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(pixels);
    return 0;
}

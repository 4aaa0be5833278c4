// libpng 1.6; pkg-config `libpng` adds -I/usr/include/libpng16.
#include <png.h>

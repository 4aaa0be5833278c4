// libjpeg's public header is not self-contained: it uses FILE and size_t without including them.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>

#ifndef CMAPGUARD_H
#define CMAPGUARD_H
#include <stddef.h>

// A memory-mapped file that shrinks under a running process (truncated, or rewritten in place) turns
// reads past its new end into SIGBUS. These calls name such a file in a one-line error and exit 1
// instead of dying from the signal. Mappings are registered by MappedFile; the handler is installed
// once by the program.

void mg_register(const void *base, size_t size, const char *path);
void mg_unregister(const void *base);
// prefix: printed before "PATH: ..." (e.g. "glimpse: error: "); copied.
void mg_install(const char *prefix);

#endif

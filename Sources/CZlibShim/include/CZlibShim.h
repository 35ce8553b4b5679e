// gzip for gRPC message compression, over the system zlib (zlib1g-dev).
#ifndef TREATY_CZLIB_SHIM_H
#define TREATY_CZLIB_SHIM_H
#include <stddef.h>
#include <stdint.h>

// Compresses `length` bytes of `input` into a gzip member. Returns 0 and a malloc'ed buffer in
// *output (free with treaty_zlib_free), or a negative zlib error.
int treaty_gzip(const uint8_t *input, size_t length, uint8_t **output, size_t *output_length);

// Decompresses one gzip member. Fails with -100 when the result would exceed `limit` bytes
// (a decompression bomb), with a negative zlib error when the input is not gzip.
int treaty_gunzip(const uint8_t *input, size_t length, size_t limit, uint8_t **output, size_t *output_length);

void treaty_zlib_free(uint8_t *buffer);
#endif

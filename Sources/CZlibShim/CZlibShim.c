#include "CZlibShim.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int treaty_gzip(const uint8_t *input, size_t length, uint8_t **output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    int rc = deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) return rc;
    uLong bound = deflateBound(&stream, (uLong)length);
    uint8_t *buffer = malloc(bound > 0 ? bound : 1);
    if (!buffer) { deflateEnd(&stream); return Z_MEM_ERROR; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = buffer;
    stream.avail_out = (uInt)bound;
    rc = deflate(&stream, Z_FINISH);
    if (rc != Z_STREAM_END) { free(buffer); deflateEnd(&stream); return rc == Z_OK ? Z_BUF_ERROR : rc; }
    *output = buffer;
    *output_length = stream.total_out;
    deflateEnd(&stream);
    return 0;
}

int treaty_gunzip(const uint8_t *input, size_t length, size_t limit, uint8_t **output, size_t *output_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    int rc = inflateInit2(&stream, 15 + 16);
    if (rc != Z_OK) return rc;
    size_t capacity = length * 4 + 64;
    if (capacity > limit + 1) capacity = limit + 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&stream); return Z_MEM_ERROR; }
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    size_t produced = 0;
    for (;;) {
        stream.next_out = buffer + produced;
        stream.avail_out = (uInt)(capacity - produced);
        rc = inflate(&stream, Z_NO_FLUSH);
        produced = capacity - stream.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) { free(buffer); inflateEnd(&stream); return rc; }
        if (produced > limit) { free(buffer); inflateEnd(&stream); return -100; }
        if (stream.avail_out == 0) {
            if (capacity > limit) { free(buffer); inflateEnd(&stream); return -100; }
            size_t next = capacity * 2;
            if (next > limit + 1) next = limit + 1;
            uint8_t *grown = realloc(buffer, next);
            if (!grown) { free(buffer); inflateEnd(&stream); return Z_MEM_ERROR; }
            buffer = grown;
            capacity = next;
        } else if (stream.avail_in == 0) {
            free(buffer); inflateEnd(&stream); return Z_DATA_ERROR;  // truncated input
        }
    }
    if (produced > limit) { free(buffer); inflateEnd(&stream); return -100; }
    *output = buffer;
    *output_length = produced;
    inflateEnd(&stream);
    return 0;
}

void treaty_zlib_free(uint8_t *buffer) { free(buffer); }

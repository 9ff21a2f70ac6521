/*
 * Consistent Overhead Byte Stuffing (Cheshire and Baker 1999), PROTOCOL.md section 1.1. The encoder writes no
 * trailing empty block after a full 254-byte block at the end (the reference form the Java side uses); the decoder
 * also accepts one.
 */
#ifndef RRAMFW_COBS_H
#define RRAMFW_COBS_H
#include <stddef.h>
#include <stdint.h>

/* Encodes n bytes of src into dst (capacity FW_COBS_MAX_ENCODED(n)); returns the encoded length. */
size_t cobs_encode(const uint8_t *src, size_t n, uint8_t *dst);

/* Decodes n encoded bytes (no delimiter); dst may equal src (decoding in place is safe). Returns the decoded length,
 * or -1 when the input is not COBS (a 0x00 inside, or a block code that runs past the end). */
long cobs_decode(const uint8_t *src, size_t n, uint8_t *dst);

#endif

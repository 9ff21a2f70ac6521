#include "cobs.h"

size_t cobs_encode(const uint8_t *src, size_t n, uint8_t *dst) {
  size_t in = 0;
  size_t out = 0;
  for (;;) {
    size_t run = 0;
    while (in + run < n && run < 254u && src[in + run] != 0) run++;
    dst[out++] = (uint8_t)(run + 1u);
    for (size_t k = 0; k < run; k++) dst[out++] = src[in + k];
    in += run;
    if (in == n) break;
    if (run == 254u) continue; /* a full block: no zero was consumed */
    in++;                      /* the zero that ended this block */
    if (in == n) {
      dst[out++] = 1u; /* the payload ended with a zero: an empty last block */
      break;
    }
  }
  return out;
}

long cobs_decode(const uint8_t *src, size_t n, uint8_t *dst) {
  size_t in = 0;
  size_t out = 0;
  while (in < n) {
    unsigned code = src[in++];
    if (code == 0 || in + code - 1u > n) return -1;
    for (unsigned k = 1; k < code; k++) {
      uint8_t b = src[in++];
      if (b == 0) return -1;
      dst[out++] = b;
    }
    if (code != 0xFFu && in < n) dst[out++] = 0;
  }
  return (long)out;
}

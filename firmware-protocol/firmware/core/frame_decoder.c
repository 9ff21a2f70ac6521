#include "frame_decoder.h"

#include "cobs.h"
#include "crc32c.h"

void frame_decoder_init(struct frame_decoder *d) {
  d->length = 0;
  d->discarding = 0;
  d->last_drop = DROP_NONE;
}

int frame_decoder_partial(const struct frame_decoder *d) {
  return d->length > 0 || d->discarding;
}

static enum frame_event drop(struct frame_decoder *d, enum frame_drop why) {
  d->last_drop = why;
  return FRAME_DROPPED;
}

enum frame_event frame_decoder_push(struct frame_decoder *d, uint8_t byte, const uint8_t **packet, size_t *len) {
  if (byte != 0) {
    if (d->discarding) return FRAME_NONE;
    if (d->length == sizeof d->buf) {
      d->discarding = 1;
      return drop(d, DROP_OVERSIZE);
    }
    d->buf[d->length++] = byte;
    return FRAME_NONE;
  }
  size_t n = d->length;
  int was_discarding = d->discarding;
  d->length = 0;
  d->discarding = 0;
  if (was_discarding || n == 0) return FRAME_NONE;
  long decoded = cobs_decode(d->buf, n, d->buf);
  if (decoded < 0) return drop(d, DROP_BAD_COBS);
  if ((size_t)decoded < FW_MIN_PAYLOAD_BYTES) return drop(d, DROP_TOO_SHORT);
  if ((size_t)decoded > FW_MAX_PAYLOAD_BYTES) return drop(d, DROP_OVERSIZE);
  size_t p = (size_t)decoded - FW_CRC_BYTES;
  uint32_t actual = (uint32_t)d->buf[p] | (uint32_t)d->buf[p + 1] << 8 | (uint32_t)d->buf[p + 2] << 16 | (uint32_t)d->buf[p + 3] << 24;
  if (actual != crc32c(d->buf, p)) return drop(d, DROP_BAD_CRC);
  *packet = d->buf;
  *len = p;
  return FRAME_PACKET;
}

/*
 * Splits a byte stream into packets (PROTOCOL.md 1.1, 1.2, 1.3): push one byte at a time; a delimiter completes a
 * frame, which is COBS-decoded in place, length-checked and CRC-checked. Corruption is reported and skipped to the
 * next 0x00 (resynchronisation); at most FW_MAX_ENCODED_BYTES of an unfinished frame are kept. Empty frames are
 * ignored. No heap: the buffer is part of the struct.
 */
#ifndef RRAMFW_FRAME_DECODER_H
#define RRAMFW_FRAME_DECODER_H
#include <stddef.h>
#include <stdint.h>

#include "fw_wire.h"

enum frame_event { FRAME_NONE = 0, FRAME_PACKET = 1, FRAME_DROPPED = 2 };
enum frame_drop { DROP_NONE = 0, DROP_OVERSIZE, DROP_BAD_COBS, DROP_TOO_SHORT, DROP_BAD_CRC };

struct frame_decoder {
  uint8_t buf[FW_MAX_ENCODED_BYTES];
  size_t length;
  int discarding;
  enum frame_drop last_drop;
};
static_assert(sizeof(((struct frame_decoder *)0)->buf) >= FW_MAX_ENCODED_BYTES, "receive buffer holds the largest frame");

void frame_decoder_init(struct frame_decoder *d);

/*
 * Feeds one byte. FRAME_PACKET: *packet / *len name the packet (header and body, CRC removed), valid until the next
 * push. FRAME_DROPPED: a frame failed COBS, length or CRC (or overflowed; reported once, when it overflows);
 * d->last_drop says which.
 */
enum frame_event frame_decoder_push(struct frame_decoder *d, uint8_t byte, const uint8_t **packet, size_t *len);

/* True while bytes of an unfinished frame wait for their delimiter. */
int frame_decoder_partial(const struct frame_decoder *d);

#endif

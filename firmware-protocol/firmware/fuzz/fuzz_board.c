/*
 * libFuzzer target over the frame decoder, the codec and the board's dispatcher (clang -fsanitize=fuzzer,address,
 * undefined). The first input byte chooses how the rest is fed:
 *   bit 0  send a valid HELLO first (reaches the device commands behind the handshake)
 *   bit 1  framed: the rest is a sequence of packets, each a u16 LE length and that many bytes, which the target wraps
 *          in CRC and COBS (random bytes almost never pass a CRC; this way the fuzzer explores the dispatcher);
 *          clear: the rest goes to the board as raw line bytes
 *   bit 2  the HAL has the parallel hooks (vector_read, update_slot), which abort on a tile, output range, input or
 *          stream past the geometry and limits
 * The HAL's clock moves on every call, so slices, progress, the watchdog and timeouts all happen. Every frame the
 * board sends must decode as a response, with MORE only on streamed ones; anything else aborts (a finding).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/board.h"
#include "../core/cobs.h"
#include "../core/crc32c.h"

static uint32_t clock_us;
static struct frame_decoder out;

static uint32_t z_micros(void *ctx) {
  (void)ctx;
  clock_us += 37;
  return clock_us;
}

static size_t z_read(void *ctx, uint8_t *buf, size_t cap) {
  (void)ctx;
  (void)buf;
  (void)cap;
  return 0;
}

static void z_write(void *ctx, const uint8_t *buf, size_t n) {
  (void)ctx;
  for (size_t k = 0; k < n; k++) {
    const uint8_t *p;
    size_t l;
    enum frame_event e = frame_decoder_push(&out, buf[k], &p, &l);
    if (e == FRAME_DROPPED) abort(); /* the board sent a frame that does not decode */
    if (e == FRAME_PACKET) {
      struct fw_response r;
      if (fw_decode_response(p, l, &r, NULL) != FW_E_NONE) abort();
    }
  }
}

static void z_idle(void *ctx) {
  (void)ctx;
}

static enum hal_status z_select(void *ctx, uint8_t a, uint8_t p, uint16_t r, uint16_t c) {
  (void)ctx;
  /* the core let an address past its own checks: array 0 is 16 x 16 with a reference, array 1 4 x 4 without */
  if (a > 1 || p > 1 || (a == 1 && p == 1) || r >= (a == 0 ? 16 : 4) || c >= (a == 0 ? 16 : 4)) abort();
  return HAL_OK;
}

static enum hal_status z_dac(void *ctx, uint16_t mv, uint8_t pol) {
  (void)ctx;
  if (mv == 0 || mv > 3000 || pol > 1) abort(); /* past the limits: the core must refuse, never pass it on */
  return HAL_OK;
}

static enum hal_status z_fire(void *ctx, uint32_t width, uint32_t period) {
  (void)ctx;
  if (width < 10 || width > 1000000 || period < width) abort();
  clock_us += 1;
  return HAL_OK;
}

static enum hal_status z_volts(void *ctx, int16_t v) {
  (void)ctx;
  if (v > 5000 || v < -5000) abort();
  return HAL_OK;
}

static enum hal_status z_current(void *ctx, float *amps) {
  (void)ctx;
  *amps = 1e-6f;
  return HAL_OK;
}

static void check_tile(const struct hal_tile *t) {
  uint16_t rows = t->array == 0 ? 16 : 4, cols = t->array == 0 ? 16 : 4;
  if (t->array > 1 || t->plane > 1 || (t->array == 1 && t->plane == 1) || t->rows == 0 || t->cols == 0 || t->row0 + t->rows > rows ||
      t->col0 + t->cols > cols) {
    abort();
  }
}

static enum hal_status z_vector(void *ctx, const struct hal_tile *t, int transpose, const uint8_t *in, uint32_t count, uint32_t first, uint32_t n,
                                float *amps) {
  (void)ctx;
  check_tile(t);
  if (count != (transpose ? t->cols : t->rows) || n == 0 || first + n > (transpose ? t->rows : t->cols)) abort();
  for (uint32_t k = 0; k < count; k++) {
    int16_t v = hal_input(in, k);
    if (v > 5000 || v < -5000) abort();
  }
  for (uint32_t k = 0; k < n; k++) amps[k] = 1e-6f;
  return HAL_OK;
}

static enum hal_status z_slot(void *ctx, const struct hal_tile *t, const struct fw_streams *rows, const struct fw_streams *cols, uint32_t slot,
                              const struct fw_shape *up, const struct fw_shape *down, uint32_t *pulses) {
  (void)ctx;
  check_tile(t);
  if (rows->n != t->rows || cols->n != t->cols || slot >= 63) abort();
  const struct fw_shape *shapes[2] = {up, down};
  for (int k = 0; k < 2; k++) {
    if (shapes[k]->amplitude_mv == 0 || shapes[k]->amplitude_mv > 3000 || shapes[k]->width_ns < 10 || shapes[k]->width_ns > 1000000 ||
        shapes[k]->period_ns < shapes[k]->width_ns) {
      abort();
    }
  }
  int8_t rd[16], cd[16];
  hal_drives(rows, slot, rd);
  hal_drives(cols, slot, cd);
  uint32_t n = 0;
  for (uint32_t r = 0; r < rows->n; r++)
    for (uint32_t c = 0; c < cols->n; c++) n += rd[r] != 0 && cd[c] != 0;
  *pulses = n;
  clock_us += 1;
  return HAL_OK;
}

static const struct hal HAL = {NULL, z_micros, z_read, z_write, z_idle, z_select, z_dac, z_fire, z_volts, z_current, NULL, NULL};
static const struct hal HAL_PARALLEL = {NULL, z_micros, z_read, z_write, z_idle, z_select, z_dac, z_fire, z_volts, z_current, z_vector, z_slot};
static const struct fw_array_info ARRAYS[2] = {{16, 16, 1}, {4, 4, 0}};
static const struct board_config CFG = {"FZ-0001", "fuzz board", "0.0.1", 50, 8192, 2, ARRAYS, {3000, 5000, 10, 1000000, 1000, 1000000, 1000000},
                                        16, 1e-6f, 1e-4f, 2.5e-8f, 7, 1u << (FW_READ_COLUMN - FW_READ)};
static struct board b;
static uint8_t frame[FW_MAX_ENCODED_BYTES + 1];

static void feed_packet(const uint8_t *packet, size_t len) {
  uint8_t payload[FW_MAX_PAYLOAD_BYTES];
  if (len > FW_MAX_PACKET_BYTES) len = FW_MAX_PACKET_BYTES;
  memcpy(payload, packet, len);
  uint32_t crc = crc32c(packet, len);
  for (int k = 0; k < 4; k++) payload[len + (size_t)k] = (uint8_t)(crc >> (8 * k));
  size_t n = cobs_encode(payload, len + 4, frame);
  frame[n++] = 0;
  board_feed(&b, frame, n);
  board_poll(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  frame_decoder_init(&out);
  uint8_t mode = data[0];
  board_init(&b, mode & 4 ? &HAL_PARALLEL : &HAL, &CFG);
  data++, size--;
  if (mode & 1) {
    const uint8_t hello[] = {1, FW_HELLO, 0, 0, 0, 1, 1};
    feed_packet(hello, sizeof hello);
  }
  if (mode & 2) {
    while (size >= 2) {
      size_t len = (size_t)(data[0] | data[1] << 8);
      data += 2, size -= 2;
      if (len > size) len = size;
      feed_packet(data, len);
      data += len, size -= len;
    }
  } else {
    board_feed(&b, data, size);
  }
  for (int k = 0; k < 2000 && board_busy(&b); k++) board_poll(&b);
  if (board_busy(&b)) {
    /* The watchdog (50 ms) must end whatever runs once the host is silent long enough. */
    for (int k = 0; k < 100000 && board_busy(&b); k++) board_poll(&b);
    if (board_busy(&b)) abort();
  }
  return 0;
}

/*
 * CPU time the reference firmware's core spends per message on this host, with the host port's soft-bound model
 * behind the HAL (so device arithmetic is included, as a board's analog work would be): framing and CRC of the
 * command, decoding, checks, execution, and encoding and framing of the answer. The link is a null sink.
 *   build/bench_cpu [REPEATS]      (make bench-cpu)
 * Not a test: numbers go to BENCHMARKS.md with the command that produced them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/board.h"
#include "../core/cobs.h"
#include "../core/crc32c.h"
#include "../host/softbound.h"

static struct softbound model;
static int sel_a, sel_p, sel_r, sel_c;
static uint16_t dac_mv;
static uint8_t dac_pol;
static int16_t read_v;
static uint64_t out_bytes;

static uint32_t b_micros(void *ctx) {
  (void)ctx;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint32_t)((uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u);
}
static size_t b_read(void *ctx, uint8_t *buf, size_t cap) {
  (void)ctx, (void)buf, (void)cap;
  return 0;
}
static void b_write(void *ctx, const uint8_t *buf, size_t n) {
  (void)ctx, (void)buf;
  out_bytes += n;
}
static void b_idle(void *ctx) {
  (void)ctx;
  dac_mv = 0;
  read_v = 0;
}
static enum hal_status b_select(void *ctx, uint8_t a, uint8_t p, uint16_t r, uint16_t c) {
  (void)ctx;
  sel_a = a, sel_p = p, sel_r = r, sel_c = c;
  return HAL_OK;
}
static enum hal_status b_dac(void *ctx, uint16_t mv, uint8_t pol) {
  (void)ctx;
  dac_mv = mv, dac_pol = pol;
  return HAL_OK;
}
static enum hal_status b_fire(void *ctx, uint32_t width, uint32_t period) {
  (void)ctx, (void)period;
  softbound_pulse(&model, (size_t)sel_a, sel_p, (uint32_t)sel_r, (uint32_t)sel_c, dac_mv / 1000.0, width, dac_pol == FW_UP);
  return HAL_OK;
}
static enum hal_status b_volts(void *ctx, int16_t v) {
  (void)ctx;
  read_v = v;
  return HAL_OK;
}
static enum hal_status b_current(void *ctx, float *amps) {
  (void)ctx;
  *amps = (float)(softbound_read(&model, (size_t)sel_a, sel_p, (uint32_t)sel_r, (uint32_t)sel_c) * read_v * 1e-4);
  return HAL_OK;
}

static const struct hal HAL = {NULL, b_micros, b_read, b_write, b_idle, b_select, b_dac, b_fire, b_volts, b_current, NULL, NULL};
static const struct fw_array_info ARRAYS[3] = {{785, 256, 1}, {257, 128, 1}, {129, 10, 1}};
static const struct board_config CFG = {"BENCH", "bench", "1.0.0", 60000, 8192, 3, ARRAYS, {3000, 5000, 10, 10000000, 100000, 50000000, 1000000},
                                        16, 1e-6f, 1e-4f, 1.9e-9f, FW_MAX_CODES, 0};
static struct board b;
static uint8_t frame[FW_MAX_ENCODED_BYTES + 1];

static size_t frame_of(const uint8_t *packet, size_t len) {
  uint8_t payload[FW_MAX_PAYLOAD_BYTES];
  memcpy(payload, packet, len);
  uint32_t crc = crc32c(packet, len);
  for (int k = 0; k < 4; k++) payload[len + (size_t)k] = (uint8_t)(crc >> (8 * k));
  size_t n = cobs_encode(payload, len + 4, frame);
  frame[n++] = 0;
  return n;
}

static uint16_t seq = 100;

/* Feeds one command (a fresh sequence number each time) and runs it to its end. */
static size_t run(struct fw_command *c) {
  static uint8_t packet[FW_MAX_PACKET_BYTES];
  c->sequence = seq++;
  size_t len = fw_encode_command(c, packet, sizeof packet);
  size_t n = frame_of(packet, len);
  board_feed(&b, frame, n);
  while (board_busy(&b)) board_poll(&b);
  return n;
}

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void measure(const char *what, struct fw_command *c, int repeats) {
  for (int k = 0; k < repeats / 10 + 1; k++) run(c); /* warm-up */
  uint64_t out0 = out_bytes;
  size_t in = 0;
  double t0 = cpu_seconds();
  for (int k = 0; k < repeats; k++) in += run(c);
  double t = cpu_seconds() - t0;
  printf("%-58s %10.2f us CPU/message  (%d messages, %zu B in, %.0f B out per message)\n", what, t / repeats * 1e6, repeats, in / (size_t)repeats,
         (double)(out_bytes - out0) / repeats);
}

static uint64_t rng = 42;
static uint64_t next(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return rng;
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 20000;
  const uint16_t geometry[3][2] = {{785, 256}, {257, 128}, {129, 10}};
  if (softbound_init(&model, softbound_preset_named("aihwkit-like"), geometry, 3, 1) != 0) return 1;
  board_init(&b, &HAL, &CFG);
  struct fw_command hello = {0};
  hello.opcode = FW_HELLO;
  hello.u.hello.min_version = hello.u.hello.max_version = 1;
  run(&hello);

  struct fw_command hb = {0};
  hb.opcode = FW_HEARTBEAT;
  measure("HEARTBEAT (framing, dispatch, HEARTBEAT_ACK)", &hb, repeats * 10);
  struct fw_command rd = {0};
  rd.opcode = FW_READ;
  rd.u.read.cell.row = 3, rd.u.read.cell.col = 5, rd.u.read.read_tenth_mv = 2000;
  measure("READ one device", &rd, repeats * 10);
  struct fw_command p = {0};
  p.opcode = FW_PULSE;
  p.u.pulse.cell.row = 3, p.u.pulse.cell.col = 5, p.u.pulse.count = 1;
  p.u.pulse.shape = (struct fw_shape){1000, 100, 200};
  measure("PULSE one device, 1 pulse", &p, repeats * 10);

  /* One training step's messages on the 785 x 256 tile, MNIST-like sparsity (PROTOCOL.md 7): 151 of 785 inputs
   * non-zero; 128 of 256 columns fire; BL 31, about BL/4 slots per stream. */
  static uint8_t volts[2 * 785];
  for (int j = 0; j < 785; j++) {
    int16_t v = (j == 784 || next() % 785 < 150) ? (int16_t)(200 + next() % 1800) : 0;
    volts[2 * j] = (uint8_t)v, volts[2 * j + 1] = (uint8_t)((uint16_t)v >> 8);
  }
  struct fw_command fr = {0};
  fr.opcode = FW_FORWARD_READ;
  fr.u.vector.tile = (struct fw_tile){0, 0, 0, 785, 256};
  fr.u.vector.mode = FW_MODE_DIFFERENTIAL;
  fr.u.vector.volts = volts;
  fr.u.vector.count = 785;
  measure("FORWARD_READ 785 x 256, differential, 151 inputs", &fr, repeats / 200 + 5);
  static uint8_t cvolts[2 * 256];
  for (int i = 0; i < 256; i++) {
    int16_t v = (int16_t)((int)(next() % 4000) - 2000);
    cvolts[2 * i] = (uint8_t)v, cvolts[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
  }
  struct fw_command tr = fr;
  tr.opcode = FW_TRANSPOSE_READ;
  tr.u.vector.volts = cvolts;
  tr.u.vector.count = 256;
  measure("TRANSPOSE_READ 256 -> 785, differential", &tr, repeats / 200 + 5);

  /* sparse update: rows present where the input is non-zero, half the columns present */
  static uint8_t rp[99], rs[19], rm[785 * 4], cp[32], cs[16], cm[256 * 4];
  uint16_t present = 0;
  for (int j = 0; j < 785; j++) {
    if (volts[2 * j] == 0 && volts[2 * j + 1] == 0) continue;
    rp[j / 8] |= (uint8_t)(1u << (j % 8));
    uint32_t m = (uint32_t)(next() & next() & 0x7FFFFFFFu);
    if (m == 0) m = 1;
    memcpy(rm + 4 * present, &m, 4);
    present++;
  }
  uint16_t cpresent = 0;
  for (int i = 0; i < 256; i++) {
    if (next() & 1) continue;
    cp[i / 8] |= (uint8_t)(1u << (i % 8));
    if (next() & 1) cs[cpresent / 8] |= (uint8_t)(1u << (cpresent % 8));
    uint32_t m = (uint32_t)(next() & next() & 0x7FFFFFFFu);
    if (m == 0) m = 1;
    memcpy(cm + 4 * cpresent, &m, 4);
    cpresent++;
  }
  struct fw_command up = {0};
  up.opcode = FW_UPDATE;
  up.u.update.tile = (struct fw_tile){0, 0, 0, 785, 256};
  up.u.update.bit_length = 31;
  up.u.update.up = (struct fw_shape){1000, 100, 200};
  up.u.update.down = (struct fw_shape){1000, 100, 200};
  up.u.update.rows = (struct fw_streams){rp, rs, rm, 785, present, 4};
  up.u.update.cols = (struct fw_streams){cp, cs, cm, 256, cpresent, 4};
  uint64_t pulses0 = model.pulses;
  measure("UPDATE 785 x 256, BL 31, sparse (151 rows, ~128 columns)", &up, repeats / 200 + 5);
  printf("  (update: %.0f pulses per message, each a soft-bound step with a Gaussian draw)\n",
         (double)(model.pulses - pulses0) / (repeats / 200 + 5 + (repeats / 200 + 5) / 10 + 1));
  softbound_free(&model);
  return 0;
}

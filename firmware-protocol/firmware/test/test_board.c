/*
 * The board core against a scripted HAL: framing, the handshake, every refusal (and that nothing moved), the
 * execution history and de-duplication, streaming, the update's pulse semantics, ABORT, the watchdog, BUSY,
 * compliance and reset. The clock only moves when a test (or a pulse) moves it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/board.h"
#include "../core/cobs.h"
#include "../core/crc32c.h"

static int failures;
static const char *current;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "%s: line %d: ", current, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fputc('\n', stderr);                                 \
      failures++;                                          \
    }                                                      \
  } while (0)

/* ---------------------------------------------------------------------------------------------- fake HAL */

#define ROWS 8
#define COLS 6

struct fake {
  uint32_t t_us;
  uint32_t us_per_pulse;
  uint8_t in[1 << 16];
  size_t in_len, in_at;
  uint8_t out[1 << 20];
  size_t out_len;
  int selected; /* device index or -1 */
  int outputs_live; /* something driven since the last idle_all */
  uint16_t dac_mv;
  uint8_t dac_polarity;
  int16_t read_v;
  long ups[2][2][ROWS][COLS];
  long downs[2][2][ROWS][COLS];
  float g[2][2][ROWS][COLS];
  long idles;
  long fired;
  long comply_after; /* HAL_COMPLIANCE on this pulse (1-based); 0 never */
  int sel_array, sel_plane, sel_row, sel_col;
  long selects, vector_calls, slot_calls;
  long abort_at; /* an ABORT arrives while this pulse (1-based) is being fired; 0 never */
  uint16_t abort_seq;
};

static void send_abort_now(uint16_t seq);

static struct fake fk;

static uint32_t f_micros(void *ctx) {
  (void)ctx;
  return fk.t_us;
}

static size_t f_read(void *ctx, uint8_t *buf, size_t cap) {
  (void)ctx;
  size_t n = fk.in_len - fk.in_at;
  if (n > cap) n = cap;
  memcpy(buf, fk.in + fk.in_at, n);
  fk.in_at += n;
  return n;
}

static void f_write(void *ctx, const uint8_t *buf, size_t n) {
  (void)ctx;
  if (fk.out_len + n <= sizeof fk.out) memcpy(fk.out + fk.out_len, buf, n);
  fk.out_len += n;
}

static void f_idle(void *ctx) {
  (void)ctx;
  fk.idles++;
  fk.outputs_live = 0;
  fk.selected = -1;
  fk.read_v = 0;
  fk.dac_mv = 0;
}

static enum hal_status f_select(void *ctx, uint8_t array, uint8_t plane, uint16_t row, uint16_t col) {
  (void)ctx;
  if (array > 1 || plane > 1 || row >= ROWS || col >= COLS) return HAL_FAULT;
  fk.sel_array = array, fk.sel_plane = plane, fk.sel_row = row, fk.sel_col = col;
  fk.selects++;
  fk.selected = 1;
  fk.outputs_live = 1;
  return HAL_OK;
}

static enum hal_status f_dac(void *ctx, uint16_t mv, uint8_t polarity) {
  (void)ctx;
  fk.dac_mv = mv;
  fk.dac_polarity = polarity;
  return HAL_OK;
}

static enum hal_status f_fire(void *ctx, uint32_t width, uint32_t period) {
  (void)ctx;
  (void)width;
  (void)period;
  if (fk.selected != 1 || fk.dac_mv == 0) return HAL_FAULT;
  fk.fired++;
  fk.t_us += fk.us_per_pulse;
  if (fk.abort_at && fk.fired == fk.abort_at) send_abort_now(fk.abort_seq);
  if (fk.comply_after && fk.fired == fk.comply_after) return HAL_COMPLIANCE;
  if (fk.dac_polarity == FW_UP) fk.ups[fk.sel_array][fk.sel_plane][fk.sel_row][fk.sel_col]++;
  else fk.downs[fk.sel_array][fk.sel_plane][fk.sel_row][fk.sel_col]++;
  return HAL_OK;
}

static enum hal_status f_readv(void *ctx, int16_t v) {
  (void)ctx;
  fk.read_v = v;
  return HAL_OK;
}

static enum hal_status f_current(void *ctx, float *amps) {
  (void)ctx;
  if (fk.selected != 1) return HAL_FAULT;
  *amps = (float)fk.read_v * 1e-4f * fk.g[fk.sel_array][fk.sel_plane][fk.sel_row][fk.sel_col];
  return HAL_OK;
}

/* The parallel hooks of a board that drives every input line at once and has a sense amplifier per output line,
 * and row and column pulse drivers with coincidence: the same physics as the single-device calls above. */
static enum hal_status f_vector(void *ctx, const struct hal_tile *t, int transpose, const uint8_t *in, uint32_t count, uint32_t first, uint32_t n,
                                float *amps) {
  (void)ctx;
  fk.vector_calls++;
  fk.outputs_live = 1;
  for (uint32_t o = 0; o < n; o++) {
    float sum = 0;
    for (uint32_t k = 0; k < count; k++) {
      int16_t v = hal_input(in, k);
      if (v == 0) continue;
      uint32_t row = t->row0 + (transpose ? first + o : k);
      uint32_t col = t->col0 + (transpose ? k : first + o);
      if (t->array > 1 || t->plane > 1 || row >= ROWS || col >= COLS) return HAL_FAULT;
      sum += (float)v * 1e-4f * fk.g[t->array][t->plane][row][col];
    }
    amps[o] = sum;
  }
  return HAL_OK;
}

static enum hal_status f_slot(void *ctx, const struct hal_tile *t, const struct fw_streams *rows, const struct fw_streams *cols, uint32_t slot,
                              const struct fw_shape *up, const struct fw_shape *down, uint32_t *pulses) {
  (void)ctx;
  (void)up;
  (void)down;
  int8_t rd[ROWS], cd[COLS];
  if (t->array > 1 || t->plane > 1 || rows->n > ROWS || cols->n > COLS || t->row0 + rows->n > ROWS || t->col0 + cols->n > COLS) return HAL_FAULT;
  hal_drives(rows, slot, rd);
  hal_drives(cols, slot, cd);
  fk.slot_calls++;
  fk.outputs_live = 1;
  uint32_t n = 0;
  for (uint32_t r = 0; r < rows->n; r++) {
    for (uint32_t c = 0; c < cols->n; c++) {
      if (rd[r] == 0 || cd[c] == 0) continue;
      if (rd[r] == cd[c]) fk.ups[t->array][t->plane][t->row0 + r][t->col0 + c]++;
      else fk.downs[t->array][t->plane][t->row0 + r][t->col0 + c]++;
      n++;
    }
  }
  *pulses = n;
  return HAL_OK;
}

static const struct hal HAL = {NULL, f_micros, f_read, f_write, f_idle, f_select, f_dac, f_fire, f_readv, f_current, NULL, NULL};
static const struct hal HAL_PARALLEL = {NULL, f_micros, f_read, f_write, f_idle, f_select, f_dac, f_fire, f_readv, f_current, f_vector, f_slot};

/* array 0: 8 x 6 with a reference; array 1: 4 x 4 without */
static const struct fw_array_info ARRAYS[2] = {{ROWS, COLS, 1}, {4, 4, 0}};
static struct board_config cfg = {"TB-0001", "test board", "0.0.1", 1000, 8192, 2, ARRAYS,
                                  {3000, 5000, 10, 1000000, 100000, 1000000, 1000000}, 16, 1e-6f, 1e-4f, 2.5e-8f, 4088, 0};
static struct board b;

/* ---------------------------------------------------------------------------------------------- helpers */

static void reset_all(void) {
  memset(&fk, 0, sizeof fk);
  fk.selected = -1;
  for (int p = 0; p < 2; p++)
    for (int r = 0; r < ROWS; r++)
      for (int c = 0; c < COLS; c++) fk.g[0][p][r][c] = 1e-6f * (float)(10 + r * COLS + c + 50 * p);
  cfg.max_values_per_part = 4088;
  cfg.unsupported_ops = 0;
  board_init(&b, &HAL, &cfg);
}

static void send_raw(const uint8_t *packet, size_t len) {
  uint8_t payload[FW_MAX_PAYLOAD_BYTES];
  memcpy(payload, packet, len);
  uint32_t crc = crc32c(packet, len);
  for (int k = 0; k < 4; k++) payload[len + (size_t)k] = (uint8_t)(crc >> (8 * k));
  fk.in_len += cobs_encode(payload, len + 4, fk.in + fk.in_len);
  fk.in[fk.in_len++] = 0;
}

static void send(const struct fw_command *c) {
  uint8_t packet[FW_MAX_PACKET_BYTES];
  size_t len = fw_encode_command(c, packet, sizeof packet);
  send_raw(packet, len);
}

static void send_abort_now(uint16_t seq) {
  uint8_t packet[] = {1, FW_ABORT, (uint8_t)seq, (uint8_t)(seq >> 8), 0};
  send_raw(packet, sizeof packet);
}

/* Polls until the input is consumed and nothing runs (bounded). */
static void run(void) {
  for (int k = 0; k < 100000 && (fk.in_at < fk.in_len || board_busy(&b)); k++) board_poll(&b);
}

/* The responses sent since the last call, decoded; packets are kept in a static store. */
static struct fw_response got[256];
static int got_n;
static uint8_t store[256][FW_MAX_PAYLOAD_BYTES];

static int collect(void) {
  static struct frame_decoder d;
  frame_decoder_init(&d);
  got_n = 0;
  for (size_t k = 0; k < fk.out_len && k < sizeof fk.out; k++) {
    const uint8_t *p;
    size_t l;
    enum frame_event e = frame_decoder_push(&d, fk.out[k], &p, &l);
    CHECK(e != FRAME_DROPPED, "the board sent a bad frame");
    if (e == FRAME_PACKET && got_n < 256) {
      memcpy(store[got_n], p, l);
      struct fw_detail why;
      enum fw_error err = fw_decode_response(store[got_n], l, &got[got_n], &why);
      CHECK(err == FW_E_NONE, "the board sent an undecodable response: %s", why.text);
      got_n++;
    }
  }
  fk.out_len = 0;
  return got_n;
}

static struct fw_command cmd(uint8_t opcode, uint16_t seq) {
  struct fw_command c;
  memset(&c, 0, sizeof c);
  c.opcode = opcode;
  c.sequence = seq;
  return c;
}

/* The 3 x 2 parallel update the tests send: 10-bit streams, row streams {11, 0, -1023}, column streams {-6, 1}. */
static struct fw_command update_3x2(uint16_t seq, struct fw_tile tile) {
  struct fw_command u = cmd(FW_UPDATE, seq);
  u.u.update.tile = tile;
  u.u.update.bit_length = 10;
  u.u.update.up = (struct fw_shape){1000, 100, 1000};
  u.u.update.down = (struct fw_shape){1200, 100, 1000};
  static const uint8_t rp[] = {0x05}, rsg[] = {0x02}, rm[] = {0x0B, 0x00, 0xFF, 0x03};
  static const uint8_t cp[] = {0x03}, csg[] = {0x01}, cm[] = {0x06, 0x00, 0x01, 0x00};
  u.u.update.rows = (struct fw_streams){rp, rsg, rm, 3, 2, 2};
  u.u.update.cols = (struct fw_streams){cp, csg, cm, 2, 2, 2};
  return u;
}

static void hello(uint16_t seq) {
  struct fw_command c = cmd(FW_HELLO, seq);
  c.u.hello.min_version = 1;
  c.u.hello.max_version = 1;
  send(&c);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_IDENTITY, "HELLO answered by IDENTITY");
}

static struct fw_command pulse(uint16_t seq, uint8_t array, uint16_t row, uint16_t col, uint8_t polarity, uint16_t mv, uint32_t width, uint32_t period,
                               uint32_t count) {
  struct fw_command c = cmd(FW_PULSE, seq);
  c.u.pulse.cell.array = array;
  c.u.pulse.cell.row = row;
  c.u.pulse.cell.col = col;
  c.u.pulse.polarity = polarity;
  c.u.pulse.shape.amplitude_mv = mv;
  c.u.pulse.shape.width_ns = width;
  c.u.pulse.shape.period_ns = period;
  c.u.pulse.count = count;
  return c;
}

static void expect_error(uint16_t seq, enum fw_error code) {
  CHECK(got_n >= 1 && got[got_n - 1].opcode == FW_ERROR && got[got_n - 1].u.error.code == code && got[got_n - 1].sequence == seq,
        "expected ERROR %s for sequence %u; got %d responses, last opcode 0x%02x code %u", fw_error_name(code), seq, got_n,
        got_n ? got[got_n - 1].opcode : 0, got_n ? got[got_n - 1].u.error.code : 0);
}

static long total_pulses(void) {
  long n = 0;
  for (int a = 0; a < 2; a++)
    for (int p = 0; p < 2; p++)
      for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++) n += fk.ups[a][p][r][c] + fk.downs[a][p][r][c];
  return n;
}

static struct fw_response executed(uint16_t seq) {
  struct fw_command c = cmd(FW_LAST_EXECUTED, seq);
  send(&c);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_EXECUTED, "LAST_EXECUTED answered");
  return got[0];
}

/* ---------------------------------------------------------------------------------------------- tests */

static void test_crc_and_cobs(void) {
  current = "crc and cobs";
  CHECK(crc32c((const uint8_t *)"123456789", 9) == 0xE3069283u, "CRC-32C check value");
  struct {
    uint8_t in[8];
    size_t n;
    uint8_t out[8];
    size_t m;
  } ex[] = {{{0x00}, 1, {1, 1}, 2}, {{0x11, 0x22, 0x00, 0x33}, 4, {3, 0x11, 0x22, 2, 0x33}, 5}, {{0x11, 0, 0, 0}, 4, {2, 0x11, 1, 1, 1}, 5}};
  for (size_t k = 0; k < 3; k++) {
    uint8_t enc[16];
    size_t m = cobs_encode(ex[k].in, ex[k].n, enc);
    CHECK(m == ex[k].m && memcmp(enc, ex[k].out, m) == 0, "COBS example %zu", k);
    uint8_t dec[16];
    CHECK(cobs_decode(enc, m, dec) == (long)ex[k].n && memcmp(dec, ex[k].in, ex[k].n) == 0, "COBS example %zu decodes", k);
  }
  uint8_t full[254];
  for (int k = 0; k < 254; k++) full[k] = (uint8_t)(k + 1);
  uint8_t enc[300];
  size_t m = cobs_encode(full, 254, enc);
  CHECK(m == 255 && enc[0] == 0xFF, "254 bytes: one full block, no trailing empty one");
  enc[255] = 1;
  uint8_t dec[300];
  CHECK(cobs_decode(enc, 256, dec) == 254, "a trailing 0x01 after a full block is accepted");
  uint8_t bad[] = {5, 1, 2};
  CHECK(cobs_decode(bad, 3, dec) < 0, "a block running past the end is refused");
}

static void test_framing(void) {
  current = "framing";
  reset_all();
  /* garbage, an empty frame, a frame with a bad CRC, then a good HELLO: only the HELLO is answered */
  uint8_t noise[] = {0x13, 0x37, 0x42, 0x00, 0x00, 0x00};
  memcpy(fk.in, noise, sizeof noise);
  fk.in_len = sizeof noise;
  uint8_t packet[] = {1, FW_HELLO, 7, 0, 0, 1, 1};
  size_t at = fk.in_len;
  send_raw(packet, sizeof packet);
  fk.in[at + 3] ^= 0x40; /* corrupt the first copy */
  send_raw(packet, sizeof packet);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_IDENTITY && got[0].sequence == 7, "only the good frame is answered (%d answers)", got_n);
  CHECK(b.frames_dropped == 2, "garbage and bad CRC counted: %lu", (unsigned long)b.frames_dropped);
  /* an oversize frame: 9000 non-zero bytes, then a good frame decodes */
  fk.in_len = fk.in_at = 0;
  for (int k = 0; k < 9000; k++) fk.in[fk.in_len++] = 0x55;
  fk.in[fk.in_len++] = 0;
  send_raw(packet, sizeof packet);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_IDENTITY, "resynchronised after an oversize frame");
  CHECK(b.frames_dropped == 3, "oversize counted once: %lu", (unsigned long)b.frames_dropped);
}

static void test_handshake(void) {
  current = "handshake";
  reset_all();
  struct fw_command p = pulse(3, 0, 1, 1, FW_UP, 1000, 100, 1000, 5);
  send(&p);
  run();
  collect();
  expect_error(3, FW_E_HANDSHAKE_REQUIRED);
  CHECK(total_pulses() == 0, "nothing pulsed before the handshake");
  struct fw_command h = cmd(FW_HELLO, 4);
  h.u.hello.min_version = 2;
  h.u.hello.max_version = 3;
  send(&h);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_IDENTITY && got[0].u.identity.protocol_version == 1, "IDENTITY even outside the window");
  send(&p);
  run();
  collect();
  expect_error(3, FW_E_HANDSHAKE_REQUIRED);
  hello(5);
  send(&p);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_PULSE_DONE && got[0].u.pulses_applied == 5, "PULSE after the handshake");
  CHECK(fk.ups[0][0][1][1] == 5, "five UP pulses on (1, 1): %ld", fk.ups[0][0][1][1]);
  CHECK(!fk.outputs_live, "outputs idle after the command");
}

static void test_refusals(void) {
  current = "refusals";
  reset_all();
  hello(1);
  struct {
    struct fw_command c;
    enum fw_error e;
  } cases[] = {
      {pulse(10, 0, 1, 1, FW_UP, 3001, 100, 1000, 1), FW_E_LIMIT_EXCEEDED}, /* amplitude over the limit: refused, not clamped */
      {pulse(11, 0, 1, 1, FW_UP, 1000, 9, 200, 1), FW_E_LIMIT_EXCEEDED},   /* width under the minimum */
      {pulse(12, 0, 1, 1, FW_UP, 1000, 1000001, 1000001, 1), FW_E_LIMIT_EXCEEDED},
      {pulse(13, 0, 1, 1, FW_UP, 1000, 100, 999, 1), FW_E_LIMIT_EXCEEDED}, /* 1.001 MHz > 1 MHz */
      {pulse(14, 0, 1, 1, FW_UP, 1000, 100, 1000, 100001), FW_E_LIMIT_EXCEEDED},
      {pulse(15, 0, 8, 1, FW_UP, 1000, 100, 1000, 1), FW_E_OUT_OF_RANGE},
      {pulse(16, 0, 1, 6, FW_UP, 1000, 100, 1000, 1), FW_E_OUT_OF_RANGE},
      {pulse(17, 2, 1, 1, FW_UP, 1000, 100, 1000, 1), FW_E_OUT_OF_RANGE},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    send(&cases[k].c);
    run();
    collect();
    expect_error(cases[k].c.sequence, cases[k].e);
  }
  struct fw_command ref = pulse(18, 1, 1, 1, FW_UP, 1000, 100, 1000, 1);
  ref.u.pulse.cell.plane = FW_PLANE_REFERENCE; /* array 1 has no reference */
  send(&ref);
  run();
  collect();
  expect_error(18, FW_E_OUT_OF_RANGE);
  struct fw_command rd = cmd(FW_READ, 19);
  rd.u.read.read_tenth_mv = 5001;
  send(&rd);
  run();
  collect();
  expect_error(19, FW_E_LIMIT_EXCEEDED);
  struct fw_command fr = cmd(FW_FORWARD_READ, 20);
  fr.u.vector.tile.rows = 2;
  fr.u.vector.tile.cols = 2;
  uint8_t v[4] = {0x00, 0x80, 0x10, 0x00}; /* -32768: |v| over the limit */
  fr.u.vector.volts = v;
  fr.u.vector.count = 2;
  send(&fr);
  run();
  collect();
  expect_error(20, FW_E_LIMIT_EXCEEDED);
  fr.sequence = 21;
  fr.u.vector.tile.row0 = 7;
  send(&fr);
  run();
  collect();
  expect_error(21, FW_E_OUT_OF_RANGE);
  CHECK(total_pulses() == 0, "no refused command moved a device");
  /* Refused device-changing commands are recorded FAILED with their error and no pulses (5.4); reads are not. */
  struct fw_response hist = executed(22);
  CHECK(hist.u.executed.count == 9, "the nine refused pulses are in the history: %u", (unsigned)hist.u.executed.count);
  for (uint32_t k = 0; k < hist.u.executed.count && k < 9; k++) {
    const struct fw_record *r = &hist.u.executed.records[k];
    enum fw_error want = k == 0 ? FW_E_OUT_OF_RANGE : cases[8 - k].e;
    CHECK(r->sequence == 18 - k && r->outcome == FW_FAILED && r->error == want && r->pulses == 0, "record %u: sequence %u", (unsigned)k, (unsigned)r->sequence);
  }
  send(&cases[0].c); /* a refused pulse sent again: a duplicate, not a second evaluation */
  run();
  collect();
  expect_error(cases[0].c.sequence, FW_E_DUPLICATE);
  CHECK(b.last_error == FW_E_OUT_OF_RANGE, "lastError names the last refusal");
  /* malformed, unknown, version */
  uint8_t flags[] = {1, FW_STATUS, 30, 0, 0x02};
  send_raw(flags, sizeof flags);
  uint8_t unknown[] = {1, 0x20, 31, 0, 0};
  send_raw(unknown, sizeof unknown);
  uint8_t response[] = {1, FW_ACK, 32, 0, 0};
  send_raw(response, sizeof response);
  uint8_t version[] = {2, FW_STATUS, 33, 0, 0};
  send_raw(version, sizeof version);
  uint8_t shortbody[] = {1, FW_READ, 34, 0, 0, 0, 0, 1, 0};
  send_raw(shortbody, sizeof shortbody);
  uint8_t badplane[] = {1, FW_READ, 35, 0, 0, 0, 2, 1, 0, 1, 0, 0xd0, 0x07};
  send_raw(badplane, sizeof badplane);
  run();
  collect();
  enum fw_error want[] = {FW_E_MALFORMED, FW_E_UNKNOWN_OPCODE, FW_E_UNKNOWN_OPCODE, FW_E_VERSION_MISMATCH, FW_E_MALFORMED, FW_E_MALFORMED};
  CHECK(got_n == 6, "one answer each: %d", got_n);
  for (int k = 0; k < got_n && k < 6; k++) {
    CHECK(got[k].opcode == FW_ERROR && got[k].u.error.code == want[k] && got[k].sequence == 30 + k, "answer %d: %s", k, fw_error_name(got[k].u.error.code));
  }
  CHECK(got_n >= 2 && got[1].u.error.offending_opcode == 0x20, "the unknown opcode is echoed");
}

static void test_history_and_duplicates(void) {
  current = "history";
  reset_all();
  hello(1);
  struct fw_command p = pulse(100, 0, 2, 3, FW_DOWN, 1000, 100, 1000, 7);
  send(&p);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_PULSE_DONE, "pulse done");
  send(&p); /* a byte-identical re-send: answered DUPLICATE, not pulsed twice */
  run();
  collect();
  expect_error(100, FW_E_DUPLICATE);
  CHECK(fk.downs[0][0][2][3] == 7, "pulsed once: %ld", fk.downs[0][0][2][3]);
  struct fw_response e = executed(101);
  CHECK(e.u.executed.count == 1 && e.u.executed.records[0].sequence == 100 && e.u.executed.records[0].outcome == FW_COMPLETED &&
            e.u.executed.records[0].pulses == 7 && e.u.executed.records[0].opcode == FW_PULSE,
        "the record");
  for (uint16_t s = 200; s < 240; s++) { /* one at a time, as a host does (PROTOCOL.md 5.5) */
    struct fw_command q = pulse(s, 0, 0, 0, FW_UP, 1000, 100, 1000, 1);
    send(&q);
    run();
  }
  collect();
  e = executed(300);
  CHECK(e.u.executed.count == FW_MAX_RECORDS && e.u.executed.records[0].sequence == 239 && e.u.executed.records[31].sequence == 208,
        "32 newest first");
  hello(301);
  CHECK(executed(302).u.executed.count == FW_MAX_RECORDS, "the history survives HELLO");
  board_reset(&b);
  hello(303);
  CHECK(executed(304).u.executed.count == 0, "a reset forgets the history");
}

static void test_streaming(void) {
  current = "streaming";
  reset_all();
  cfg.max_values_per_part = 5;
  hello(1);
  struct fw_command r = cmd(FW_READ_ROW, 2);
  r.u.line.index = 3;
  r.u.line.read_tenth_mv = 2000;
  send(&r);
  run();
  collect();
  CHECK(got_n == 2, "6 codes in parts of 5: %d parts", got_n);
  CHECK(got[0].more && !got[1].more && got[0].u.conductances.first == 0 && got[1].u.conductances.first == 5 && got[1].u.conductances.part == 1,
        "parts numbered, MORE on all but the last");
  for (int k = 0; k < got_n; k++) {
    for (unsigned i = 0; i < got[k].u.conductances.count; i++) {
      unsigned col = got[k].u.conductances.first + i;
      double want = fk.g[0][0][3][col] / 2.5e-8;
      unsigned code = fw_get_u16(got[k].u.conductances.codes + 2 * i);
      CHECK(fabs(code - want) <= 1, "code of (3, %u): %u (expected: %.1f)", col, code, want);
    }
  }
  struct fw_command a = cmd(FW_READ_ARRAY, 3);
  a.u.array.read_tenth_mv = 2000;
  send(&a);
  run();
  collect();
  CHECK(got_n == 10 && !got[9].more && got[9].u.conductances.first == 45 && got[9].u.conductances.count == 3, "48 codes in 10 parts");
  struct fw_command f = cmd(FW_FORWARD_READ, 4);
  f.u.vector.tile.row0 = 1;
  f.u.vector.tile.col0 = 0;
  f.u.vector.tile.rows = 3;
  f.u.vector.tile.cols = 6;
  f.u.vector.mode = FW_MODE_DIFFERENTIAL;
  uint8_t v[6] = {0xe8, 0x03, 0x0c, 0xfe, 0, 0}; /* +0.1 V, -0.05 V, 0 */
  f.u.vector.volts = v;
  f.u.vector.count = 3;
  send(&f);
  run();
  collect();
  CHECK(got_n == 2 && got[0].opcode == FW_CURRENTS && got[1].u.currents.first == 5, "6 currents in 2 parts");
  for (int k = 0; k < got_n; k++) {
    for (unsigned i = 0; i < got[k].u.currents.count; i++) {
      unsigned col = got[k].u.currents.first + i;
      double want = 0.1 * (fk.g[0][0][1][col] - fk.g[0][1][1][col]) - 0.05 * (fk.g[0][0][2][col] - fk.g[0][1][2][col]);
      float amps = fw_get_f32(got[k].u.currents.amps + 4 * i);
      CHECK(fabs(amps - want) <= 1e-6 * fabs(want) + 1e-12, "current %u: %g (expected: %g)", col, amps, want);
    }
  }
  CHECK(!fk.outputs_live, "outputs idle after streamed commands");
}

/* The golden vector's program: rows +0b1011, 0, -0x3FF; columns -0b0110, +0b0001, BL 10. */
static void test_update(void) {
  current = "update";
  reset_all();
  hello(1);
  struct fw_command u = update_3x2(16, (struct fw_tile){0, 0, 0, 3, 2});
  send(&u);
  run();
  collect();
  long streams_r[3] = {11, 0, -1023};
  long streams_c[2] = {-6, 1};
  long total = 0;
  for (int j = 0; j < 3; j++) {
    for (int i = 0; i < 2; i++) {
      long n = __builtin_popcountl((unsigned long)labs(streams_r[j]) & (unsigned long)labs(streams_c[i]));
      int agree = (streams_r[j] < 0) == (streams_c[i] < 0);
      CHECK(fk.ups[0][0][j][i] == (agree ? n : 0) && fk.downs[0][0][j][i] == (agree ? 0 : n), "device (%d, %d): %ld up, %ld down (expected: %ld %s)", j,
            i, fk.ups[0][0][j][i], fk.downs[0][0][j][i], n, agree ? "up" : "down");
      total += n;
    }
  }
  CHECK(got_n == 1 && got[0].opcode == FW_UPDATE_PROGRESS && !got[0].more && got[0].u.progress.slots_done == 10 && got[0].u.progress.pulses == total,
        "one final UPDATE_PROGRESS with the totals (%ld pulses)", total);
  /* A slow update (60 ms per pulse): progress parts at least every 100 ms, MORE set, then the final one. */
  fk.us_per_pulse = 60000;
  u.sequence = 17;
  send(&u);
  run();
  collect();
  CHECK(got_n >= 3 && !got[got_n - 1].more && got[0].more && got[got_n - 1].u.progress.pulses == total, "progress while it runs: %d parts", got_n);
}

static void test_abort_busy_watchdog(void) {
  current = "abort";
  reset_all();
  hello(1);
  fk.us_per_pulse = 10; /* 100 pulses per slice */
  struct fw_command p = pulse(50, 0, 4, 4, FW_UP, 1000, 100, 1000, 100000);
  send(&p);
  board_poll(&b); /* starts, runs one slice */
  CHECK(board_busy(&b), "still running after a slice");
  struct fw_command rd = cmd(FW_READ, 51);
  rd.u.read.read_tenth_mv = 2000;
  send(&rd);
  struct fw_command st = cmd(FW_STATUS, 52);
  send(&st);
  board_poll(&b);
  collect();
  CHECK(got_n == 2 && got[0].u.error.code == FW_E_BUSY && got[0].sequence == 51, "READ refused BUSY");
  CHECK(got_n == 2 && got[1].opcode == FW_STATUS_REPORT && (got[1].u.status.flags & 2) && !(got[1].u.status.flags & 1), "STATUS while busy");
  /* A device-changing command refused BUSY is recorded FAILED, so that a late copy of its frame never runs (5.4); a
   * re-send of the running command itself is a duplicate, IN_PROGRESS (DUPLICATE before BUSY, 6.1). */
  struct fw_command late = pulse(55, 0, 1, 1, FW_UP, 1000, 100, 1000, 3);
  send(&late);
  send(&p);
  board_poll(&b);
  collect();
  CHECK(got_n == 2 && got[0].sequence == 55 && got[0].u.error.code == FW_E_BUSY, "PULSE refused BUSY");
  CHECK(got_n == 2 && got[1].sequence == 50 && got[1].u.error.code == FW_E_DUPLICATE, "the running command re-sent: DUPLICATE");
  struct fw_command ab = cmd(FW_ABORT, 53);
  send(&ab);
  board_poll(&b);
  collect();
  CHECK(got_n == 2 && got[0].opcode == FW_ERROR && got[0].u.error.code == FW_E_ABORTED && got[0].sequence == 50 && got[1].opcode == FW_ACK &&
            got[1].sequence == 53,
        "ERROR ABORTED for the pulse, then ACK");
  CHECK(!board_busy(&b) && !fk.outputs_live, "stopped, outputs idle");
  long applied = fk.ups[0][0][4][4];
  CHECK(applied > 0 && applied < 100000, "stopped part way: %ld", applied);
  struct fw_response e = executed(54);
  CHECK(e.u.executed.count == 2 && e.u.executed.records[0].sequence == 55 && e.u.executed.records[0].outcome == FW_FAILED &&
            e.u.executed.records[0].error == FW_E_BUSY && e.u.executed.records[0].pulses == 0,
        "the BUSY refusal recorded FAILED, no pulses");
  CHECK(e.u.executed.records[1].sequence == 50 && e.u.executed.records[1].outcome == FW_OUTCOME_ABORTED && e.u.executed.records[1].error == FW_E_ABORTED &&
            e.u.executed.records[1].pulses == applied,
        "recorded ABORTED with the pulses applied");
  send(&late); /* the refused frame arrives again, late: the board is idle now, and must not run it */
  run();
  collect();
  expect_error(55, FW_E_DUPLICATE);
  CHECK(fk.ups[0][0][1][1] == 0, "the refused pulse never ran: %ld", fk.ups[0][0][1][1]);

  current = "watchdog";
  p.sequence = 60;
  send(&p);
  board_poll(&b);
  fk.t_us += 1000001; /* the host goes quiet */
  board_poll(&b);
  collect();
  expect_error(60, FW_E_WATCHDOG);
  CHECK(!board_busy(&b) && !fk.outputs_live, "the watchdog idles the outputs");
  struct fw_command q = pulse(61, 0, 0, 0, FW_UP, 1000, 100, 1000, 1);
  send(&q);
  send(&st);
  run();
  collect();
  CHECK(got_n == 2 && got[0].u.error.code == FW_E_WATCHDOG && (got[1].u.status.flags & 8) && (got[1].u.status.flags & 4), "WATCHDOG until HELLO; tripped");
  hello(62);
  q.sequence = 63;
  send(&q);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_PULSE_DONE, "HELLO re-arms");

  current = "compliance";
  fk.us_per_pulse = 0;
  fk.comply_after = fk.fired + 3;
  struct fw_command c = pulse(70, 0, 5, 5, FW_UP, 1000, 100, 1000, 10);
  send(&c);
  run();
  collect();
  expect_error(70, FW_E_COMPLIANCE);
  e = executed(71);
  CHECK(e.u.executed.records[0].outcome == FW_FAILED && e.u.executed.records[0].error == FW_E_COMPLIANCE && e.u.executed.records[0].pulses == 2,
        "recorded FAILED after 2 pulses");
  CHECK(!fk.outputs_live, "idle after compliance");

  current = "reset";
  fk.comply_after = 0;
  fk.us_per_pulse = 10;
  p.sequence = 80;
  send(&p);
  board_poll(&b);
  board_reset(&b);
  collect();
  CHECK(got_n == 0 && !board_busy(&b) && !fk.outputs_live, "a reset says nothing, stops, idles");
  send(&q);
  run();
  collect();
  expect_error(q.sequence, FW_E_HANDSHAKE_REQUIRED);
}

/* PROTOCOL.md 5.6: at most the pulse (or UPDATE slot) in progress completes after ABORT arrives; 5.1: ABORT is
 * served before the handshake too. */
static void test_abort_latency(void) {
  current = "abort latency";
  reset_all();
  struct fw_command ab = cmd(FW_ABORT, 1);
  send(&ab);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_ACK && got[0].sequence == 1, "ABORT before the handshake: ACK");
  hello(2);
  fk.abort_at = 7; /* arrives while the 7th pulse of a 1000-pulse train fires (one slice would be all of them) */
  fk.abort_seq = 4;
  struct fw_command p = pulse(3, 0, 2, 2, FW_UP, 1000, 100, 1000, 1000);
  send(&p);
  run();
  collect();
  CHECK(fk.ups[0][0][2][2] == 7, "pulses applied: %ld (expected: 7, the one in progress when ABORT arrived)", fk.ups[0][0][2][2]);
  CHECK(got_n == 2 && got[0].u.error.code == FW_E_ABORTED && got[0].sequence == 3 && got[1].opcode == FW_ACK && got[1].sequence == 4,
        "ERROR ABORTED for the train, then ACK");
  /* An UPDATE: the ABORT arrives during slot 0; slot 0 completes, no later slot runs. Rows +0b111 x 2, columns +0b111
   * x 3: 6 pulses per slot, BL 3. */
  struct fw_command u = cmd(FW_UPDATE, 5);
  u.u.update.tile.rows = 2;
  u.u.update.tile.cols = 3;
  u.u.update.bit_length = 3;
  u.u.update.up = (struct fw_shape){1000, 100, 1000};
  u.u.update.down = (struct fw_shape){1000, 100, 1000};
  static const uint8_t rp[] = {0x03}, none[] = {0x00}, rm[] = {0x07, 0x07}, cp[] = {0x07}, cm[] = {0x07, 0x07, 0x07};
  u.u.update.rows = (struct fw_streams){rp, none, rm, 2, 2, 1};
  u.u.update.cols = (struct fw_streams){cp, none, cm, 3, 3, 1};
  fk.abort_at = fk.fired + 2;
  fk.abort_seq = 6;
  long before = total_pulses();
  send(&u);
  run();
  collect();
  CHECK(total_pulses() - before == 6, "update pulses after ABORT in slot 0: %ld (expected: 6, slot 0 only)", total_pulses() - before);
  CHECK(got_n == 2 && got[0].u.error.code == FW_E_ABORTED && got[0].sequence == 5 && got[1].opcode == FW_ACK, "ERROR ABORTED, then ACK");
  fk.abort_at = 0;
}

/* A board without native vector reads: IDENTITY says so and the commands are refused UNSUPPORTED, nothing moves. */
static void test_unsupported(void) {
  current = "unsupported";
  reset_all();
  cfg.unsupported_ops = 1u << (FW_FORWARD_READ - FW_READ) | 1u << (FW_TRANSPOSE_READ - FW_READ);
  struct fw_command h = cmd(FW_HELLO, 1);
  h.u.hello.min_version = h.u.hello.max_version = 1;
  send(&h);
  run();
  collect();
  CHECK(got_n == 1 && got[0].u.identity.native_ops == (0x1FFu & ~cfg.unsupported_ops), "nativeOps without the vector reads: 0x%x",
        got_n ? got[0].u.identity.native_ops : 0);
  struct fw_command f = cmd(FW_FORWARD_READ, 2);
  f.u.vector.tile.rows = 1;
  f.u.vector.tile.cols = 1;
  uint8_t v[2] = {0xd0, 0x07};
  f.u.vector.volts = v;
  f.u.vector.count = 1;
  send(&f);
  run();
  collect();
  expect_error(2, FW_E_UNSUPPORTED);
  CHECK(!fk.outputs_live && fk.selected != 1, "nothing selected");
  struct fw_command r = cmd(FW_READ, 3);
  r.u.read.read_tenth_mv = 2000;
  send(&r);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_CONDUCTANCE, "READ still native");
  /* A device-changing command refused UNSUPPORTED is recorded FAILED (PROTOCOL.md 5.4) and names lastError; a late
   * copy of its frame is a DUPLICATE, not a second evaluation. UNSUPPORTED comes after DUPLICATE and BUSY (6.1). */
  cfg.unsupported_ops |= 1u << (FW_PULSE - FW_READ);
  struct fw_command p = pulse(4, 0, 1, 1, FW_UP, 1000, 100, 1000, 3);
  send(&p);
  run();
  collect();
  expect_error(4, FW_E_UNSUPPORTED);
  CHECK(b.last_error == FW_E_UNSUPPORTED, "lastError names the UNSUPPORTED refusal: %u", (unsigned)b.last_error);
  struct fw_response e = executed(5);
  CHECK(e.u.executed.count == 1 && e.u.executed.records[0].sequence == 4 && e.u.executed.records[0].outcome == FW_FAILED &&
            e.u.executed.records[0].error == FW_E_UNSUPPORTED && e.u.executed.records[0].pulses == 0,
        "the UNSUPPORTED pulse recorded FAILED, no pulses");
  send(&p);
  run();
  collect();
  expect_error(4, FW_E_DUPLICATE);
  CHECK(total_pulses() == 0, "nothing moved");
  cfg.unsupported_ops = 0;
}

/* What one program gives: the currents of a forward read (differential, two parts) and of a transpose read (active),
 * the pulses the update reports, and each device's pulses. */
struct program_result {
  float forward[COLS], transpose[3];
  unsigned forward_n, transpose_n;
  uint32_t update_pulses;
  long ups[ROWS][COLS], downs[ROWS][COLS];
};

static void run_program(const struct hal *h, struct program_result *out) {
  reset_all();
  cfg.max_values_per_part = 5;
  board_init(&b, h, &cfg);
  memset(out, 0, sizeof *out);
  hello(1);
  struct fw_command f = cmd(FW_FORWARD_READ, 2);
  f.u.vector.tile = (struct fw_tile){0, 1, 0, 3, 6};
  f.u.vector.mode = FW_MODE_DIFFERENTIAL;
  uint8_t v[6] = {0xe8, 0x03, 0x0c, 0xfe, 0, 0}; /* +0.1 V, -0.05 V, 0 */
  f.u.vector.volts = v;
  f.u.vector.count = 3;
  send(&f);
  run();
  collect();
  CHECK(got_n == 2 && !got[1].more, "forward: 2 parts, got %d", got_n);
  for (int k = 0; k < got_n && got[k].opcode == FW_CURRENTS; k++) {
    for (unsigned i = 0; i < got[k].u.currents.count && out->forward_n < COLS; i++) out->forward[out->forward_n++] = fw_get_f32(got[k].u.currents.amps + 4 * i);
  }
  struct fw_command tr = cmd(FW_TRANSPOSE_READ, 3);
  tr.u.vector.tile = (struct fw_tile){0, 2, 1, 3, 4};
  tr.u.vector.mode = FW_MODE_ACTIVE;
  uint8_t tv[8] = {0xd0, 0x07, 0, 0, 0x30, 0xf8, 0xe8, 0x03}; /* +0.2, 0, -0.2, +0.1 V */
  tr.u.vector.volts = tv;
  tr.u.vector.count = 4;
  send(&tr);
  run();
  collect();
  CHECK(got_n == 1 && got[0].opcode == FW_CURRENTS, "transpose: one part");
  for (unsigned i = 0; got_n == 1 && i < got[0].u.currents.count && i < 3; i++) out->transpose[out->transpose_n++] = fw_get_f32(got[0].u.currents.amps + 4 * i);
  struct fw_command u = update_3x2(4, (struct fw_tile){0, 2, 3, 3, 2});
  send(&u);
  run();
  collect();
  CHECK(got_n >= 1 && got[got_n - 1].opcode == FW_UPDATE_PROGRESS && !got[got_n - 1].more, "update answered");
  if (got_n >= 1) out->update_pulses = got[got_n - 1].u.progress.pulses;
  memcpy(out->ups, fk.ups[0][0], sizeof out->ups);
  memcpy(out->downs, fk.downs[0][0], sizeof out->downs);
  CHECK(!fk.outputs_live, "outputs idle after the program");
}

/* A board's parallel hooks replace the composed vector reads and update, with the same result per device. */
static void test_parallel_hooks(void) {
  current = "parallel hooks";
  struct program_result composed, parallel;
  run_program(&HAL, &composed);
  long composed_selects = fk.selects;
  CHECK(fk.vector_calls == 0 && fk.slot_calls == 0, "no hooks, none called");
  run_program(&HAL_PARALLEL, &parallel);
  CHECK(composed_selects > 0 && fk.selects == 0, "with the hooks no device is selected one by one: %ld (composed: %ld)", fk.selects, composed_selects);
  CHECK(fk.vector_calls == 2 * 2 + 1, "vector_read per plane and part: %ld (expected: 5)", fk.vector_calls);
  CHECK(fk.slot_calls == 10, "update_slot once per slot: %ld (expected: 10)", fk.slot_calls);
  CHECK(composed.forward_n == 6 && parallel.forward_n == 6 && composed.transpose_n == 3 && parallel.transpose_n == 3, "all outputs");
  for (unsigned k = 0; k < 6; k++) {
    CHECK(fabsf(composed.forward[k] - parallel.forward[k]) <= 1e-6f * fabsf(composed.forward[k]) && composed.forward[k] != 0, "forward %u: %g vs %g", k,
          composed.forward[k], parallel.forward[k]);
  }
  for (unsigned k = 0; k < 3; k++) {
    CHECK(fabsf(composed.transpose[k] - parallel.transpose[k]) <= 1e-6f * fabsf(composed.transpose[k]) && composed.transpose[k] != 0,
          "transpose %u: %g vs %g", k, composed.transpose[k], parallel.transpose[k]);
  }
  CHECK(composed.update_pulses > 0 && composed.update_pulses == parallel.update_pulses, "update pulses: %u vs %u", composed.update_pulses,
        parallel.update_pulses);
  CHECK(memcmp(composed.ups, parallel.ups, sizeof composed.ups) == 0 && memcmp(composed.downs, parallel.downs, sizeof composed.downs) == 0,
        "every device got the same pulses");
  cfg.max_values_per_part = 4088;
}

int main(void) {
  test_crc_and_cobs();
  test_framing();
  test_handshake();
  test_refusals();
  test_history_and_duplicates();
  test_streaming();
  test_update();
  test_abort_busy_watchdog();
  test_unsupported();
  test_abort_latency();
  test_parallel_hooks();
  printf("test_board: %d failures\n", failures);
  return failures == 0 ? 0 : 1;
}

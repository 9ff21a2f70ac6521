#include "board.h"

#include <string.h>

#include "crc32c.h"

/* ============================================================================================== sending */

static void chunk_flush(struct board *b) {
  if (b->tx_chunk_len) b->hal->link_write(b->hal->ctx, b->tx_chunk, b->tx_chunk_len);
  b->tx_chunk_len = 0;
}

static void chunk_put(struct board *b, uint8_t byte) {
  b->tx_chunk[b->tx_chunk_len++] = byte;
  if (b->tx_chunk_len == sizeof b->tx_chunk) chunk_flush(b);
}

/* Appends the CRC to the packet in b->tx and sends COBS(payload) 0x00, block by block (no second frame buffer). */
static void send_packet(struct board *b, size_t len) {
  uint32_t crc = crc32c(b->tx, len);
  for (int k = 0; k < 4; k++) b->tx[len + (size_t)k] = (uint8_t)(crc >> (8 * k));
  size_t n = len + FW_CRC_BYTES;
  const uint8_t *src = b->tx;
  size_t in = 0;
  for (;;) {
    size_t run = 0;
    while (in + run < n && run < 254u && src[in + run] != 0) run++;
    chunk_put(b, (uint8_t)(run + 1u));
    for (size_t k = 0; k < run; k++) chunk_put(b, src[in + k]);
    in += run;
    if (in == n) break;
    if (run == 254u) continue;
    in++;
    if (in == n) {
      chunk_put(b, 1u);
      break;
    }
  }
  chunk_put(b, 0);
  chunk_flush(b);
}

static void send_response(struct board *b, const struct fw_response *r) {
  size_t len = fw_encode_response(r, b->tx, FW_MAX_PACKET_BYTES);
  if (len) send_packet(b, len);
}

static void send_error(struct board *b, uint16_t seq, enum fw_error code, uint8_t opcode, const struct fw_detail *d) {
  struct fw_response r;
  memset(&r, 0, sizeof r);
  r.opcode = FW_ERROR;
  r.sequence = seq;
  r.u.error.code = (uint16_t)code;
  r.u.error.offending_opcode = opcode;
  r.u.error.detail.bytes = (const uint8_t *)d->text;
  r.u.error.detail.length = d->length;
  send_response(b, &r);
}

/* ============================================================================================== state */

static uint32_t now_us(struct board *b) {
  uint32_t t = b->hal->micros(b->hal->ctx);
  b->uptime_us += (uint32_t)(t - b->clock_us);
  b->clock_us = t;
  return t;
}

static void idle(struct board *b) {
  b->hal->idle_all(b->hal->ctx);
}

/* The running command's record: found by (sequence, opcode), since refusals served while it runs are recorded too. */
static struct fw_record *job_record(struct board *b) {
  if (!fw_changes_devices(b->job.cmd.opcode)) return NULL;
  for (uint32_t k = 0; k < b->history_len; k++) {
    struct fw_record *r = &b->history[k];
    if (r->sequence == b->job.cmd.sequence && r->opcode == b->job.cmd.opcode && r->outcome == FW_IN_PROGRESS) return r;
  }
  return NULL;
}

/* A new history record, first in the list (the oldest falls out when the history is full). */
static struct fw_record *add_record(struct board *b, const struct fw_command *c, uint8_t outcome, uint16_t error) {
  if (b->history_len < FW_MAX_RECORDS) b->history_len++;
  memmove(&b->history[1], &b->history[0], sizeof(struct fw_record) * (b->history_len - 1u));
  struct fw_record *r = &b->history[0];
  r->sequence = c->sequence;
  r->opcode = c->opcode;
  r->outcome = outcome;
  r->error = error;
  r->pulses = 0;
  return r;
}

/* Refuses a command (BUSY, UNSUPPORTED, OUT_OF_RANGE, LIMIT_EXCEEDED). A device-changing one is recorded FAILED with
 * the refusal and no pulses (PROTOCOL.md 5.4), so that a late copy of its frame is answered DUPLICATE and never runs
 * after its host was told it did not. */
static void refuse(struct board *b, const struct fw_command *c, enum fw_error code, const struct fw_detail *d) {
  if (fw_changes_devices(c->opcode)) add_record(b, c, FW_FAILED, (uint16_t)code);
  send_error(b, c->sequence, code, c->opcode, d);
}

/* Ends the running command: records how, idles every output. The caller then sends the final frame. */
static void end_job(struct board *b, enum fw_outcome outcome, enum fw_error error) {
  if (error != FW_E_NONE) b->last_error = (uint16_t)error;
  if (fw_changes_devices(b->job.cmd.opcode)) {
    /* The record can have fallen out of a full history if refusals were recorded while the command ran. */
    struct fw_record spare;
    struct fw_record *rec = job_record(b);
    if (rec == NULL) {
      rec = &spare;
      rec->sequence = b->job.cmd.sequence;
      rec->opcode = b->job.cmd.opcode;
    }
    rec->outcome = (uint8_t)outcome;
    rec->error = (uint16_t)error;
    rec->pulses = b->job.applied;
    b->last_aborted = outcome == FW_OUTCOME_ABORTED;
    if (b->trace) b->trace(b->trace_ctx, rec, &b->job.cmd);
  }
  b->job.active = 0;
  idle(b);
}

/* Stops the running command for `reason` (ABORTED, WATCHDOG, COMPLIANCE, HARDWARE_FAULT) and ends its stream with
 * an ERROR. */
static void stop_job(struct board *b, enum fw_error reason) {
  uint16_t seq = b->job.cmd.sequence;
  uint8_t op = b->job.cmd.opcode;
  uint32_t applied = b->job.applied;
  int stopped = reason == FW_E_ABORTED || reason == FW_E_WATCHDOG;
  end_job(b, stopped ? FW_OUTCOME_ABORTED : FW_FAILED, reason);
  struct fw_detail d;
  fw_detail_clear(&d);
  fw_detail_str(&d, reason == FW_E_COMPLIANCE ? "compliance: reached after " : reason == FW_E_HARDWARE_FAULT ? "hardware: fault after " : "stopped after ");
  fw_detail_u32(&d, applied);
  fw_detail_str(&d, " pulses; outputs idle");
  send_error(b, seq, reason, op, &d);
}

void board_reset(struct board *b) {
  if (b->job.active) {
    struct fw_record *rec = job_record(b);
    if (rec != NULL && b->trace) {
      struct fw_record r = *rec;
      r.outcome = FW_OUTCOME_ABORTED;
      r.error = FW_E_HARDWARE_FAULT;
      r.pulses = b->job.applied;
      b->trace(b->trace_ctx, &r, &b->job.cmd);
    }
  }
  uint32_t id = b->job.id;
  memset(&b->job, 0, sizeof b->job);
  b->job.id = id + 1u;
  frame_decoder_init(&b->rx);
  b->tx_chunk_len = 0;
  b->history_len = 0;
  b->handshaken = 0;
  b->watchdog_expired = 0;
  b->watchdog_tripped = 0;
  b->last_aborted = 0;
  b->last_error = FW_E_NONE;
  b->uptime_us = 0;
  b->clock_us = b->hal->micros(b->hal->ctx);
  b->last_good_us = b->clock_us;
  idle(b);
}

void board_init(struct board *b, const struct hal *hal, const struct board_config *config) {
  b->hal = hal;
  b->config = config;
  b->frames_dropped = 0;
  b->pulses_total = 0;
  b->trace = NULL;
  b->trace_ctx = NULL;
  memset(&b->job, 0, sizeof b->job);
  board_reset(b);
}

int board_busy(const struct board *b) {
  return b->job.active;
}

/* ============================================================================================== validation */

static int check_plane(const struct board *b, uint8_t array, uint8_t plane, struct fw_detail *d) {
  if (array >= b->config->array_count) {
    fw_detail_str(d, "array: ");
    fw_detail_u32(d, array);
    fw_detail_str(d, " (expected: 0..");
    fw_detail_u32(d, b->config->array_count - 1u);
    fw_detail_str(d, ")");
    return 0;
  }
  if (plane == FW_PLANE_REFERENCE && !b->config->arrays[array].has_reference) {
    fw_detail_str(d, "plane: REFERENCE (expected: ACTIVE; array ");
    fw_detail_u32(d, array);
    fw_detail_str(d, " has no reference)");
    return 0;
  }
  return 1;
}

static int check_index(struct fw_detail *d, const char *name, uint32_t v, uint32_t size) {
  if (v < size) return 1;
  fw_detail_str(d, name);
  fw_detail_str(d, ": ");
  fw_detail_u32(d, v);
  fw_detail_str(d, " (expected: 0..");
  fw_detail_u32(d, size - 1u);
  fw_detail_str(d, ")");
  return 0;
}

static int check_cell(const struct board *b, const struct fw_cell *c, struct fw_detail *d) {
  if (!check_plane(b, c->array, c->plane, d)) return 0;
  const struct fw_array_info *a = &b->config->arrays[c->array];
  return check_index(d, "row", c->row, a->rows) && check_index(d, "col", c->col, a->cols);
}

static int check_tile(const struct board *b, const struct fw_tile *t, uint8_t plane, struct fw_detail *d) {
  if (!check_plane(b, t->array, plane, d)) return 0;
  const struct fw_array_info *a = &b->config->arrays[t->array];
  if ((uint32_t)t->row0 + t->rows > a->rows) {
    fw_detail_str(d, "tile rows: ");
    fw_detail_u32(d, t->row0);
    fw_detail_str(d, "+");
    fw_detail_u32(d, t->rows);
    fw_detail_str(d, " (expected: <= ");
    fw_detail_u32(d, a->rows);
    fw_detail_str(d, ")");
    return 0;
  }
  if ((uint32_t)t->col0 + t->cols > a->cols) {
    fw_detail_str(d, "tile cols: ");
    fw_detail_u32(d, t->col0);
    fw_detail_str(d, "+");
    fw_detail_u32(d, t->cols);
    fw_detail_str(d, " (expected: <= ");
    fw_detail_u32(d, a->cols);
    fw_detail_str(d, ")");
    return 0;
  }
  return 1;
}

static int check_read(const struct fw_limits *l, int32_t tenth_mv, struct fw_detail *d) {
  if (tenth_mv >= -(int32_t)l->max_read_tenth_mv && tenth_mv <= (int32_t)l->max_read_tenth_mv) return 1;
  fw_detail_str(d, "readVoltage: ");
  fw_detail_i32(d, tenth_mv);
  fw_detail_str(d, " x 100 uV (expected: |v| <= ");
  fw_detail_u32(d, l->max_read_tenth_mv);
  fw_detail_str(d, ")");
  return 0;
}

static int check_shape(const struct fw_limits *l, const char *name, const struct fw_shape *s, struct fw_detail *d) {
  if (s->amplitude_mv > l->max_pulse_mv) {
    fw_detail_str(d, name);
    fw_detail_str(d, " amplitude: ");
    fw_detail_u32(d, s->amplitude_mv);
    fw_detail_str(d, " mV (expected: <= ");
    fw_detail_u32(d, l->max_pulse_mv);
    fw_detail_str(d, ")");
    return 0;
  }
  if (s->width_ns < l->min_width_ns || s->width_ns > l->max_width_ns) {
    fw_detail_str(d, name);
    fw_detail_str(d, " width: ");
    fw_detail_u32(d, s->width_ns);
    fw_detail_str(d, " ns (expected: ");
    fw_detail_u32(d, l->min_width_ns);
    fw_detail_str(d, "..");
    fw_detail_u32(d, l->max_width_ns);
    fw_detail_str(d, ")");
    return 0;
  }
  /* rate = 1e9 / period <= maxRate, in integers */
  if ((uint64_t)s->period_ns * l->max_rate_hz < 1000000000u) {
    fw_detail_str(d, name);
    fw_detail_str(d, " period: ");
    fw_detail_u32(d, s->period_ns);
    fw_detail_str(d, " ns (expected: >= ");
    fw_detail_u32(d, (uint32_t)((1000000000u + (uint64_t)l->max_rate_hz - 1u) / l->max_rate_hz));
    fw_detail_str(d, ", the rate limit)");
    return 0;
  }
  return 1;
}

static int check_count(const struct fw_limits *l, const char *name, uint32_t count, struct fw_detail *d) {
  if (count <= l->max_pulses) return 1;
  fw_detail_str(d, name);
  fw_detail_str(d, ": ");
  fw_detail_u32(d, count);
  fw_detail_str(d, " (expected: 1..");
  fw_detail_u32(d, l->max_pulses);
  fw_detail_str(d, ")");
  return 0;
}

/* Everything checked before an output moves: geometry (OUT_OF_RANGE), then hardware limits (LIMIT_EXCEEDED). */
static enum fw_error validate(const struct board *b, const struct fw_command *c, struct fw_detail *d) {
  const struct fw_limits *l = &b->config->limits;
  switch (c->opcode) {
    case FW_READ:
      if (!check_cell(b, &c->u.read.cell, d)) return FW_E_OUT_OF_RANGE;
      if (!check_read(l, c->u.read.read_tenth_mv, d)) return FW_E_LIMIT_EXCEEDED;
      return FW_E_NONE;
    case FW_PULSE:
    case FW_PULSE_THEN_READ:
      if (!check_cell(b, &c->u.pulse.cell, d)) return FW_E_OUT_OF_RANGE;
      if (!check_shape(l, "shape", &c->u.pulse.shape, d) || !check_count(l, "count", c->u.pulse.count, d)) return FW_E_LIMIT_EXCEEDED;
      if (c->opcode == FW_PULSE_THEN_READ && !check_read(l, c->u.pulse.read_tenth_mv, d)) return FW_E_LIMIT_EXCEEDED;
      return FW_E_NONE;
    case FW_READ_ROW:
    case FW_READ_COLUMN: {
      if (!check_plane(b, c->u.line.array, c->u.line.plane, d)) return FW_E_OUT_OF_RANGE;
      const struct fw_array_info *a = &b->config->arrays[c->u.line.array];
      int row = c->opcode == FW_READ_ROW;
      if (!check_index(d, row ? "row" : "col", c->u.line.index, row ? a->rows : a->cols)) return FW_E_OUT_OF_RANGE;
      if (!check_read(l, c->u.line.read_tenth_mv, d)) return FW_E_LIMIT_EXCEEDED;
      return FW_E_NONE;
    }
    case FW_READ_ARRAY:
      if (!check_plane(b, c->u.array.array, c->u.array.plane, d)) return FW_E_OUT_OF_RANGE;
      if (!check_read(l, c->u.array.read_tenth_mv, d)) return FW_E_LIMIT_EXCEEDED;
      return FW_E_NONE;
    case FW_FORWARD_READ:
    case FW_TRANSPOSE_READ: {
      uint8_t plane = c->u.vector.mode == FW_MODE_ACTIVE ? FW_PLANE_ACTIVE : FW_PLANE_REFERENCE;
      if (!check_tile(b, &c->u.vector.tile, plane, d)) return FW_E_OUT_OF_RANGE;
      for (uint32_t k = 0; k < c->u.vector.count; k++) {
        int16_t v = (int16_t)fw_get_u16(c->u.vector.volts + 2u * k);
        if (!check_read(l, v, d)) return FW_E_LIMIT_EXCEEDED;
      }
      return FW_E_NONE;
    }
    case FW_UPDATE:
      if (!check_tile(b, &c->u.update.tile, c->u.update.plane, d)) return FW_E_OUT_OF_RANGE;
      if (!check_shape(l, "up", &c->u.update.up, d) || !check_shape(l, "down", &c->u.update.down, d)) return FW_E_LIMIT_EXCEEDED;
      if (!check_count(l, "bitLength", c->u.update.bit_length, d)) return FW_E_LIMIT_EXCEEDED;
      return FW_E_NONE;
    default:
      return FW_E_NONE;
  }
}

/* ============================================================================================== execution */

/* A HAL status as the error that ends the command, FW_E_NONE for HAL_OK. */
static enum fw_error hal_error(enum hal_status s) {
  return s == HAL_OK ? FW_E_NONE : s == HAL_COMPLIANCE ? FW_E_COMPLIANCE : FW_E_HARDWARE_FAULT;
}

/* One device read: the current at the given voltage, through select, read voltage and ADC. */
static enum fw_error read_device(struct board *b, uint8_t array, uint8_t plane, uint16_t row, uint16_t col, int16_t tenth_mv, float *amps) {
  const struct hal *h = b->hal;
  enum hal_status s = h->select_lines(h->ctx, array, plane, row, col);
  if (s == HAL_OK) s = h->set_read_voltage(h->ctx, tenth_mv);
  if (s == HAL_OK) s = h->read_current(h->ctx, amps);
  return hal_error(s);
}

/* A single-device read as a conductance code: G = I / V, in LSBs of the configured conductance scale. */
static enum fw_error read_code(struct board *b, uint8_t array, uint8_t plane, uint16_t row, uint16_t col, int16_t tenth_mv, uint16_t *code) {
  float amps = 0;
  enum fw_error e = read_device(b, array, plane, row, col, tenth_mv, &amps);
  if (e != FW_E_NONE) return e;
  float siemens = amps / ((float)tenth_mv * 1e-4f);
  float c = siemens / b->config->lsb_siemens + 0.5f;
  /* The ADC's range ends at the code range: a saturated reading is the largest code, not an error. */
  *code = !(c > 0.0f) ? 0 : c >= 65535.0f ? 65535u : (uint16_t)c;
  return FW_E_NONE;
}

static int slice_over(struct board *b, uint32_t start) {
  return (uint32_t)(now_us(b) - start) >= BOARD_SLICE_US;
}

/*
 * Serves what the link has now, between two pulses or two slots, so that at most the pulse (or slot) in progress
 * completes after an ABORT arrives (PROTOCOL.md 5.6). Returns 0 when the input ended the running command (ABORT),
 * in which case its final frame has gone and the caller must stop touching it.
 */
static int serve_input(struct board *b) {
  uint32_t id = b->job.id;
  uint8_t buf[64];
  for (int rounds = 0; rounds < 16; rounds++) {
    size_t n = b->hal->link_read(b->hal->ctx, buf, sizeof buf);
    if (n == 0) break;
    board_feed(b, buf, n);
    if (!b->job.active || b->job.id != id) return 0;
  }
  return 1;
}

/* Pulses for PULSE / PULSE_THEN_READ: returns 1 when the train is complete, 0 to continue in the next slice, 2 when
 * input served between pulses ended it. */
static int run_pulses(struct board *b, uint32_t start, enum fw_error *e) {
  const struct hal *h = b->hal;
  const struct fw_command *c = &b->job.cmd;
  enum hal_status s = h->select_lines(h->ctx, c->u.pulse.cell.array, c->u.pulse.cell.plane, c->u.pulse.cell.row, c->u.pulse.cell.col);
  if (s == HAL_OK) s = h->set_pulse_dac(h->ctx, c->u.pulse.shape.amplitude_mv, c->u.pulse.polarity);
  while (s == HAL_OK && b->job.applied < c->u.pulse.count) {
    s = h->fire_pulse(h->ctx, c->u.pulse.shape.width_ns, c->u.pulse.shape.period_ns);
    if (s != HAL_OK) break;
    b->job.applied++;
    b->pulses_total++;
    if (b->job.applied < c->u.pulse.count) {
      if (!serve_input(b)) return 2;
      if ((b->job.applied & 63u) == 0 && slice_over(b, start)) return 0;
    }
  }
  *e = hal_error(s);
  return 1;
}

static uint16_t values_per_part(const struct board *b, uint32_t cap) {
  uint32_t n = b->config->max_values_per_part;
  if (n < 1) n = 1;
  return (uint16_t)(n < cap ? n : cap);
}

/* Streams one CONDUCTANCES part of a row, column or array read. Returns 1 after the last part (sent as final). */
static int run_codes(struct board *b, enum fw_error *e) {
  const struct fw_command *c = &b->job.cmd;
  uint8_t array;
  uint8_t plane;
  int16_t v;
  uint32_t total;
  const struct fw_array_info *a;
  if (c->opcode == FW_READ_ARRAY) {
    array = c->u.array.array, plane = c->u.array.plane, v = c->u.array.read_tenth_mv;
    a = &b->config->arrays[array];
    total = (uint32_t)a->rows * a->cols;
  } else {
    array = c->u.line.array, plane = c->u.line.plane, v = c->u.line.read_tenth_mv;
    a = &b->config->arrays[array];
    total = c->opcode == FW_READ_ROW ? a->cols : a->rows;
  }
  uint32_t n = total - b->job.next;
  uint32_t per = values_per_part(b, FW_MAX_CODES);
  if (n > per) n = per;
  struct fw_writer w;
  fw_writer_init(&w, b->tx, FW_MAX_PACKET_BYTES);
  int last = b->job.next + n == total;
  fw_put_header(&w, FW_VERSION, FW_CONDUCTANCES, c->sequence, last ? 0 : FW_FLAG_MORE);
  fw_put_u16(&w, b->job.part);
  fw_put_u32(&w, b->job.next);
  for (uint32_t k = 0; k < n; k++) {
    uint32_t pos = b->job.next + k;
    uint16_t row;
    uint16_t col;
    if (c->opcode == FW_READ_ARRAY) {
      row = (uint16_t)(pos / a->cols), col = (uint16_t)(pos % a->cols);
    } else if (c->opcode == FW_READ_ROW) {
      row = c->u.line.index, col = (uint16_t)pos;
    } else {
      row = (uint16_t)pos, col = c->u.line.index;
    }
    uint16_t code = 0;
    *e = read_code(b, array, plane, row, col, v, &code);
    if (*e != FW_E_NONE) return 1;
    fw_put_u16(&w, code);
  }
  b->job.next += n;
  b->job.part++;
  if (last) {
    end_job(b, FW_COMPLETED, FW_E_NONE);
    send_packet(b, w.len);
    return 1;
  }
  send_packet(b, w.len);
  return 0;
}

/* Streams one CURRENTS part of a forward or transpose read, composed device by device: output o is the sum over
 * inputs k of the current of device (input k, output o) at voltage v[k] (zero inputs are skipped). */
/* The outputs next .. next+n-1 of a vector read from the port's parallel hook, one plane at a time (the reference
 * plane subtracted in DIFFERENTIAL mode), in blocks small enough for the stack. */
static enum fw_error parallel_currents(struct board *b, uint32_t n, struct fw_writer *w) {
  const struct fw_command *c = &b->job.cmd;
  const struct fw_tile *ct = &c->u.vector.tile;
  int transpose = c->opcode == FW_TRANSPOSE_READ;
  float active[32], reference[32];
  for (uint32_t done = 0; done < n;) {
    uint32_t k = n - done < 32u ? n - done : 32u;
    uint32_t first = b->job.next + done;
    for (int plane = 0; plane < 2; plane++) {
      int wanted = plane == FW_PLANE_ACTIVE ? c->u.vector.mode != FW_MODE_REFERENCE : c->u.vector.mode != FW_MODE_ACTIVE;
      float *out = plane == FW_PLANE_ACTIVE ? active : reference;
      for (uint32_t i = 0; i < k; i++) out[i] = 0;
      if (!wanted) continue;
      struct hal_tile t = {ct->array, (uint8_t)plane, ct->row0, ct->col0, ct->rows, ct->cols};
      enum hal_status s = b->hal->vector_read(b->hal->ctx, &t, transpose, c->u.vector.volts, c->u.vector.count, first, k, out);
      if (s != HAL_OK) return hal_error(s);
    }
    for (uint32_t i = 0; i < k; i++) fw_put_f32(w, c->u.vector.mode == FW_MODE_DIFFERENTIAL ? active[i] - reference[i] : active[i] + reference[i]);
    done += k;
  }
  return FW_E_NONE;
}

static int run_currents(struct board *b, enum fw_error *e) {
  const struct fw_command *c = &b->job.cmd;
  const struct fw_tile *t = &c->u.vector.tile;
  int forward = c->opcode == FW_FORWARD_READ;
  uint32_t outputs = forward ? t->cols : t->rows;
  uint32_t inputs = c->u.vector.count;
  uint32_t n = outputs - b->job.next;
  uint32_t per = values_per_part(b, FW_MAX_CURRENTS);
  if (n > per) n = per;
  int last = b->job.next + n == outputs;
  struct fw_writer w;
  fw_writer_init(&w, b->tx, FW_MAX_PACKET_BYTES);
  fw_put_header(&w, FW_VERSION, FW_CURRENTS, c->sequence, last ? 0 : FW_FLAG_MORE);
  fw_put_u16(&w, b->job.part);
  fw_put_u16(&w, (uint16_t)b->job.next);
  if (b->hal->vector_read != NULL) {
    *e = parallel_currents(b, n, &w);
    if (*e != FW_E_NONE) return 1;
  }
  for (uint32_t o = b->job.next; b->hal->vector_read == NULL && o < b->job.next + n; o++) {
    float sum = 0;
    for (uint32_t k = 0; k < inputs; k++) {
      int16_t v = (int16_t)fw_get_u16(c->u.vector.volts + 2u * k);
      if (v == 0) continue;
      uint16_t row = (uint16_t)(forward ? t->row0 + k : t->row0 + o);
      uint16_t col = (uint16_t)(forward ? t->col0 + o : t->col0 + k);
      float amps = 0;
      if (c->u.vector.mode != FW_MODE_REFERENCE) {
        *e = read_device(b, t->array, FW_PLANE_ACTIVE, row, col, v, &amps);
        if (*e != FW_E_NONE) return 1;
        sum += amps;
      }
      if (c->u.vector.mode != FW_MODE_ACTIVE) {
        *e = read_device(b, t->array, FW_PLANE_REFERENCE, row, col, v, &amps);
        if (*e != FW_E_NONE) return 1;
        sum -= c->u.vector.mode == FW_MODE_DIFFERENTIAL ? amps : -amps;
      }
    }
    fw_put_f32(&w, sum);
  }
  b->job.next += n;
  b->job.part++;
  if (last) {
    end_job(b, FW_COMPLETED, FW_E_NONE);
    send_packet(b, w.len);
    return 1;
  }
  send_packet(b, w.len);
  return 0;
}

static int bit_of(const uint8_t *bitmap, uint32_t k) {
  return bitmap[k / 8u] >> (k % 8u) & 1;
}

/* Whether present entry p of a stream section fires in slot t. */
static int fires(const struct fw_streams *s, uint32_t p, uint32_t t) {
  return s->magnitudes[p * s->bytes + t / 8u] >> (t % 8u) & 1;
}

void hal_drives(const struct fw_streams *s, uint32_t slot, int8_t *out) {
  for (uint32_t k = 0, p = 0; k < s->n; k++) {
    out[k] = 0;
    if (!bit_of(s->presence, k)) continue;
    uint32_t q = p++;
    if (fires(s, q, slot)) out[k] = (int8_t)(bit_of(s->signs, q) ? -1 : 1);
  }
}

static void send_progress(struct board *b, int more) {
  struct fw_response r;
  memset(&r, 0, sizeof r);
  r.opcode = FW_UPDATE_PROGRESS;
  r.sequence = b->job.cmd.sequence;
  r.more = (uint8_t)more;
  r.u.progress.part = b->job.part++;
  r.u.progress.slots_done = b->job.slot;
  r.u.progress.pulses = b->job.applied;
  send_response(b, &r);
}

/*
 * The stochastic parallel update (PROTOCOL.md 4.1), composed from single-device pulses: in slot t, every device
 * whose row and column both fire gets one pulse, UP when their signs agree, DOWN when they differ. Resumable at any
 * row of any slot; input is served between slots (and between slices). Returns 1 when done (or failed: *e), 0 to
 * continue, 2 when input served between slots ended it.
 */
static int run_update(struct board *b, uint32_t start, enum fw_error *e) {
  const struct hal *h = b->hal;
  const struct fw_command *c = &b->job.cmd;
  const struct fw_streams *rs = &c->u.update.rows;
  const struct fw_streams *cs = &c->u.update.cols;
  const struct fw_tile *t = &c->u.update.tile;
  int dac = -1; /* polarity the DAC is set for in this slice */
  while (b->job.slot < c->u.update.bit_length) {
    uint32_t slot = b->job.slot;
    if (h->update_slot != NULL) {
      /* the port's parallel hardware: the whole slot at once */
      struct hal_tile pt = {t->array, c->u.update.plane, t->row0, t->col0, t->rows, t->cols};
      uint32_t pulses = 0;
      enum hal_status s = h->update_slot(h->ctx, &pt, rs, cs, slot, &c->u.update.up, &c->u.update.down, &pulses);
      b->job.applied = b->job.applied > UINT32_MAX - pulses ? UINT32_MAX : b->job.applied + pulses;
      b->pulses_total += pulses;
      if (s != HAL_OK) {
        *e = hal_error(s);
        return 1;
      }
      b->job.row_k = rs->n;
    }
    for (; b->job.row_k < rs->n; b->job.row_k++) {
      if (!bit_of(rs->presence, b->job.row_k)) continue;
      uint32_t p = b->job.row_p++;
      if (!fires(rs, p, slot)) continue;
      int row_negative = bit_of(rs->signs, p);
      for (uint32_t k = 0, q = 0; k < cs->n; k++) {
        if (!bit_of(cs->presence, k)) continue;
        uint32_t cq = q++;
        if (!fires(cs, cq, slot)) continue;
        int polarity = row_negative == bit_of(cs->signs, cq) ? FW_UP : FW_DOWN;
        const struct fw_shape *shape = polarity == FW_UP ? &c->u.update.up : &c->u.update.down;
        enum hal_status s = h->select_lines(h->ctx, t->array, c->u.update.plane, (uint16_t)(t->row0 + b->job.row_k), (uint16_t)(t->col0 + k));
        if (s == HAL_OK && dac != polarity) {
          s = h->set_pulse_dac(h->ctx, shape->amplitude_mv, (uint8_t)polarity);
          dac = polarity;
        }
        if (s == HAL_OK) s = h->fire_pulse(h->ctx, shape->width_ns, shape->period_ns);
        if (s != HAL_OK) {
          *e = hal_error(s);
          return 1;
        }
        if (b->job.applied != UINT32_MAX) b->job.applied++;
        b->pulses_total++;
      }
      if (slice_over(b, start)) {
        b->job.row_k++;
        return 0;
      }
    }
    b->job.slot++;
    b->job.row_k = 0;
    b->job.row_p = 0;
    if (b->job.slot < c->u.update.bit_length && !serve_input(b)) return 2;
    uint32_t now = now_us(b);
    if (b->job.slot < c->u.update.bit_length && (uint32_t)(now - b->job.last_progress_us) >= BOARD_PROGRESS_US) {
      send_progress(b, 1);
      b->job.last_progress_us = now;
    }
    if (slice_over(b, start)) return 0;
  }
  end_job(b, FW_COMPLETED, FW_E_NONE);
  send_progress(b, 0);
  return 1;
}

/* Runs the current command for up to one slice; sends its parts and, when it ends, its final frame. */
static void run_job(struct board *b) {
  uint32_t start = now_us(b);
  struct fw_command *c = &b->job.cmd;
  enum fw_error e = FW_E_NONE;
  switch (c->opcode) {
    case FW_READ: {
      struct fw_response r;
      memset(&r, 0, sizeof r);
      e = read_code(b, c->u.read.cell.array, c->u.read.cell.plane, c->u.read.cell.row, c->u.read.cell.col, c->u.read.read_tenth_mv, &r.u.code);
      if (e != FW_E_NONE) break;
      end_job(b, FW_COMPLETED, FW_E_NONE);
      r.opcode = FW_CONDUCTANCE;
      r.sequence = c->sequence;
      send_response(b, &r);
      return;
    }
    case FW_PULSE:
    case FW_PULSE_THEN_READ: {
      int done = run_pulses(b, start, &e);
      if (done != 1) return;
      if (e != FW_E_NONE) break;
      struct fw_response r;
      memset(&r, 0, sizeof r);
      r.sequence = c->sequence;
      if (c->opcode == FW_PULSE_THEN_READ) {
        r.opcode = FW_CONDUCTANCE;
        e = read_code(b, c->u.pulse.cell.array, c->u.pulse.cell.plane, c->u.pulse.cell.row, c->u.pulse.cell.col, c->u.pulse.read_tenth_mv, &r.u.code);
        if (e != FW_E_NONE) break;
      } else {
        r.opcode = FW_PULSE_DONE;
        r.u.pulses_applied = b->job.applied;
      }
      end_job(b, FW_COMPLETED, FW_E_NONE);
      send_response(b, &r);
      return;
    }
    case FW_READ_ROW:
    case FW_READ_COLUMN:
    case FW_READ_ARRAY:
      if (!run_codes(b, &e) || e == FW_E_NONE) return;
      break;
    case FW_FORWARD_READ:
    case FW_TRANSPOSE_READ:
      if (!run_currents(b, &e) || e == FW_E_NONE) return;
      break;
    case FW_UPDATE:
      if (run_update(b, start, &e) != 1 || e == FW_E_NONE) return;
      break;
    default:
      e = FW_E_HARDWARE_FAULT;
      break;
  }
  stop_job(b, e);
}

/* ============================================================================================== dispatch */

static uint8_t text_length(const char *s) {
  size_t n = 0;
  while (n < FW_TEXT_MAX && s[n] != 0) n++;
  return (uint8_t)n;
}

static void send_identity(struct board *b, uint16_t seq) {
  const struct board_config *cfg = b->config;
  struct fw_response r;
  memset(&r, 0, sizeof r);
  r.opcode = FW_IDENTITY;
  r.sequence = seq;
  struct fw_identity *id = &r.u.identity;
  id->protocol_version = FW_VERSION;
  id->watchdog_ms = cfg->watchdog_ms;
  id->max_payload_bytes = cfg->max_payload_bytes;
  id->board_id.bytes = (const uint8_t *)cfg->board_id;
  id->board_id.length = text_length(cfg->board_id);
  id->model.bytes = (const uint8_t *)cfg->model;
  id->model.length = text_length(cfg->model);
  id->firmware_version.bytes = (const uint8_t *)cfg->firmware_version;
  id->firmware_version.length = text_length(cfg->firmware_version);
  id->array_count = cfg->array_count;
  id->array_info = cfg->arrays;
  id->limits = cfg->limits;
  id->adc_bits = cfg->adc_bits;
  id->g_min = cfg->g_min_siemens;
  id->g_max = cfg->g_max_siemens;
  id->lsb = cfg->lsb_siemens;
  id->native_ops = (uint16_t)(0x1FFu & ~cfg->unsupported_ops); /* READ .. UPDATE, composed by the core */
  send_response(b, &r);
}

static void send_status(struct board *b, uint16_t seq) {
  struct fw_response r;
  memset(&r, 0, sizeof r);
  r.opcode = FW_STATUS_REPORT;
  r.sequence = seq;
  r.u.status.flags = (uint8_t)((b->job.active ? 2u : 1u) | (b->last_aborted ? 4u : 0u) | (b->watchdog_tripped ? 8u : 0u));
  b->watchdog_tripped = 0;
  r.u.status.pulses = b->pulses_total & 0x7FFFFFFFFFFFFFFFull;
  r.u.status.last_error = b->last_error;
  r.u.status.frames_dropped = b->frames_dropped;
  send_response(b, &r);
}

static void send_executed(struct board *b, uint16_t seq) {
  struct fw_response r;
  memset(&r, 0, sizeof r);
  r.opcode = FW_EXECUTED;
  r.sequence = seq;
  r.u.executed.count = b->history_len;
  memcpy(r.u.executed.records, b->history, sizeof(struct fw_record) * b->history_len);
  send_response(b, &r);
}

static void send_simple(struct board *b, uint16_t seq, uint8_t opcode, uint32_t value) {
  struct fw_response r;
  memset(&r, 0, sizeof r);
  r.opcode = opcode;
  r.sequence = seq;
  if (opcode == FW_HEARTBEAT_ACK) r.u.uptime_ms = value;
  send_response(b, &r);
}

static const char *outcome_name(uint8_t outcome) {
  static const char *const NAMES[] = {"COMPLETED", "ABORTED", "FAILED", "IN_PROGRESS"};
  return outcome < 4 ? NAMES[outcome] : "?";
}

/* Decides whether a device command may start; starts it, or answers why not. */
static void admit(struct board *b, const uint8_t *packet, size_t len, const struct fw_command *c) {
  struct fw_detail d;
  fw_detail_clear(&d);
  int changes = fw_changes_devices(c->opcode);
  if (b->watchdog_expired) {
    /* Not recorded: the host re-handshakes and may send the same frame again (PROTOCOL.md 5.2). */
    fw_detail_str(&d, "watchdog: expired (expected: HELLO before device commands)");
    send_error(b, c->sequence, FW_E_WATCHDOG, c->opcode, &d);
    return;
  }
  /* PROTOCOL.md 6.1: DUPLICATE before BUSY, so that a re-send of the running command is named a duplicate
   * (IN_PROGRESS) and its host waits for the answer instead of giving up on BUSY. */
  if (changes) {
    for (uint32_t k = 0; k < b->history_len; k++) {
      const struct fw_record *r = &b->history[k];
      if (r->sequence == c->sequence && r->opcode == c->opcode) {
        fw_detail_str(&d, "sequence: ");
        fw_detail_u32(&d, c->sequence);
        fw_detail_str(&d, " (expected: a new one; already ");
        fw_detail_str(&d, outcome_name(r->outcome));
        fw_detail_str(&d, ", ");
        fw_detail_u32(&d, r->pulses);
        fw_detail_str(&d, " pulses)");
        send_error(b, c->sequence, FW_E_DUPLICATE, c->opcode, &d);
        return;
      }
    }
  }
  if (b->job.active) {
    fw_detail_str(&d, "busy: ");
    fw_detail_str(&d, fw_opcode_name(b->job.cmd.opcode));
    fw_detail_str(&d, " (sequence ");
    fw_detail_u32(&d, b->job.cmd.sequence);
    fw_detail_str(&d, ") is running");
    refuse(b, c, FW_E_BUSY, &d);
    return;
  }
  if (b->config->unsupported_ops >> (c->opcode - FW_READ) & 1u) {
    fw_detail_str(&d, "opcode: ");
    fw_detail_str(&d, fw_opcode_name(c->opcode));
    fw_detail_str(&d, " (expected: one of this board's nativeOps; compose it from single-device commands)");
    b->last_error = (uint16_t)FW_E_UNSUPPORTED;
    refuse(b, c, FW_E_UNSUPPORTED, &d);
    return;
  }
  enum fw_error refusal = validate(b, c, &d);
  if (refusal != FW_E_NONE) {
    b->last_error = (uint16_t)refusal;
    refuse(b, c, refusal, &d);
    return;
  }
  memcpy(b->job_packet, packet, len);
  uint32_t id = b->job.id + 1u;
  memset(&b->job, 0, sizeof b->job);
  if (fw_decode_command(b->job_packet, len, &b->job.cmd, NULL) != FW_E_NONE) return; /* cannot happen: decoded above */
  b->job.active = 1;
  b->job.id = id;
  b->job.last_progress_us = now_us(b);
  /* Recorded before the first pulse, so that LAST_EXECUTED never misses a command that started. */
  if (changes) add_record(b, c, FW_IN_PROGRESS, FW_E_NONE);
  /* It runs from board_poll, after the input read with it has been fed in order: never from inside board_feed, so
   * that input served between pulses (serve_input) cannot overtake older bytes still waiting to be fed. */
}

static void dispatch(struct board *b, const uint8_t *packet, size_t len) {
  b->last_good_us = now_us(b); /* every frame with a good CRC feeds the watchdog */
  struct fw_command c;
  struct fw_detail d;
  enum fw_error e = fw_decode_command(packet, len, &c, &d);
  uint16_t seq = fw_get_u16(packet + 2);
  uint8_t op = packet[1];
  if (e == FW_E_NONE && len + FW_CRC_BYTES > b->config->max_payload_bytes) {
    e = FW_E_MALFORMED;
    fw_detail_clear(&d);
    fw_detail_str(&d, "payload: ");
    fw_detail_u32(&d, (uint32_t)(len + FW_CRC_BYTES));
    fw_detail_str(&d, " bytes (expected: <= ");
    fw_detail_u32(&d, b->config->max_payload_bytes);
    fw_detail_str(&d, ")");
  }
  if (e != FW_E_NONE) {
    send_error(b, seq, e, op, &d);
    return;
  }
  if (c.opcode == FW_HELLO) {
    int accepted = c.u.hello.min_version <= FW_VERSION && FW_VERSION <= c.u.hello.max_version;
    b->handshaken = (uint8_t)accepted;
    if (accepted) b->watchdog_expired = 0;
    send_identity(b, seq);
    return;
  }
  if (c.opcode == FW_ABORT) {
    /* Served in every state, before the handshake too (PROTOCOL.md 5.1): ERROR ABORTED for the running command
     * first (it ends its stream), then ACK once every output is idle. */
    if (b->job.active) stop_job(b, FW_E_ABORTED);
    idle(b);
    send_simple(b, seq, FW_ACK, 0);
    return;
  }
  fw_detail_clear(&d);
  if (!b->handshaken) {
    fw_detail_str(&d, "handshake: none (expected: HELLO with a window including version 1)");
    send_error(b, seq, FW_E_HANDSHAKE_REQUIRED, op, &d);
    return;
  }
  switch (c.opcode) {
    case FW_GET_LIMITS: {
      struct fw_response r;
      memset(&r, 0, sizeof r);
      r.opcode = FW_LIMITS;
      r.sequence = seq;
      r.u.limits = b->config->limits;
      send_response(b, &r);
      return;
    }
    case FW_STATUS:
      send_status(b, seq);
      return;
    case FW_HEARTBEAT:
      send_simple(b, seq, FW_HEARTBEAT_ACK, (uint32_t)(b->uptime_us / 1000u));
      return;
    case FW_LAST_EXECUTED:
      send_executed(b, seq);
      return;
    default:
      admit(b, packet, len, &c);
      return;
  }
}

void board_feed(struct board *b, const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const uint8_t *packet = NULL;
    size_t len = 0;
    enum frame_event ev = frame_decoder_push(&b->rx, bytes[i], &packet, &len);
    if (ev == FRAME_DROPPED) {
      /* Its sequence number cannot be trusted, so nobody is answered (PROTOCOL.md 5.6). */
      if (b->frames_dropped != UINT32_MAX) b->frames_dropped++;
    } else if (ev == FRAME_PACKET) {
      dispatch(b, packet, len);
    }
  }
}

static void check_watchdog(struct board *b) {
  if (!b->handshaken || b->watchdog_expired) return;
  uint32_t now = now_us(b);
  if ((uint32_t)(now - b->last_good_us) <= (uint32_t)b->config->watchdog_ms * 1000u) return;
  /* The host went quiet: stop, idle everything, insist on a new HELLO (PROTOCOL.md 5.2). */
  b->watchdog_expired = 1;
  b->watchdog_tripped = 1;
  if (b->job.active) {
    stop_job(b, FW_E_WATCHDOG);
  } else {
    b->last_error = FW_E_WATCHDOG;
  }
  idle(b);
}

void board_poll(struct board *b) {
  uint8_t buf[256];
  /* Input first: an ABORT waiting behind a slice is served before the next one. Bounded, so a flood of input
   * cannot starve the running command. */
  for (int rounds = 0; rounds < 64; rounds++) {
    size_t n = b->hal->link_read(b->hal->ctx, buf, sizeof buf);
    if (n == 0) break;
    board_feed(b, buf, n);
  }
  check_watchdog(b);
  if (b->job.active) run_job(b);
}

#include "message_codec.h"

#include <string.h>

/* ---------------------------------------------------------------------------------------------- names */

const char *fw_opcode_name(unsigned op) {
  switch (op) {
    case FW_HELLO: return "HELLO";
    case FW_GET_LIMITS: return "GET_LIMITS";
    case FW_STATUS: return "STATUS";
    case FW_HEARTBEAT: return "HEARTBEAT";
    case FW_LAST_EXECUTED: return "LAST_EXECUTED";
    case FW_ABORT: return "ABORT";
    case FW_READ: return "READ";
    case FW_PULSE: return "PULSE";
    case FW_PULSE_THEN_READ: return "PULSE_THEN_READ";
    case FW_READ_ROW: return "READ_ROW";
    case FW_READ_COLUMN: return "READ_COLUMN";
    case FW_READ_ARRAY: return "READ_ARRAY";
    case FW_FORWARD_READ: return "FORWARD_READ";
    case FW_TRANSPOSE_READ: return "TRANSPOSE_READ";
    case FW_UPDATE: return "UPDATE";
    case FW_IDENTITY: return "IDENTITY";
    case FW_LIMITS: return "LIMITS";
    case FW_STATUS_REPORT: return "STATUS_REPORT";
    case FW_HEARTBEAT_ACK: return "HEARTBEAT_ACK";
    case FW_EXECUTED: return "EXECUTED";
    case FW_ACK: return "ACK";
    case FW_CONDUCTANCE: return "CONDUCTANCE";
    case FW_PULSE_DONE: return "PULSE_DONE";
    case FW_CONDUCTANCES: return "CONDUCTANCES";
    case FW_CURRENTS: return "CURRENTS";
    case FW_UPDATE_PROGRESS: return "UPDATE_PROGRESS";
    case FW_ERROR: return "ERROR";
    default: return NULL;
  }
}

const char *fw_error_name(unsigned code) {
  static const char *const NAMES[] = {"NONE", "MALFORMED", "UNKNOWN_OPCODE", "VERSION_MISMATCH", "HANDSHAKE_REQUIRED",
                                      "UNSUPPORTED", "OUT_OF_RANGE", "LIMIT_EXCEEDED", "BUSY", "ABORTED", "DUPLICATE",
                                      "WATCHDOG", "COMPLIANCE", "HARDWARE_FAULT"};
  static_assert(sizeof NAMES / sizeof NAMES[0] == FW_E_LAST + 1, "one name per error code");
  return code <= FW_E_LAST ? NAMES[code] : NULL;
}

int fw_changes_devices(unsigned op) {
  return op == FW_PULSE || op == FW_PULSE_THEN_READ || op == FW_UPDATE;
}

static int is_command(unsigned op) {
  return op < 0x80u && fw_opcode_name(op) != NULL;
}

/* ---------------------------------------------------------------------------------------------- detail text */

void fw_detail_clear(struct fw_detail *d) {
  d->length = 0;
  d->text[0] = 0;
}

void fw_detail_str(struct fw_detail *d, const char *s) {
  while (*s && d->length < FW_TEXT_MAX) d->text[d->length++] = *s++;
  d->text[d->length] = 0;
}

void fw_detail_u32(struct fw_detail *d, uint32_t v) {
  char digits[11];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0);
  char s[12];
  for (int k = 0; k < n; k++) s[k] = digits[n - 1 - k];
  s[n] = 0;
  fw_detail_str(d, s);
}

void fw_detail_i32(struct fw_detail *d, int32_t v) {
  if (v < 0) {
    fw_detail_str(d, "-");
    fw_detail_u32(d, (uint32_t)0 - (uint32_t)v);
  } else {
    fw_detail_u32(d, (uint32_t)v);
  }
}

/* ---------------------------------------------------------------------------------------------- reading */

uint16_t fw_get_u16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t fw_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

float fw_get_f32(const uint8_t *p) {
  uint32_t bits = fw_get_u32(p);
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

int fw_utf8_valid(const uint8_t *b, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = b[i];
    if (c < 0x80u) {
      i++;
      continue;
    }
    size_t extra;
    uint32_t cp;
    uint32_t min;
    if (c >= 0xC2u && c <= 0xDFu) {
      extra = 1, cp = c & 0x1Fu, min = 0x80u;
    } else if (c >= 0xE0u && c <= 0xEFu) {
      extra = 2, cp = c & 0x0Fu, min = 0x800u;
    } else if (c >= 0xF0u && c <= 0xF4u) {
      extra = 3, cp = c & 0x07u, min = 0x10000u;
    } else {
      return 0;
    }
    if (n - i - 1 < extra) return 0;
    for (size_t k = 1; k <= extra; k++) {
      if ((b[i + k] & 0xC0u) != 0x80u) return 0;
      cp = cp << 6 | (b[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return 0;
    i += extra + 1;
  }
  return 1;
}

struct reader {
  const uint8_t *b;
  size_t len;
  size_t at;
  enum fw_error err;
  struct fw_detail *why;
};

static void fail(struct reader *r, const char *name, int has_value, int32_t value, const char *expected) {
  if (r->err != FW_E_NONE) return;
  r->err = FW_E_MALFORMED;
  if (r->why == NULL) return;
  fw_detail_clear(r->why);
  fw_detail_str(r->why, name);
  if (has_value) {
    fw_detail_str(r->why, ": ");
    fw_detail_i32(r->why, value);
  }
  fw_detail_str(r->why, " (expected: ");
  fw_detail_str(r->why, expected);
  fw_detail_str(r->why, ")");
}

static int need(struct reader *r, size_t n) {
  if (r->err != FW_E_NONE) return 0;
  if (r->len - r->at < n) {
    fail(r, "body: ends after", 1, (int32_t)(r->len - FW_HEADER_BYTES), "more bytes");
    return 0;
  }
  return 1;
}

static uint8_t u8(struct reader *r) {
  return need(r, 1) ? r->b[r->at++] : 0;
}

static uint16_t u16(struct reader *r) {
  if (!need(r, 2)) return 0;
  uint16_t v = fw_get_u16(r->b + r->at);
  r->at += 2;
  return v;
}

static uint32_t u32(struct reader *r) {
  if (!need(r, 4)) return 0;
  uint32_t v = fw_get_u32(r->b + r->at);
  r->at += 4;
  return v;
}

static int16_t i16(struct reader *r) {
  return (int16_t)u16(r);
}

static float f32(struct reader *r) {
  if (!need(r, 4)) return 0;
  float v = fw_get_f32(r->b + r->at);
  r->at += 4;
  return v;
}

static uint8_t choice(struct reader *r, const char *name, uint8_t count) {
  uint8_t v = u8(r);
  if (r->err == FW_E_NONE && v >= count) fail(r, name, 1, v, count == 2 ? "0..1" : "0..2");
  return v;
}

static void range(struct reader *r, const char *name, uint32_t v, uint32_t min, uint32_t max) {
  if (r->err == FW_E_NONE && (v < min || v > max)) fail(r, name, 1, (int32_t)v, "in range");
}

static int16_t read_volts(struct reader *r, const char *name) {
  int16_t v = i16(r);
  if (r->err == FW_E_NONE && v < 1) fail(r, name, 1, v, "1..32767 x 100 uV");
  return v;
}

static struct fw_cell cell(struct reader *r) {
  struct fw_cell c;
  c.array = u8(r);
  c.plane = choice(r, "plane", 2);
  c.row = u16(r);
  c.col = u16(r);
  return c;
}

static struct fw_tile tile(struct reader *r) {
  struct fw_tile t;
  t.array = u8(r);
  t.row0 = u16(r);
  t.col0 = u16(r);
  t.rows = u16(r);
  t.cols = u16(r);
  if (r->err == FW_E_NONE && (t.rows < 1 || (uint32_t)t.row0 + t.rows > 0x10000u)) fail(r, "tile rows", 1, t.rows, ">= 1, row0 + rows <= 65536");
  if (r->err == FW_E_NONE && (t.cols < 1 || (uint32_t)t.col0 + t.cols > 0x10000u)) fail(r, "tile cols", 1, t.cols, ">= 1, col0 + cols <= 65536");
  return t;
}

static struct fw_shape shape(struct reader *r) {
  struct fw_shape s;
  s.amplitude_mv = u16(r);
  s.width_ns = u32(r);
  s.period_ns = u32(r);
  if (r->err == FW_E_NONE && s.amplitude_mv < 1) fail(r, "amplitude", 1, 0, "1..65535 mV");
  if (r->err == FW_E_NONE && s.width_ns < 1) fail(r, "width", 1, 0, ">= 1 ns");
  if (r->err == FW_E_NONE && s.period_ns < s.width_ns) fail(r, "period", 1, (int32_t)s.period_ns, ">= width");
  return s;
}

static struct fw_limits limits(struct reader *r) {
  struct fw_limits l;
  l.max_pulse_mv = u16(r);
  l.max_read_tenth_mv = u16(r);
  l.min_width_ns = u32(r);
  l.max_width_ns = u32(r);
  l.max_pulses = u32(r);
  l.max_rate_hz = u32(r);
  l.compliance_na = u32(r);
  range(r, "maxPulseMillivolts", l.max_pulse_mv, 1, 0xFFFFu);
  range(r, "maxReadTenthMillivolts", l.max_read_tenth_mv, 1, 0x7FFFu);
  range(r, "minPulseWidthNanos", l.min_width_ns, 1, 0xFFFFFFFFu);
  range(r, "maxPulseWidthNanos", l.max_width_ns, l.min_width_ns, 0xFFFFFFFFu);
  range(r, "maxPulsesPerCommand", l.max_pulses, 1, 0xFFFFFFFFu);
  range(r, "maxPulseRateHz", l.max_rate_hz, 1, 0xFFFFFFFFu);
  range(r, "complianceNanoamps", l.compliance_na, 1, 0xFFFFFFFFu);
  return l;
}

static struct fw_text text(struct reader *r) {
  struct fw_text t = {NULL, 0};
  t.length = u8(r);
  if (!need(r, t.length)) return t;
  t.bytes = r->b + r->at;
  if (!fw_utf8_valid(t.bytes, t.length)) fail(r, "text", 0, 0, "UTF-8");
  r->at += t.length;
  return t;
}

static int bit(const uint8_t *bitmap, uint32_t k) {
  return bitmap[k / 8u] >> (k % 8u) & 1;
}

static void padding(struct reader *r, const uint8_t *bitmap, uint32_t bits) {
  if (r->err == FW_E_NONE && bits % 8u != 0 && (bitmap[bits / 8u] >> (bits % 8u)) != 0) fail(r, "bitmap padding", 0, 0, "zero bits");
}

/* The inverse of the host's sparse stream writer; rejects non-canonical forms (padding bits, zero or too-wide magnitudes). */
static struct fw_streams streams(struct reader *r, uint16_t n, uint8_t bit_length) {
  struct fw_streams s;
  memset(&s, 0, sizeof s);
  s.n = n;
  s.bytes = (uint8_t)((bit_length + 7u) / 8u);
  uint32_t map = (n + 7u) / 8u;
  if (!need(r, map)) return s;
  s.presence = r->b + r->at;
  r->at += map;
  uint32_t present = 0;
  for (uint32_t k = 0; k < n; k++) present += (uint32_t)bit(s.presence, k);
  padding(r, s.presence, n);
  s.present = (uint16_t)present;
  uint32_t signs = (present + 7u) / 8u;
  if (!need(r, signs)) return s;
  s.signs = r->b + r->at;
  r->at += signs;
  padding(r, s.signs, present);
  if (!need(r, present * s.bytes)) return s;
  s.magnitudes = r->b + r->at;
  for (uint32_t p = 0; p < present && r->err == FW_E_NONE; p++) {
    uint64_t m = 0;
    for (uint32_t i = 0; i < s.bytes; i++) m |= (uint64_t)r->b[r->at + i] << (8u * i);
    if (m == 0 || m >> bit_length != 0) fail(r, "stream magnitude", 0, 0, "1..2^BL - 1; absent entries are marked in the bitmap");
    r->at += s.bytes;
  }
  return s;
}

static enum fw_error finish(struct reader *r, const char *what) {
  if (r->err == FW_E_NONE && r->at != r->len) {
    fail(r, what, 1, (int32_t)(r->len - FW_HEADER_BYTES), "the message's layout; body bytes");
  }
  return r->err;
}

enum fw_error fw_decode_command(const uint8_t *p, size_t len, struct fw_command *c, struct fw_detail *why) {
  struct reader rd = {p, len, FW_HEADER_BYTES, FW_E_NONE, why};
  struct reader *r = &rd;
  if (why) fw_detail_clear(why);
  memset(c, 0, sizeof *c);
  if (len < FW_HEADER_BYTES) {
    fail(r, "packet", 1, (int32_t)len, ">= 5 bytes");
    return r->err;
  }
  c->opcode = p[1];
  c->sequence = fw_get_u16(p + 2);
  if (!is_command(p[1])) {
    if (why) {
      fw_detail_str(why, "opcode: ");
      fw_detail_u32(why, p[1]);
      fw_detail_str(why, " (expected: a command of protocol version 1)");
    }
    return FW_E_UNKNOWN_OPCODE;
  }
  if (p[0] != FW_VERSION && p[1] != FW_HELLO) {
    if (why) {
      fw_detail_str(why, "version: ");
      fw_detail_u32(why, p[0]);
      fw_detail_str(why, " (expected: 1)");
    }
    return FW_E_VERSION_MISMATCH;
  }
  if (p[4] != 0) {
    fail(r, "flags", 1, p[4], "0 on a command");
    return r->err;
  }
  switch (c->opcode) {
    case FW_HELLO:
      c->u.hello.min_version = u8(r);
      c->u.hello.max_version = u8(r);
      range(r, "minVersion", c->u.hello.min_version, 1, 255);
      range(r, "maxVersion", c->u.hello.max_version, c->u.hello.min_version, 255);
      break;
    case FW_GET_LIMITS:
    case FW_STATUS:
    case FW_HEARTBEAT:
    case FW_LAST_EXECUTED:
    case FW_ABORT:
      break;
    case FW_READ:
      c->u.read.cell = cell(r);
      c->u.read.read_tenth_mv = read_volts(r, "readVoltage");
      break;
    case FW_PULSE:
    case FW_PULSE_THEN_READ:
      c->u.pulse.cell = cell(r);
      c->u.pulse.polarity = choice(r, "polarity", 2);
      c->u.pulse.shape = shape(r);
      c->u.pulse.count = u32(r);
      range(r, "count", c->u.pulse.count, 1, 0xFFFFFFFFu);
      if (c->opcode == FW_PULSE_THEN_READ) c->u.pulse.read_tenth_mv = read_volts(r, "readVoltage");
      break;
    case FW_READ_ROW:
    case FW_READ_COLUMN:
      c->u.line.array = u8(r);
      c->u.line.plane = choice(r, "plane", 2);
      c->u.line.index = u16(r);
      c->u.line.read_tenth_mv = read_volts(r, "readVoltage");
      break;
    case FW_READ_ARRAY:
      c->u.array.array = u8(r);
      c->u.array.plane = choice(r, "plane", 2);
      c->u.array.read_tenth_mv = read_volts(r, "readVoltage");
      break;
    case FW_FORWARD_READ:
    case FW_TRANSPOSE_READ:
      c->u.vector.tile = tile(r);
      c->u.vector.mode = choice(r, "mode", 3);
      c->u.vector.count = c->opcode == FW_FORWARD_READ ? c->u.vector.tile.rows : c->u.vector.tile.cols;
      if (need(r, 2u * c->u.vector.count)) {
        c->u.vector.volts = p + r->at;
        r->at += 2u * c->u.vector.count;
      }
      break;
    case FW_UPDATE:
      c->u.update.tile = tile(r);
      c->u.update.plane = choice(r, "plane", 2);
      c->u.update.bit_length = u8(r);
      range(r, "bitLength", c->u.update.bit_length, 1, FW_MAX_BIT_LENGTH);
      c->u.update.up = shape(r);
      c->u.update.down = shape(r);
      if (r->err == FW_E_NONE) c->u.update.rows = streams(r, c->u.update.tile.rows, c->u.update.bit_length);
      if (r->err == FW_E_NONE) c->u.update.cols = streams(r, c->u.update.tile.cols, c->u.update.bit_length);
      break;
    default:
      break;
  }
  return finish(r, fw_opcode_name(c->opcode));
}

static int blank(struct fw_text t) {
  for (size_t k = 0; k < t.length; k++) {
    uint8_t b = t.bytes[k];
    if (!(b == ' ' || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F))) return 0;
  }
  return 1;
}

static int finite(float f) {
  return f == f && f - f == 0.0f;
}

enum fw_error fw_decode_response(const uint8_t *p, size_t len, struct fw_response *m, struct fw_detail *why) {
  struct reader rd = {p, len, FW_HEADER_BYTES, FW_E_NONE, why};
  struct reader *r = &rd;
  if (why) fw_detail_clear(why);
  memset(m, 0, sizeof *m);
  if (len < FW_HEADER_BYTES) {
    fail(r, "packet", 1, (int32_t)len, ">= 5 bytes");
    return r->err;
  }
  m->opcode = p[1];
  m->sequence = fw_get_u16(p + 2);
  if (p[1] < 0x80u || fw_opcode_name(p[1]) == NULL) return FW_E_UNKNOWN_OPCODE;
  if (p[0] != FW_VERSION && p[1] != FW_IDENTITY) return FW_E_VERSION_MISMATCH;
  int streamed = m->opcode == FW_CONDUCTANCES || m->opcode == FW_CURRENTS || m->opcode == FW_UPDATE_PROGRESS;
  if ((p[4] & ~(streamed ? FW_FLAG_MORE : 0u)) != 0) {
    fail(r, "flags", 1, p[4], streamed ? "0 or 1" : "0");
    return r->err;
  }
  m->more = p[4] & FW_FLAG_MORE;
  switch (m->opcode) {
    case FW_IDENTITY: {
      struct fw_identity *id = &m->u.identity;
      id->protocol_version = u8(r);
      id->watchdog_ms = u16(r);
      id->max_payload_bytes = u16(r);
      id->board_id = text(r);
      id->model = text(r);
      id->firmware_version = text(r);
      id->array_count = u8(r);
      if (need(r, 5u * id->array_count)) {
        id->arrays = p + r->at;
        for (uint32_t k = 0; k < id->array_count; k++) {
          const uint8_t *a = p + r->at + 5u * k;
          if (fw_get_u16(a) < 1 || fw_get_u16(a + 2) < 1) fail(r, "array size", 0, 0, "rows, cols >= 1");
          if (a[4] > 1) fail(r, "array flags", 1, a[4], "0 or 1");
        }
        r->at += 5u * id->array_count;
      }
      id->limits = limits(r);
      id->adc_bits = u8(r);
      id->g_min = f32(r);
      id->g_max = f32(r);
      id->lsb = f32(r);
      id->native_ops = u16(r);
      range(r, "protocolVersion", id->protocol_version, 1, 255);
      range(r, "watchdogMillis", id->watchdog_ms, 1, 0xFFFFu);
      range(r, "maxPayloadBytes", id->max_payload_bytes, FW_MIN_ACCEPTED_PAYLOAD, FW_MAX_PAYLOAD_BYTES);
      if (r->err == FW_E_NONE && blank(id->board_id)) fail(r, "boardId", 0, 0, "non-blank");
      range(r, "arrays.size", id->array_count, 1, 255);
      range(r, "adcBits", id->adc_bits, 1, 32);
      if (r->err == FW_E_NONE && !(id->g_min >= 0 && id->g_max > id->g_min && finite(id->g_max))) fail(r, "conductance window", 0, 0, "0 <= gMin < gMax, finite");
      if (r->err == FW_E_NONE && !(id->lsb > 0 && finite(id->lsb))) fail(r, "conductanceLsbSiemens", 0, 0, "> 0, finite");
      if (r->err == FW_E_NONE && (id->native_ops & ~0x1FFu) != 0) fail(r, "nativeOps", 1, id->native_ops, "bits 0..8 only");
      break;
    }
    case FW_LIMITS:
      m->u.limits = limits(r);
      break;
    case FW_STATUS_REPORT:
      m->u.status.flags = u8(r);
      m->u.status.pulses = u32(r);
      m->u.status.pulses |= (uint64_t)u32(r) << 32;
      m->u.status.last_error = u16(r);
      m->u.status.frames_dropped = u32(r);
      if (r->err == FW_E_NONE && (m->u.status.flags & ~0x0Fu) != 0) fail(r, "status flags", 1, m->u.status.flags, "bits 0..3 only");
      if (r->err == FW_E_NONE && m->u.status.pulses >> 63 != 0) fail(r, "pulsesApplied", 0, 0, "< 2^63");
      if (r->err == FW_E_NONE && m->u.status.last_error > FW_E_LAST) fail(r, "error code", 1, m->u.status.last_error, "a known code");
      break;
    case FW_HEARTBEAT_ACK:
      m->u.uptime_ms = u32(r);
      break;
    case FW_EXECUTED:
      m->u.executed.count = u8(r);
      range(r, "records", m->u.executed.count, 0, FW_MAX_RECORDS);
      for (uint32_t k = 0; k < m->u.executed.count && r->err == FW_E_NONE; k++) {
        struct fw_record *e = &m->u.executed.records[k];
        e->sequence = u16(r);
        e->opcode = u8(r);
        e->outcome = u8(r);
        e->error = u16(r);
        e->pulses = u32(r);
        if (r->err == FW_E_NONE && !fw_changes_devices(e->opcode)) fail(r, "record opcode", 1, e->opcode, "PULSE, PULSE_THEN_READ or UPDATE");
        if (r->err == FW_E_NONE && e->outcome > FW_IN_PROGRESS) fail(r, "outcome", 1, e->outcome, "0..3");
        if (r->err == FW_E_NONE && e->error > FW_E_LAST) fail(r, "error code", 1, e->error, "a known code");
      }
      break;
    case FW_ACK:
      break;
    case FW_CONDUCTANCE:
      m->u.code = u16(r);
      break;
    case FW_PULSE_DONE:
      m->u.pulses_applied = u32(r);
      break;
    case FW_CONDUCTANCES: {
      m->u.conductances.part = u16(r);
      m->u.conductances.first = u32(r);
      size_t n = r->err == FW_E_NONE ? (r->len - r->at) / 2u : 0;
      if (r->err == FW_E_NONE && (n < 1 || n > FW_MAX_CODES)) fail(r, "codes.length", 1, (int32_t)n, "1..4088");
      m->u.conductances.codes = p + r->at;
      m->u.conductances.count = (uint16_t)n;
      if (r->err == FW_E_NONE) r->at += 2u * n;
      break;
    }
    case FW_CURRENTS: {
      m->u.currents.part = u16(r);
      m->u.currents.first = u16(r);
      size_t n = r->err == FW_E_NONE ? (r->len - r->at) / 4u : 0;
      if (r->err == FW_E_NONE && (n < 1 || n > FW_MAX_CURRENTS)) fail(r, "amps.length", 1, (int32_t)n, "1..2044");
      m->u.currents.amps = p + r->at;
      m->u.currents.count = (uint16_t)n;
      for (size_t k = 0; k < n && r->err == FW_E_NONE; k++) {
        if (!finite(fw_get_f32(p + r->at + 4u * k))) fail(r, "amps", 0, 0, "finite");
      }
      if (r->err == FW_E_NONE) r->at += 4u * n;
      break;
    }
    case FW_UPDATE_PROGRESS:
      m->u.progress.part = u16(r);
      m->u.progress.slots_done = u8(r);
      m->u.progress.pulses = u32(r);
      range(r, "slotsDone", m->u.progress.slots_done, 0, FW_MAX_BIT_LENGTH);
      break;
    case FW_ERROR:
      m->u.error.code = u16(r);
      m->u.error.offending_opcode = u8(r);
      m->u.error.detail = text(r);
      if (r->err == FW_E_NONE && (m->u.error.code == FW_E_NONE || m->u.error.code > FW_E_LAST)) fail(r, "error code", 1, m->u.error.code, "a known error");
      break;
    default:
      break;
  }
  return finish(r, fw_opcode_name(m->opcode));
}

/* ---------------------------------------------------------------------------------------------- writing */

void fw_writer_init(struct fw_writer *w, uint8_t *buf, size_t cap) {
  w->buf = buf;
  w->cap = cap;
  w->len = 0;
  w->overflow = 0;
}

void fw_put_bytes(struct fw_writer *w, const uint8_t *b, size_t n) {
  if (w->overflow || w->cap - w->len < n) {
    w->overflow = 1;
    return;
  }
  if (n) memcpy(w->buf + w->len, b, n);
  w->len += n;
}

void fw_put_u8(struct fw_writer *w, uint32_t v) {
  uint8_t b[1] = {(uint8_t)v};
  fw_put_bytes(w, b, 1);
}

void fw_put_u16(struct fw_writer *w, uint32_t v) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  fw_put_bytes(w, b, 2);
}

void fw_put_u32(struct fw_writer *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  fw_put_bytes(w, b, 4);
}

void fw_put_f32(struct fw_writer *w, float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  fw_put_u32(w, bits);
}

void fw_put_text(struct fw_writer *w, const uint8_t *b, size_t n) {
  if (n > FW_TEXT_MAX) n = FW_TEXT_MAX;
  fw_put_u8(w, (uint32_t)n);
  fw_put_bytes(w, b, n);
}

void fw_put_header(struct fw_writer *w, uint8_t version, uint8_t opcode, uint16_t sequence, uint8_t flags) {
  fw_put_u8(w, version);
  fw_put_u8(w, opcode);
  fw_put_u16(w, sequence);
  fw_put_u8(w, flags);
}

void fw_put_limits(struct fw_writer *w, const struct fw_limits *l) {
  fw_put_u16(w, l->max_pulse_mv);
  fw_put_u16(w, l->max_read_tenth_mv);
  fw_put_u32(w, l->min_width_ns);
  fw_put_u32(w, l->max_width_ns);
  fw_put_u32(w, l->max_pulses);
  fw_put_u32(w, l->max_rate_hz);
  fw_put_u32(w, l->compliance_na);
}

void fw_put_shape(struct fw_writer *w, const struct fw_shape *s) {
  fw_put_u16(w, s->amplitude_mv);
  fw_put_u32(w, s->width_ns);
  fw_put_u32(w, s->period_ns);
}

void fw_put_cell(struct fw_writer *w, const struct fw_cell *c) {
  fw_put_u8(w, c->array);
  fw_put_u8(w, c->plane);
  fw_put_u16(w, c->row);
  fw_put_u16(w, c->col);
}

void fw_put_tile(struct fw_writer *w, const struct fw_tile *t) {
  fw_put_u8(w, t->array);
  fw_put_u16(w, t->row0);
  fw_put_u16(w, t->col0);
  fw_put_u16(w, t->rows);
  fw_put_u16(w, t->cols);
}

static void put_streams(struct fw_writer *w, const struct fw_streams *s) {
  fw_put_bytes(w, s->presence, (s->n + 7u) / 8u);
  fw_put_bytes(w, s->signs, (s->present + 7u) / 8u);
  fw_put_bytes(w, s->magnitudes, (size_t)s->present * s->bytes);
}

size_t fw_encode_command(const struct fw_command *c, uint8_t *buf, size_t cap) {
  struct fw_writer w;
  fw_writer_init(&w, buf, cap);
  fw_put_header(&w, FW_VERSION, c->opcode, c->sequence, 0);
  switch (c->opcode) {
    case FW_HELLO:
      fw_put_u8(&w, c->u.hello.min_version);
      fw_put_u8(&w, c->u.hello.max_version);
      break;
    case FW_READ:
      fw_put_cell(&w, &c->u.read.cell);
      fw_put_u16(&w, (uint16_t)c->u.read.read_tenth_mv);
      break;
    case FW_PULSE:
    case FW_PULSE_THEN_READ:
      fw_put_cell(&w, &c->u.pulse.cell);
      fw_put_u8(&w, c->u.pulse.polarity);
      fw_put_shape(&w, &c->u.pulse.shape);
      fw_put_u32(&w, c->u.pulse.count);
      if (c->opcode == FW_PULSE_THEN_READ) fw_put_u16(&w, (uint16_t)c->u.pulse.read_tenth_mv);
      break;
    case FW_READ_ROW:
    case FW_READ_COLUMN:
      fw_put_u8(&w, c->u.line.array);
      fw_put_u8(&w, c->u.line.plane);
      fw_put_u16(&w, c->u.line.index);
      fw_put_u16(&w, (uint16_t)c->u.line.read_tenth_mv);
      break;
    case FW_READ_ARRAY:
      fw_put_u8(&w, c->u.array.array);
      fw_put_u8(&w, c->u.array.plane);
      fw_put_u16(&w, (uint16_t)c->u.array.read_tenth_mv);
      break;
    case FW_FORWARD_READ:
    case FW_TRANSPOSE_READ:
      fw_put_tile(&w, &c->u.vector.tile);
      fw_put_u8(&w, c->u.vector.mode);
      fw_put_bytes(&w, c->u.vector.volts, 2u * c->u.vector.count);
      break;
    case FW_UPDATE:
      fw_put_tile(&w, &c->u.update.tile);
      fw_put_u8(&w, c->u.update.plane);
      fw_put_u8(&w, c->u.update.bit_length);
      fw_put_shape(&w, &c->u.update.up);
      fw_put_shape(&w, &c->u.update.down);
      put_streams(&w, &c->u.update.rows);
      put_streams(&w, &c->u.update.cols);
      break;
    default:
      break;
  }
  return w.overflow ? 0 : w.len;
}

size_t fw_encode_response(const struct fw_response *m, uint8_t *buf, size_t cap) {
  struct fw_writer w;
  fw_writer_init(&w, buf, cap);
  uint8_t version = m->opcode == FW_IDENTITY ? m->u.identity.protocol_version : FW_VERSION;
  fw_put_header(&w, version, m->opcode, m->sequence, m->more ? FW_FLAG_MORE : 0);
  switch (m->opcode) {
    case FW_IDENTITY: {
      const struct fw_identity *id = &m->u.identity;
      fw_put_u8(&w, id->protocol_version);
      fw_put_u16(&w, id->watchdog_ms);
      fw_put_u16(&w, id->max_payload_bytes);
      fw_put_text(&w, id->board_id.bytes, id->board_id.length);
      fw_put_text(&w, id->model.bytes, id->model.length);
      fw_put_text(&w, id->firmware_version.bytes, id->firmware_version.length);
      fw_put_u8(&w, id->array_count);
      for (uint32_t k = 0; k < id->array_count; k++) {
        if (id->array_info != NULL) {
          fw_put_u16(&w, id->array_info[k].rows);
          fw_put_u16(&w, id->array_info[k].cols);
          fw_put_u8(&w, id->array_info[k].has_reference ? 1u : 0u);
        } else {
          fw_put_bytes(&w, id->arrays + 5u * k, 5);
        }
      }
      fw_put_limits(&w, &id->limits);
      fw_put_u8(&w, id->adc_bits);
      fw_put_f32(&w, id->g_min);
      fw_put_f32(&w, id->g_max);
      fw_put_f32(&w, id->lsb);
      fw_put_u16(&w, id->native_ops);
      break;
    }
    case FW_LIMITS:
      fw_put_limits(&w, &m->u.limits);
      break;
    case FW_STATUS_REPORT:
      fw_put_u8(&w, m->u.status.flags);
      fw_put_u32(&w, (uint32_t)m->u.status.pulses);
      fw_put_u32(&w, (uint32_t)(m->u.status.pulses >> 32));
      fw_put_u16(&w, m->u.status.last_error);
      fw_put_u32(&w, m->u.status.frames_dropped);
      break;
    case FW_HEARTBEAT_ACK:
      fw_put_u32(&w, m->u.uptime_ms);
      break;
    case FW_EXECUTED:
      fw_put_u8(&w, m->u.executed.count);
      for (uint32_t k = 0; k < m->u.executed.count; k++) {
        const struct fw_record *e = &m->u.executed.records[k];
        fw_put_u16(&w, e->sequence);
        fw_put_u8(&w, e->opcode);
        fw_put_u8(&w, e->outcome);
        fw_put_u16(&w, e->error);
        fw_put_u32(&w, e->pulses);
      }
      break;
    case FW_ACK:
      break;
    case FW_CONDUCTANCE:
      fw_put_u16(&w, m->u.code);
      break;
    case FW_PULSE_DONE:
      fw_put_u32(&w, m->u.pulses_applied);
      break;
    case FW_CONDUCTANCES:
      fw_put_u16(&w, m->u.conductances.part);
      fw_put_u32(&w, m->u.conductances.first);
      fw_put_bytes(&w, m->u.conductances.codes, 2u * m->u.conductances.count);
      break;
    case FW_CURRENTS:
      fw_put_u16(&w, m->u.currents.part);
      fw_put_u16(&w, m->u.currents.first);
      fw_put_bytes(&w, m->u.currents.amps, 4u * m->u.currents.count);
      break;
    case FW_UPDATE_PROGRESS:
      fw_put_u16(&w, m->u.progress.part);
      fw_put_u8(&w, m->u.progress.slots_done);
      fw_put_u32(&w, m->u.progress.pulses);
      break;
    case FW_ERROR:
      fw_put_u16(&w, m->u.error.code);
      fw_put_u8(&w, m->u.error.offending_opcode);
      fw_put_text(&w, m->u.error.detail.bytes, m->u.error.detail.length);
      break;
    default:
      break;
  }
  return w.overflow ? 0 : w.len;
}

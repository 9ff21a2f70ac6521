#include "java_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct text_out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
  va_end(ap);
  if (n > 0) o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

/* Java's Float.toString: the shortest digits that read back as the same float; plain notation for
 * 1e-3 <= |f| < 1e7, else d.dddE<exp>; always a digit after the point. */
void java_float(struct text_out *o, float f) {
  if (f == 0) {
    put(o, signbit(f) ? "-0.0" : "0.0");
    return;
  }
  char s[32];
  int p;
  for (p = 1; p <= 9; p++) {
    snprintf(s, sizeof s, "%.*e", p - 1, (double)f);
    if (strtof(s, NULL) == f) break;
  }
  /* s = [-]d.ddde[+-]xx */
  int negative = s[0] == '-';
  char *m = s + negative;
  char *e = strchr(m, 'e');
  int exp10 = atoi(e + 1);
  char digits[16];
  size_t nd = 0;
  for (char *c = m; c < e; c++) if (*c != '.') digits[nd++] = *c;
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  digits[nd] = 0;
  if (negative) put(o, "-");
  double a = fabs((double)f);
  if (a >= 1e-3 && a < 1e7) {
    if (exp10 >= 0) {
      for (int k = 0; k <= exp10; k++) put(o, "%c", (size_t)k < nd ? digits[k] : '0');
      put(o, ".");
      if ((size_t)(exp10 + 1) < nd) put(o, "%s", digits + exp10 + 1);
      else put(o, "0");
    } else {
      put(o, "0.");
      for (int k = 0; k < -exp10 - 1; k++) put(o, "0");
      put(o, "%s", digits);
    }
  } else {
    put(o, "%c.", digits[0]);
    put(o, "%s", nd > 1 ? digits + 1 : "0");
    put(o, "E%d", exp10);
  }
}

static const char *plane(unsigned p) {
  return p == 0 ? "ACTIVE" : "REFERENCE";
}

static const char *mode(unsigned m) {
  return m == 0 ? "ACTIVE" : m == 1 ? "REFERENCE" : "DIFFERENTIAL";
}

static void cell(struct text_out *o, const struct fw_cell *c) {
  put(o, "CellAddress[array=%u, plane=%s, row=%u, col=%u]", c->array, plane(c->plane), c->row, c->col);
}

static void tile(struct text_out *o, const struct fw_tile *t) {
  put(o, "TileAddress[array=%u, row0=%u, col0=%u, rows=%u, cols=%u]", t->array, t->row0, t->col0, t->rows, t->cols);
}

static void shape(struct text_out *o, const struct fw_shape *s) {
  put(o, "PulseShape[amplitudeMillivolts=%u, widthNanos=%lu, periodNanos=%lu]", s->amplitude_mv, (unsigned long)s->width_ns,
      (unsigned long)s->period_ns);
}

static void limits(struct text_out *o, const struct fw_limits *l) {
  put(o,
      "HardwareLimits[maxPulseMillivolts=%u, maxReadTenthMillivolts=%u, minPulseWidthNanos=%lu, maxPulseWidthNanos=%lu, "
      "maxPulsesPerCommand=%lu, maxPulseRateHz=%lu, complianceNanoamps=%lu]",
      l->max_pulse_mv, l->max_read_tenth_mv, (unsigned long)l->min_width_ns, (unsigned long)l->max_width_ns,
      (unsigned long)l->max_pulses, (unsigned long)l->max_rate_hz, (unsigned long)l->compliance_na);
}

static void volts(struct text_out *o, const uint8_t *v, unsigned n) {
  put(o, "[");
  for (unsigned k = 0; k < n; k++) put(o, "%s%d", k ? ", " : "", (int16_t)fw_get_u16(v + 2 * k));
  put(o, "]");
}

static void streams(struct text_out *o, const struct fw_streams *s) {
  put(o, "[");
  unsigned p = 0;
  for (unsigned k = 0; k < s->n; k++) {
    long long v = 0;
    if (s->presence[k / 8] >> (k % 8) & 1) {
      unsigned long long m = 0;
      for (unsigned i = 0; i < s->bytes; i++) m |= (unsigned long long)s->magnitudes[p * s->bytes + i] << (8 * i);
      v = (s->signs[p / 8] >> (p % 8) & 1) ? -(long long)m : (long long)m;
      p++;
    }
    put(o, "%s%lld", k ? ", " : "", v);
  }
  put(o, "]");
}

static void text(struct text_out *o, struct fw_text t) {
  put(o, "%.*s", (int)t.length, (const char *)t.bytes);
}

void java_command(struct text_out *o, const struct fw_command *c) {
  switch (c->opcode) {
    case FW_HELLO: put(o, "Hello[minVersion=%u, maxVersion=%u]", c->u.hello.min_version, c->u.hello.max_version); break;
    case FW_GET_LIMITS: put(o, "GetLimits[]"); break;
    case FW_STATUS: put(o, "GetStatus[]"); break;
    case FW_HEARTBEAT: put(o, "Heartbeat[]"); break;
    case FW_LAST_EXECUTED: put(o, "LastExecuted[]"); break;
    case FW_ABORT: put(o, "Abort[]"); break;
    case FW_READ:
      put(o, "Read[cell=");
      cell(o, &c->u.read.cell);
      put(o, ", readTenthMillivolts=%d]", c->u.read.read_tenth_mv);
      break;
    case FW_PULSE:
    case FW_PULSE_THEN_READ:
      put(o, c->opcode == FW_PULSE ? "Pulse[cell=" : "PulseThenRead[cell=");
      cell(o, &c->u.pulse.cell);
      put(o, ", polarity=%s, shape=", c->u.pulse.polarity == 0 ? "UP" : "DOWN");
      shape(o, &c->u.pulse.shape);
      put(o, ", count=%lu", (unsigned long)c->u.pulse.count);
      if (c->opcode == FW_PULSE_THEN_READ) put(o, ", readTenthMillivolts=%d", c->u.pulse.read_tenth_mv);
      put(o, "]");
      break;
    case FW_READ_ROW:
    case FW_READ_COLUMN:
      put(o, "%s[array=%u, plane=%s, %s=%u, readTenthMillivolts=%d]", c->opcode == FW_READ_ROW ? "ReadRow" : "ReadColumn",
          c->u.line.array, plane(c->u.line.plane), c->opcode == FW_READ_ROW ? "row" : "col", c->u.line.index, c->u.line.read_tenth_mv);
      break;
    case FW_READ_ARRAY:
      put(o, "ReadArray[array=%u, plane=%s, readTenthMillivolts=%d]", c->u.array.array, plane(c->u.array.plane), c->u.array.read_tenth_mv);
      break;
    case FW_FORWARD_READ:
    case FW_TRANSPOSE_READ:
      put(o, c->opcode == FW_FORWARD_READ ? "ForwardRead[tile=" : "TransposeRead[tile=");
      tile(o, &c->u.vector.tile);
      put(o, ", mode=%s, %s=", mode(c->u.vector.mode), c->opcode == FW_FORWARD_READ ? "rowTenthMillivolts" : "colTenthMillivolts");
      volts(o, c->u.vector.volts, c->u.vector.count);
      put(o, "]");
      break;
    case FW_UPDATE:
      put(o, "Update[tile=");
      tile(o, &c->u.update.tile);
      put(o, ", plane=%s, bitLength=%u, up=", plane(c->u.update.plane), c->u.update.bit_length);
      shape(o, &c->u.update.up);
      put(o, ", down=");
      shape(o, &c->u.update.down);
      put(o, ", rowStreams=");
      streams(o, &c->u.update.rows);
      put(o, ", colStreams=");
      streams(o, &c->u.update.cols);
      put(o, "]");
      break;
    default: put(o, "?"); break;
  }
}

static const char *outcome(unsigned v) {
  static const char *const N[] = {"COMPLETED", "ABORTED", "FAILED", "IN_PROGRESS"};
  return v < 4 ? N[v] : "?";
}

void java_response(struct text_out *o, const struct fw_response *r) {
  switch (r->opcode) {
    case FW_IDENTITY: {
      const struct fw_identity *id = &r->u.identity;
      put(o, "Identity[protocolVersion=%u, watchdogMillis=%u, maxPayloadBytes=%u, boardId=", id->protocol_version, id->watchdog_ms, id->max_payload_bytes);
      text(o, id->board_id);
      put(o, ", model=");
      text(o, id->model);
      put(o, ", firmwareVersion=");
      text(o, id->firmware_version);
      put(o, ", arrays=[");
      for (unsigned k = 0; k < id->array_count; k++) {
        const uint8_t *a = id->arrays + 5 * k;
        put(o, "%sArrayInfo[rows=%u, cols=%u, hasReference=%s]", k ? ", " : "", fw_get_u16(a), fw_get_u16(a + 2), a[4] ? "true" : "false");
      }
      put(o, "], limits=");
      limits(o, &id->limits);
      put(o, ", adcBits=%u, gMinSiemens=", id->adc_bits);
      java_float(o, id->g_min);
      put(o, ", gMaxSiemens=");
      java_float(o, id->g_max);
      put(o, ", conductanceLsbSiemens=");
      java_float(o, id->lsb);
      put(o, ", nativeOps=[");
      int first = 1;
      for (unsigned bit = 0; bit < 9; bit++) {
        if (id->native_ops >> bit & 1) {
          put(o, "%s%s", first ? "" : ", ", fw_opcode_name(0x10 + bit));
          first = 0;
        }
      }
      put(o, "]]");
      break;
    }
    case FW_LIMITS:
      put(o, "Limits[limits=");
      limits(o, &r->u.limits);
      put(o, "]");
      break;
    case FW_STATUS_REPORT: {
      unsigned f = r->u.status.flags;
      put(o, "Status[outputsIdle=%s, busy=%s, aborted=%s, watchdogTripped=%s, pulsesApplied=%llu, lastError=%s, framesDropped=%lu]",
          f & 1 ? "true" : "false", f & 2 ? "true" : "false", f & 4 ? "true" : "false", f & 8 ? "true" : "false",
          (unsigned long long)r->u.status.pulses, fw_error_name(r->u.status.last_error), (unsigned long)r->u.status.frames_dropped);
      break;
    }
    case FW_HEARTBEAT_ACK: put(o, "HeartbeatAck[uptimeMillis=%lu]", (unsigned long)r->u.uptime_ms); break;
    case FW_EXECUTED:
      put(o, "Executed[records=[");
      for (unsigned k = 0; k < r->u.executed.count; k++) {
        const struct fw_record *e = &r->u.executed.records[k];
        put(o, "%sExecutionRecord[sequence=%u, opcode=%s, outcome=%s, error=%s, pulsesApplied=%lu]", k ? ", " : "", e->sequence,
            fw_opcode_name(e->opcode), outcome(e->outcome), fw_error_name(e->error), (unsigned long)e->pulses);
      }
      put(o, "]]");
      break;
    case FW_ACK: put(o, "Ack[]"); break;
    case FW_CONDUCTANCE: put(o, "Conductance[code=%u]", r->u.code); break;
    case FW_PULSE_DONE: put(o, "PulseDone[pulsesApplied=%lu]", (unsigned long)r->u.pulses_applied); break;
    case FW_CONDUCTANCES:
      put(o, "Conductances[part=%u, more=%s, first=%lu, codes=[", r->u.conductances.part, r->more ? "true" : "false",
          (unsigned long)r->u.conductances.first);
      for (unsigned k = 0; k < r->u.conductances.count; k++) put(o, "%s%u", k ? ", " : "", fw_get_u16(r->u.conductances.codes + 2 * k));
      put(o, "]]");
      break;
    case FW_CURRENTS:
      put(o, "Currents[part=%u, more=%s, first=%u, amps=[", r->u.currents.part, r->more ? "true" : "false", r->u.currents.first);
      for (unsigned k = 0; k < r->u.currents.count; k++) {
        if (k) put(o, ", ");
        java_float(o, fw_get_f32(r->u.currents.amps + 4 * k));
      }
      put(o, "]]");
      break;
    case FW_UPDATE_PROGRESS:
      put(o, "UpdateProgress[part=%u, more=%s, slotsDone=%u, pulsesApplied=%lu]", r->u.progress.part, r->more ? "true" : "false",
          r->u.progress.slots_done, (unsigned long)r->u.progress.pulses);
      break;
    case FW_ERROR:
      put(o, "Error[code=%s, offendingOpcode=%u, detail=", fw_error_name(r->u.error.code), r->u.error.offending_opcode);
      text(o, r->u.error.detail);
      put(o, "]");
      break;
    default: put(o, "?"); break;
  }
}

/*
 * Messages <-> packets (header and body; CRC and COBS belong to framing), PROTOCOL.md sections 2 to 4. The same
 * layouts and the same acceptance rules as the Java MessageCodec: a packet either side accepts, the other accepts
 * with the same fields (the golden-vector tests check it). Decoded variable-length fields are views into the packet,
 * valid as long as it is.
 */
#ifndef RRAMFW_MESSAGE_CODEC_H
#define RRAMFW_MESSAGE_CODEC_H
#include <stddef.h>
#include <stdint.h>

#include "fw_wire.h"

struct fw_cell {
  uint8_t array;
  uint8_t plane;
  uint16_t row;
  uint16_t col;
};

struct fw_tile {
  uint8_t array;
  uint16_t row0;
  uint16_t col0;
  uint16_t rows;
  uint16_t cols;
};

struct fw_shape {
  uint16_t amplitude_mv;
  uint32_t width_ns;
  uint32_t period_ns;
};

struct fw_limits {
  uint16_t max_pulse_mv;
  uint16_t max_read_tenth_mv;
  uint32_t min_width_ns;
  uint32_t max_width_ns;
  uint32_t max_pulses;
  uint32_t max_rate_hz;
  uint32_t compliance_na;
};

/* A sparse stream section (PROTOCOL.md 4.1 UPDATE): n entries, `present` of them with a magnitude of `bytes` bytes. */
struct fw_streams {
  const uint8_t *presence; /* ceil(n/8) bytes, LSB first */
  const uint8_t *signs;    /* ceil(present/8) bytes: bit p set, the p-th present entry is negative */
  const uint8_t *magnitudes;
  uint16_t n;
  uint16_t present;
  uint8_t bytes;
};

struct fw_text {
  const uint8_t *bytes;
  uint8_t length;
};

struct fw_command {
  uint8_t opcode;
  uint16_t sequence;
  union {
    struct {
      uint8_t min_version, max_version;
    } hello;
    struct {
      struct fw_cell cell;
      int16_t read_tenth_mv;
    } read;
    struct { /* PULSE and PULSE_THEN_READ (read_tenth_mv only for the latter) */
      struct fw_cell cell;
      uint8_t polarity;
      struct fw_shape shape;
      uint32_t count;
      int16_t read_tenth_mv;
    } pulse;
    struct { /* READ_ROW (index = row) and READ_COLUMN (index = col) */
      uint8_t array, plane;
      uint16_t index;
      int16_t read_tenth_mv;
    } line;
    struct {
      uint8_t array, plane;
      int16_t read_tenth_mv;
    } array;
    struct { /* FORWARD_READ (tile.rows volts) and TRANSPOSE_READ (tile.cols volts) */
      struct fw_tile tile;
      uint8_t mode;
      const uint8_t *volts; /* i16 LE each, 100 uV */
      uint16_t count;
    } vector;
    struct {
      struct fw_tile tile;
      uint8_t plane, bit_length;
      struct fw_shape up, down;
      struct fw_streams rows, cols;
    } update;
  } u;
};

struct fw_array_info {
  uint16_t rows;
  uint16_t cols;
  uint8_t has_reference;
};

struct fw_record {
  uint16_t sequence;
  uint8_t opcode;
  uint8_t outcome;
  uint16_t error;
  uint32_t pulses;
};

struct fw_identity {
  uint8_t protocol_version;
  uint16_t watchdog_ms;
  uint16_t max_payload_bytes;
  struct fw_text board_id, model, firmware_version;
  uint8_t array_count;
  const uint8_t *arrays; /* decode: array_count x 5 bytes on the wire */
  const struct fw_array_info *array_info; /* encode */
  struct fw_limits limits;
  uint8_t adc_bits;
  float g_min, g_max, lsb;
  uint16_t native_ops;
};

struct fw_response {
  uint8_t opcode;
  uint16_t sequence;
  uint8_t more;
  union {
    struct fw_identity identity;
    struct fw_limits limits;
    struct {
      uint8_t flags;
      uint64_t pulses;
      uint16_t last_error;
      uint32_t frames_dropped;
    } status;
    uint32_t uptime_ms;
    struct {
      uint8_t count;
      struct fw_record records[FW_MAX_RECORDS];
    } executed;
    uint16_t code;
    uint32_t pulses_applied;
    struct {
      uint16_t part;
      uint32_t first;
      const uint8_t *codes; /* u16 LE each */
      uint16_t count;
    } conductances;
    struct {
      uint16_t part;
      uint16_t first;
      const uint8_t *amps; /* f32 LE each */
      uint16_t count;
    } currents;
    struct {
      uint16_t part;
      uint8_t slots_done;
      uint32_t pulses;
    } progress;
    struct {
      uint16_t code;
      uint8_t offending_opcode;
      struct fw_text detail;
    } error;
  } u;
};

/* A short account of why a packet did not decode, shaped `name: value (expected: ...)`. */
struct fw_detail {
  char text[FW_TEXT_MAX + 1];
  uint8_t length;
};
void fw_detail_clear(struct fw_detail *d);
void fw_detail_str(struct fw_detail *d, const char *s);
void fw_detail_u32(struct fw_detail *d, uint32_t v);
void fw_detail_i32(struct fw_detail *d, int32_t v);

/*
 * Decodes a command packet. Returns FW_E_NONE, or why not: FW_E_UNKNOWN_OPCODE (not a command of this version),
 * FW_E_VERSION_MISMATCH (header version is not FW_VERSION, HELLO exempt), FW_E_MALFORMED (flags, length, a field, an
 * enum, padding); `why` (may be NULL) says what.
 */
enum fw_error fw_decode_command(const uint8_t *packet, size_t len, struct fw_command *out, struct fw_detail *why);

/* Decodes a response packet (for hosts and tests); FW_E_NONE or FW_E_MALFORMED / FW_E_UNKNOWN_OPCODE. */
enum fw_error fw_decode_response(const uint8_t *packet, size_t len, struct fw_response *out, struct fw_detail *why);

/* Little-endian writer over a caller-owned buffer; `overflow` is set (and nothing more written) when it is full. */
struct fw_writer {
  uint8_t *buf;
  size_t cap;
  size_t len;
  int overflow;
};
void fw_writer_init(struct fw_writer *w, uint8_t *buf, size_t cap);
void fw_put_u8(struct fw_writer *w, uint32_t v);
void fw_put_u16(struct fw_writer *w, uint32_t v);
void fw_put_u32(struct fw_writer *w, uint32_t v);
void fw_put_f32(struct fw_writer *w, float v);
void fw_put_bytes(struct fw_writer *w, const uint8_t *b, size_t n);
void fw_put_text(struct fw_writer *w, const uint8_t *b, size_t n);
void fw_put_header(struct fw_writer *w, uint8_t version, uint8_t opcode, uint16_t sequence, uint8_t flags);
void fw_put_limits(struct fw_writer *w, const struct fw_limits *l);
void fw_put_shape(struct fw_writer *w, const struct fw_shape *s);
void fw_put_cell(struct fw_writer *w, const struct fw_cell *c);
void fw_put_tile(struct fw_writer *w, const struct fw_tile *t);

/* Encodes a response whose fields are all in the struct (not CONDUCTANCES/CURRENTS parts, which the board writes
 * value by value); returns the packet length, 0 if it does not fit. */
size_t fw_encode_response(const struct fw_response *r, uint8_t *buf, size_t cap);
/* Encodes a command (for hosts and tests); returns the packet length, 0 if it does not fit. */
size_t fw_encode_command(const struct fw_command *c, uint8_t *buf, size_t cap);

uint16_t fw_get_u16(const uint8_t *p);
uint32_t fw_get_u32(const uint8_t *p);
float fw_get_f32(const uint8_t *p);
/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), as Java's CharsetDecoder. */
int fw_utf8_valid(const uint8_t *b, size_t n);

#endif

/*
 * Wire constants of the rramctl host-board protocol, version 1 (firmware-protocol/PROTOCOL.md).
 * The same names as the Java side (WireFormat, Opcode, ErrorCode, Outcome) for the same things.
 *
 *  frame on the wire:   COBS( payload ) 0x00
 *  payload:             packet || CRC-32C(packet)          9 .. 8192 bytes
 *  packet:              header (5 bytes) || body (0 .. 8183 bytes)
 *  header:              version u8 | opcode u8 | sequence u16 LE | flags u8 (bit 0 MORE)
 */
#ifndef RRAMFW_WIRE_H
#define RRAMFW_WIRE_H

#include <assert.h>
#include <stdint.h>

#define FW_VERSION 1u
#define FW_HEADER_BYTES 5u
#define FW_CRC_BYTES 4u
#define FW_MIN_PAYLOAD_BYTES (FW_HEADER_BYTES + FW_CRC_BYTES)
#define FW_MAX_PAYLOAD_BYTES 8192u
#define FW_MAX_PACKET_BYTES (FW_MAX_PAYLOAD_BYTES - FW_CRC_BYTES)
#define FW_MAX_BODY_BYTES (FW_MAX_PAYLOAD_BYTES - FW_HEADER_BYTES - FW_CRC_BYTES)
/* COBS: n bytes encode to at most n + 1 + n / 254 (delimiter excluded). */
#define FW_COBS_MAX_ENCODED(n) ((n) + 1u + (n) / 254u)
#define FW_MAX_ENCODED_BYTES FW_COBS_MAX_ENCODED(FW_MAX_PAYLOAD_BYTES)
#define FW_MIN_ACCEPTED_PAYLOAD 64u
#define FW_FLAG_MORE 0x01u
/* Streamed parts: CONDUCTANCES carry part u16 + first u32, CURRENTS part u16 + first u16. */
#define FW_MAX_CODES ((FW_MAX_BODY_BYTES - 6u) / 2u)
#define FW_MAX_CURRENTS ((FW_MAX_BODY_BYTES - 4u) / 4u)
#define FW_MAX_RECORDS 32u
#define FW_MAX_BIT_LENGTH 63u
#define FW_TEXT_MAX 255u

static_assert(FW_MAX_ENCODED_BYTES == 8225u, "PROTOCOL.md 1.2: MAX_ENCODED_BYTES");
static_assert(FW_MAX_BODY_BYTES == 8183u, "PROTOCOL.md 1.2: largest body");
static_assert(FW_MAX_CODES == 4088u, "PROTOCOL.md 5.5: codes per CONDUCTANCES part");
static_assert(FW_MAX_CURRENTS == 2044u, "PROTOCOL.md 5.5: currents per CURRENTS part");

enum fw_opcode {
  FW_HELLO = 0x01,
  FW_GET_LIMITS = 0x02,
  FW_STATUS = 0x03,
  FW_HEARTBEAT = 0x04,
  FW_LAST_EXECUTED = 0x05,
  FW_ABORT = 0x06,
  FW_READ = 0x10,
  FW_PULSE = 0x11,
  FW_PULSE_THEN_READ = 0x12,
  FW_READ_ROW = 0x13,
  FW_READ_COLUMN = 0x14,
  FW_READ_ARRAY = 0x15,
  FW_FORWARD_READ = 0x16,
  FW_TRANSPOSE_READ = 0x17,
  FW_UPDATE = 0x18,
  FW_IDENTITY = 0x81,
  FW_LIMITS = 0x82,
  FW_STATUS_REPORT = 0x83,
  FW_HEARTBEAT_ACK = 0x84,
  FW_EXECUTED = 0x85,
  FW_ACK = 0x86,
  FW_CONDUCTANCE = 0x90,
  FW_PULSE_DONE = 0x91,
  FW_CONDUCTANCES = 0x93,
  FW_CURRENTS = 0x96,
  FW_UPDATE_PROGRESS = 0x98,
  FW_ERROR = 0xFF
};

enum fw_error {
  FW_E_NONE = 0x0000,
  FW_E_MALFORMED = 0x0001,
  FW_E_UNKNOWN_OPCODE = 0x0002,
  FW_E_VERSION_MISMATCH = 0x0003,
  FW_E_HANDSHAKE_REQUIRED = 0x0004,
  FW_E_UNSUPPORTED = 0x0005,
  FW_E_OUT_OF_RANGE = 0x0006,
  FW_E_LIMIT_EXCEEDED = 0x0007,
  FW_E_BUSY = 0x0008,
  FW_E_ABORTED = 0x0009,
  FW_E_DUPLICATE = 0x000A,
  FW_E_WATCHDOG = 0x000B,
  FW_E_COMPLIANCE = 0x000C,
  FW_E_HARDWARE_FAULT = 0x000D
};
#define FW_E_LAST FW_E_HARDWARE_FAULT

enum fw_outcome { FW_COMPLETED = 0, FW_OUTCOME_ABORTED = 1, FW_FAILED = 2, FW_IN_PROGRESS = 3 };
enum fw_plane { FW_PLANE_ACTIVE = 0, FW_PLANE_REFERENCE = 1 };
enum fw_read_mode { FW_MODE_ACTIVE = 0, FW_MODE_REFERENCE = 1, FW_MODE_DIFFERENTIAL = 2 };
enum fw_polarity { FW_UP = 0, FW_DOWN = 1 };

/* The name PROTOCOL.md (and the Java enums) give an opcode or error code; NULL when there is none. */
const char *fw_opcode_name(unsigned opcode);
const char *fw_error_name(unsigned code);
/* True for the commands that change devices (PULSE, PULSE_THEN_READ, UPDATE). */
int fw_changes_devices(unsigned opcode);

#endif

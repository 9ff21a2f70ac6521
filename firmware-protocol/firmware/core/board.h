/*
 * The board side of the protocol (PROTOCOL.md sections 5 and 9), portable C11: no heap, no I/O of its own, no
 * global mutable state. The port owns one `struct board`, gives it a HAL and a configuration, and calls
 * board_poll() in its main loop; the core reads the link, answers, runs the current command a slice at a time
 * (checking for input between pulses, slots and parts), feeds and checks the watchdog.
 *
 * RAM: the struct holds the receive buffer (the largest encoded frame), the running command's packet and one
 * transmit packet, all sized from FW_MAX_PAYLOAD_BYTES at compile time (about 25 KiB).
 */
#ifndef RRAMFW_BOARD_H
#define RRAMFW_BOARD_H
#include <stddef.h>
#include <stdint.h>

#include "frame_decoder.h"
#include "fw_wire.h"
#include "hal.h"
#include "message_codec.h"

/* What the board says about itself (IDENTITY) and how it streams. */
struct board_config {
  const char *board_id;
  const char *model;
  const char *firmware_version;
  uint16_t watchdog_ms;       /* 1..65535; recommended 1000 */
  uint16_t max_payload_bytes; /* 64..8192 */
  uint8_t array_count;        /* 1..255 */
  const struct fw_array_info *arrays;
  struct fw_limits limits;
  uint8_t adc_bits;
  float g_min_siemens;
  float g_max_siemens;
  float lsb_siemens; /* siemens per conductance code */
  uint16_t max_values_per_part; /* 1..4088; currents parts are capped at 2044 as well */
  /* Device commands this board does not execute (bit k: command 0x10 + k), answered UNSUPPORTED so that the host
   * composes them from single-device commands (PROTOCOL.md 4.2 nativeOps); 0: all native. READ and PULSE should
   * stay native. */
  uint16_t unsupported_ops;
};

/* How long one board_poll() runs the current command before it looks at the link again, microseconds. */
#define BOARD_SLICE_US 1000u
/* UPDATE_PROGRESS at least this often while an update runs (PROTOCOL.md 5.5), microseconds. */
#define BOARD_PROGRESS_US 100000u
#define BOARD_TX_CHUNK 256u

struct board_job {
  int active;
  uint32_t id; /* counts commands started, so that code running one notices when input served meanwhile ended it */
  struct fw_command cmd; /* views into board.job_packet */
  uint32_t applied;      /* pulses applied by this command so far */
  uint32_t next;         /* streamed reads: next value */
  uint16_t part;
  uint8_t slot;          /* update: the slot being fired */
  uint32_t row_k;        /* update: next row entry of this slot, and its index among the present ones */
  uint32_t row_p;
  uint32_t last_progress_us;
};

struct board {
  const struct hal *hal;
  const struct board_config *config;
  struct frame_decoder rx;
  uint8_t job_packet[FW_MAX_PACKET_BYTES];
  uint8_t tx[FW_MAX_PAYLOAD_BYTES];
  uint8_t tx_chunk[BOARD_TX_CHUNK];
  size_t tx_chunk_len;
  struct fw_record history[FW_MAX_RECORDS]; /* newest first */
  uint8_t history_len;
  struct board_job job;
  uint8_t handshaken;
  uint8_t watchdog_expired; /* device commands need a HELLO */
  uint8_t watchdog_tripped; /* reported once in STATUS_REPORT */
  uint8_t last_aborted;
  uint16_t last_error;
  uint32_t frames_dropped;
  uint64_t pulses_total;
  uint32_t last_good_us;
  uint32_t clock_us;
  uint64_t uptime_us;
  /* Optional: told about each device-changing command when it ends (and about a running one at reset), for a port's
   * own log; NULL for none. */
  void (*trace)(void *ctx, const struct fw_record *record, const struct fw_command *command);
  void *trace_ctx;
};

static_assert(sizeof(((struct board *)0)->job_packet) >= FW_MAX_PACKET_BYTES, "a running command keeps its whole packet");
static_assert(sizeof(((struct board *)0)->tx) >= FW_MAX_PAYLOAD_BYTES, "one packet and its CRC fit the transmit buffer");
static_assert(FW_MAX_RECORDS >= 8u, "PROTOCOL.md 5.4: the history keeps at least 8 records");

/* Power-up: idle outputs, no handshake, empty history, uptime 0. */
void board_init(struct board *b, const struct hal *hal, const struct board_config *config);
/* A reboot: the running command stops without a word, history and handshake are forgotten, outputs idle. */
void board_reset(struct board *b);
/* One round of the main loop: read what the link has, answer it, check the watchdog, run a slice of the command. */
void board_poll(struct board *b);
/* Feeds received bytes directly (what board_poll does with link_read's bytes). */
void board_feed(struct board *b, const uint8_t *bytes, size_t n);
/* True while a command runs (the port may then poll without waiting for input). */
int board_busy(const struct board *b);

#endif

/*
 * The hardware abstraction a lab implements for its board (PORTING.md): a struct of function pointers, as Zephyr's
 * driver APIs. The portable core (board.c) composes every protocol command from these calls: reads, vector reads
 * and the stochastic parallel update; a board with parallel hardware may give the last two itself (vector_read,
 * update_slot). Every function gets the port's context pointer first.
 *
 * Units are the wire's: pulse amplitudes in mV, widths and periods in ns, read voltages in 100 uV (signed: vector
 * reads apply either sign), currents in A. The core has checked every value against the board's limits before it
 * calls; a port must still refuse (return an error) anything its hardware cannot do, never clamp.
 */
#ifndef RRAMFW_HAL_H
#define RRAMFW_HAL_H
#include <stddef.h>
#include <stdint.h>

#include "message_codec.h"

/* What a HAL call reports. */
enum hal_status {
  HAL_OK = 0,
  HAL_COMPLIANCE = 1, /* the current compliance tripped; the port has already idled its outputs */
  HAL_FAULT = 2       /* anything else the hardware reports */
};

/* A tile of one plane of one array, for the parallel hooks. */
struct hal_tile {
  uint8_t array, plane;
  uint16_t row0, col0, rows, cols;
};

struct hal {
  void *ctx;
  /* Free-running microsecond clock; wraps at 2^32 (the core only takes differences). */
  uint32_t (*micros)(void *ctx);
  /* Copies up to cap received link bytes into buf without waiting; returns how many (0: none yet). */
  size_t (*link_read)(void *ctx, uint8_t *buf, size_t cap);
  /* Sends n bytes; may wait for the line. */
  void (*link_write)(void *ctx, const uint8_t *buf, size_t n);
  /* Every row and column to 0 V, every switch open, DACs to 0. Must not fail; called after every command, error,
   * abort, watchdog expiry and at reset. */
  void (*idle_all)(void *ctx);
  /* Connects the word line `row` and bit line `col` of one plane (0 active, 1 reference) of an array to the pulse
   * and sense paths; every other line stays grounded or floating as the array's scheme requires. */
  enum hal_status (*select_lines)(void *ctx, uint8_t array, uint8_t plane, uint16_t row, uint16_t col);
  /* Sets the pulse DAC: amplitude (mV, magnitude) and polarity (0 UP / SET, 1 DOWN / RESET). */
  enum hal_status (*set_pulse_dac)(void *ctx, uint16_t amplitude_mv, uint8_t polarity);
  /* Fires one pulse of the DAC's amplitude on the selected device, width_ns long, and returns no sooner than
   * period_ns after its start (the pulse timer keeps the rate; PROTOCOL.md limits it). */
  enum hal_status (*fire_pulse)(void *ctx, uint32_t width_ns, uint32_t period_ns);
  /* Applies a read voltage (100 uV units, either sign; 0 disconnects) to the selected device. */
  enum hal_status (*set_read_voltage)(void *ctx, int16_t tenth_mv);
  /* Samples the TIA/ADC on the selected device's sense line: the current in amperes. */
  enum hal_status (*read_current)(void *ctx, float *amps);

  /* Optional, for a board with parallel hardware (PORTING.md); NULL: the core composes the operation device by device
   * from the calls above. Per device the result must be the composed one's. */

  /* A vector read of one plane: the `count` inputs (signed 100 uV, little-endian pairs, hal_input) applied at once to
   * the tile's rows (forward) or columns (transpose), skipping zeros; amps[k] is the summed current of output
   * first + k (a column of the tile forward, a row transposed), k < n. */
  enum hal_status (*vector_read)(void *ctx, const struct hal_tile *t, int transpose, const uint8_t *inputs_le, uint32_t count, uint32_t first,
                                 uint32_t n, float *amps);
  /* One slot of the stochastic update (PROTOCOL.md 4.1) on the tile: every device whose row and column both fire in
   * `slot` gets one pulse, the `up` shape when their signs agree, `down` when they differ (hal_drives gives each
   * line's drive); *pulses is set to the number of pulses applied. */
  enum hal_status (*update_slot)(void *ctx, const struct hal_tile *t, const struct fw_streams *rows, const struct fw_streams *cols, uint32_t slot,
                                 const struct fw_shape *up, const struct fw_shape *down, uint32_t *pulses);
};

/* Input k of a vector read (hal.vector_read), 100 uV. */
static inline int16_t hal_input(const uint8_t *inputs_le, uint32_t k) {
  return (int16_t)(uint16_t)(inputs_le[2u * k] | inputs_le[2u * k + 1u] << 8);
}

/* Each line's drive in one slot of an update (hal.update_slot): out[k] is 0 when entry k of the stream is absent or
 * silent in `slot`, +1 or -1 when it fires with that sign; out holds s->n entries. */
void hal_drives(const struct fw_streams *s, uint32_t slot, int8_t *out);

#endif

/*
 * A soft-bound device array in C (DESIGN.md section 2, the same physics and parameter names as the Java emulator and
 * IBM aihwkit's SoftBoundsDevice), seeded: the host port's "hardware". Each device has its own bounds b_min, b_max
 * and step sizes a_up, a_down drawn once (device-to-device variation); each pulse moves the conductance with
 * cycle-to-cycle noise; each read adds read noise and passes an ADC. The exact symmetry point of every device is
 * known (softbound_symmetry_point), for measuring calibration against it.
 */
#ifndef RRAMFW_SOFTBOUND_H
#define RRAMFW_SOFTBOUND_H
#include <stddef.h>
#include <stdint.h>

struct softbound_preset {
  const char *name;
  double dw_min, dw_min_dtod, dw_min_std; /* step, its device-to-device and cycle-to-cycle spread */
  double up_down, up_down_dtod;           /* up/down imbalance and its spread */
  double w_max, w_min, w_max_dtod, w_min_dtod, w0_std;
  double read_noise_std; /* weight units, per read */
  int adc_bits;
  double g_min_siemens, g_max_siemens;
  double pulse_volts; /* the nominal pulse: a pulse of this amplitude and width moves a device by one step */
  double pulse_width_ns;
  double threshold_volts; /* below this a pulse does nothing */
};

/* The built-in presets (the numbers of simulator/src/main/resources/presets); NULL if unknown. */
const struct softbound_preset *softbound_preset_named(const char *name);
/* Sets one parameter by its DESIGN.md name (dw_min, up_down, w_max, read_noise_std, ...); 0 if the name is unknown. */
int softbound_set(struct softbound_preset *p, const char *name, double value);
/* The parameter names softbound_set knows, comma-separated. */
const char *softbound_parameter_names(void);

struct softbound_plane {
  double *g;         /* siemens */
  double *s_up;      /* a_up / b_max */
  double *s_down;    /* a_down / -b_min */
  float *b_max;
  float *b_min;
};

struct softbound_array {
  uint16_t rows, cols;
  struct softbound_plane plane[2]; /* active, reference */
};

struct softbound {
  struct softbound_preset p;
  uint64_t rng[4];
  size_t array_count;
  struct softbound_array *arrays;
  uint64_t pulses;
};

/* Allocates and draws every device (this port may use the heap; the core does not). 0 on success. */
int softbound_init(struct softbound *m, const struct softbound_preset *p, const uint16_t (*geometry)[2], size_t arrays, uint64_t seed);
void softbound_free(struct softbound *m);
/* One pulse on a device: amplitude (V), width (ns), up (1) or down (0). */
void softbound_pulse(struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col, double volts, double width_ns, int up);
/* One read of a device's conductance through read noise and the ADC, siemens. */
double softbound_read(struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col);
/* The exact symmetry point, siemens: where an up and a down step are equal. */
double softbound_symmetry_point(const struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col);
double softbound_conductance(const struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col);

#endif

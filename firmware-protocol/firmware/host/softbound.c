#include "softbound.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct softbound_preset PRESETS[] = {
    {"ideal", 0.001, 0.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0, 16, 1e-6, 1e-4, 1.0, 100, 0.5},
    {"aihwkit-like", 0.001, 0.3, 0.3, 0.0, 0.01, 0.6, -0.6, 0.3, 0.3, 0.0, 0.002, 14, 1e-6, 1e-4, 1.0, 100, 0.5},
    {"rram-imbalanced", 0.001, 0.3, 0.3, 0.5, 0.1, 1.0, -1.0, 0.3, 0.3, 0.0, 0.002, 14, 1e-6, 1e-4, 1.0, 100, 0.5},
};

const struct softbound_preset *softbound_preset_named(const char *name) {
  for (size_t k = 0; k < sizeof PRESETS / sizeof PRESETS[0]; k++) {
    if (strcmp(PRESETS[k].name, name) == 0) return &PRESETS[k];
  }
  return NULL;
}

#define PARAM(n) {#n, offsetof(struct softbound_preset, n)}
static const struct {
  const char *name;
  size_t offset;
} PARAMS[] = {PARAM(dw_min), PARAM(dw_min_dtod), PARAM(dw_min_std), PARAM(up_down), PARAM(up_down_dtod), PARAM(w_max), PARAM(w_min),
              PARAM(w_max_dtod), PARAM(w_min_dtod), PARAM(w0_std), PARAM(read_noise_std)};

int softbound_set(struct softbound_preset *p, const char *name, double value) {
  for (size_t k = 0; k < sizeof PARAMS / sizeof PARAMS[0]; k++) {
    if (strcmp(PARAMS[k].name, name) == 0) {
      memcpy((char *)p + PARAMS[k].offset, &value, sizeof value);
      return 1;
    }
  }
  return 0;
}

const char *softbound_parameter_names(void) {
  return "dw_min, dw_min_dtod, dw_min_std, up_down, up_down_dtod, w_max, w_min, w_max_dtod, w_min_dtod, w0_std, read_noise_std";
}

/* xoshiro256** seeded by splitmix64 (Blackman and Vigna): fast, seedable, good enough for device noise. */
static uint64_t rotl(uint64_t x, int k) {
  return x << k | x >> (64 - k);
}

static uint64_t next(struct softbound *m) {
  uint64_t *s = m->rng;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static double uniform(struct softbound *m) {
  return (double)(next(m) >> 11) * 0x1.0p-53;
}

/* Standard normal, Marsaglia's polar method (one of the pair; simple and exact). */
static double gaussian(struct softbound *m) {
  for (;;) {
    double u = 2 * uniform(m) - 1;
    double v = 2 * uniform(m) - 1;
    double s = u * u + v * v;
    if (s > 0 && s < 1) return u * sqrt(-2 * log(s) / s);
  }
}

static double to_siemens(const struct softbound *m, const struct softbound_plane *pl, size_t k, double w) {
  double range = m->p.g_max_siemens - m->p.g_min_siemens;
  return m->p.g_min_siemens + (w - pl->b_min[k]) * range / ((double)pl->b_max[k] - pl->b_min[k]);
}

int softbound_init(struct softbound *m, const struct softbound_preset *p, const uint16_t (*geometry)[2], size_t arrays, uint64_t seed) {
  memset(m, 0, sizeof *m);
  m->p = *p;
  uint64_t z = seed;
  for (int k = 0; k < 4; k++) {
    z += 0x9E3779B97F4A7C15ull;
    uint64_t x = z;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    m->rng[k] = x ^ (x >> 31);
  }
  m->arrays = calloc(arrays, sizeof *m->arrays);
  if (m->arrays == NULL) return -1;
  m->array_count = arrays;
  double up_bias = p->up_down < 0 ? p->up_down : 0;
  double down_bias = p->up_down > 0 ? -p->up_down : 0;
  for (size_t a = 0; a < arrays; a++) {
    struct softbound_array *arr = &m->arrays[a];
    arr->rows = geometry[a][0];
    arr->cols = geometry[a][1];
    size_t n = (size_t)arr->rows * arr->cols;
    for (int pl = 0; pl < 2; pl++) {
      struct softbound_plane *d = &arr->plane[pl];
      d->g = malloc(n * sizeof *d->g);
      d->s_up = malloc(n * sizeof *d->s_up);
      d->s_down = malloc(n * sizeof *d->s_down);
      d->b_max = malloc(n * sizeof *d->b_max);
      d->b_min = malloc(n * sizeof *d->b_min);
      if (!d->g || !d->s_up || !d->s_down || !d->b_max || !d->b_min) return -1;
      for (size_t k = 0; k < n; k++) {
        /* DESIGN.md section 2: bounds, gain and up/down spread drawn once per device */
        double hi = p->w_max * (1 + p->w_max_dtod * gaussian(m));
        double lo = p->w_min * (1 + p->w_min_dtod * gaussian(m));
        float top = (float)(hi > 0 ? hi : 0.1 * p->w_max);
        float bottom = (float)(lo < 0 ? lo : 0.1 * p->w_min);
        double gain = 1 + p->dw_min_dtod * gaussian(m);
        double r = p->up_down_dtod * gaussian(m);
        double a_up = p->dw_min * fabs(gain + r + up_bias); /* negative draws taken as magnitudes, as aihwkit does */
        double a_down = p->dw_min * fabs(gain - r + down_bias);
        d->b_max[k] = top;
        d->b_min[k] = bottom;
        d->s_up[k] = a_up / top;
        d->s_down[k] = a_down / -bottom;
        double w0 = p->w0_std == 0 ? 0 : p->w0_std * gaussian(m);
        if (w0 > top) w0 = top;
        if (w0 < bottom) w0 = bottom;
        d->g[k] = to_siemens(m, d, k, w0);
      }
    }
  }
  return 0;
}

void softbound_free(struct softbound *m) {
  for (size_t a = 0; a < m->array_count; a++) {
    for (int pl = 0; pl < 2; pl++) {
      struct softbound_plane *d = &m->arrays[a].plane[pl];
      free(d->g);
      free(d->s_up);
      free(d->s_down);
      free(d->b_max);
      free(d->b_min);
    }
  }
  free(m->arrays);
  m->arrays = NULL;
}

/*
 * In conductance terms the soft-bound step is proportional to the distance from the bound it moves towards:
 *   up:   G <- G + s_up   (G_max - G) (1 + dw_min_std xi)      down: G <- G - s_down (G - G_min) (1 + dw_min_std xi)
 * (DESIGN.md's w-space equations mapped through the device's linear G(w)), clipped to the window. A pulse of
 * another amplitude or width scales the step by (V - V_th) / (V_nominal - V_th) x width / nominal width.
 */
void softbound_pulse(struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col, double volts, double width_ns, int up) {
  struct softbound_array *arr = &m->arrays[array];
  struct softbound_plane *d = &arr->plane[plane];
  size_t k = (size_t)row * arr->cols + col;
  double over = (volts - m->p.threshold_volts) / (m->p.pulse_volts - m->p.threshold_volts);
  double strength = over <= 0 ? 0 : over * width_ns / m->p.pulse_width_ns;
  double range = m->p.g_max_siemens - m->p.g_min_siemens;
  double noise = 1 + m->p.dw_min_std * gaussian(m);
  double g = d->g[k];
  if (up) {
    double dist = m->p.g_max_siemens - g;
    dist -= d->s_up[k] * strength * dist * noise;
    g = m->p.g_max_siemens - fmin(range, fmax(0, dist));
  } else {
    double dist = g - m->p.g_min_siemens;
    dist -= d->s_down[k] * strength * dist * noise;
    g = m->p.g_min_siemens + fmin(range, fmax(0, dist));
  }
  d->g[k] = g;
  m->pulses++;
}

double softbound_read(struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col) {
  struct softbound_array *arr = &m->arrays[array];
  struct softbound_plane *d = &arr->plane[plane];
  size_t k = (size_t)row * arr->cols + col;
  double range = m->p.g_max_siemens - m->p.g_min_siemens;
  double g = d->g[k];
  if (m->p.read_noise_std > 0) g += m->p.read_noise_std * gaussian(m) * range / ((double)d->b_max[k] - d->b_min[k]);
  /* ADC: unsigned, full scale 1.25 G_max, 2^bits - 1 steps (the emulator's) */
  double lsb = 1.25 * m->p.g_max_siemens / (double)((1ull << m->p.adc_bits) - 1);
  double code = nearbyint(g / lsb);
  double max = (double)((1ull << m->p.adc_bits) - 1);
  if (code < 0) code = 0;
  if (code > max) code = max;
  return code * lsb;
}

double softbound_symmetry_point(const struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col) {
  const struct softbound_array *arr = &m->arrays[array];
  const struct softbound_plane *d = &arr->plane[plane];
  size_t k = (size_t)row * arr->cols + col;
  /* s_up (G_max - G*) = s_down (G* - G_min) */
  return (d->s_up[k] * m->p.g_max_siemens + d->s_down[k] * m->p.g_min_siemens) / (d->s_up[k] + d->s_down[k]);
}

double softbound_conductance(const struct softbound *m, size_t array, int plane, uint32_t row, uint32_t col) {
  const struct softbound_array *arr = &m->arrays[array];
  return arr->plane[plane].g[(size_t)row * arr->cols + col];
}

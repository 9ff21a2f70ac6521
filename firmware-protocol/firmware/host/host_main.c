/*
 * rramctl-fw-host: the reference firmware's host port. The portable core (core/board.c) runs unchanged; its HAL is
 * a soft-bound device array in C (softbound.c) and its link is the master side of a pseudo-terminal, whose slave is
 * linked at --pty PATH so that `rramctl ... --board serial:PATH` drives it as it would a board on a USB port.
 *
 *   rramctl-fw-host --pty PATH [--geometry 32x32[,RxC...]] [--seed S] [--preset NAME] [--set name=value]...
 *                   [--part N] [--watchdog MS] [--board-id ID] [--unsupported OPS] [--realtime] [--trace] [--stall FRAMES:MS]
 *                   [--control]
 *
 * --unsupported read_row,forward_read,... leaves those device commands to the host: IDENTITY's nativeOps omits them
 * and the board refuses them with UNSUPPORTED, so the host composes them from single-device commands.
 *
 * --realtime makes a pulse train take its real duration (count x period of wall time), as on hardware, so that a
 * test can stop or reboot the board in the middle of one; by default pulses take no wall time.
 *
 * --trace keeps a line for each of the last 512 frames in and out (CLOCK_MONOTONIC microseconds, opcode, sequence,
 * encoded length), printed by the control command `trace` and at exit, and writes to stderr every reply the line did
 * not take and every main-loop pass longer than 50 ms. --stall FRAMES:MS stops answering for MS milliseconds once,
 * after FRAMES frames have arrived, as a process the scheduler leaves waiting on a loaded machine.
 *
 * --control reads commands on stdin, outside the protocol, for tests: `truth` (every device's exact symmetry point
 * and conductance), `log` (every device-changing command the board ran), `running` (the command running now and
 * its pulses so far), `reset` (a reboot), `pulses`, `trace` (see --trace); the process
 * ends when stdin closes. Without it stdin is not read.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../core/board.h"
#include "softbound.h"

#define MAX_ARRAYS 16

struct port {
  int master;
  int slave_hold;
  struct softbound model;
  int selected;
  uint8_t array, plane;
  uint16_t row, col;
  uint16_t dac_mv;
  uint8_t dac_polarity;
  int16_t read_tenth_mv;
  uint16_t rows[MAX_ARRAYS], cols[MAX_ARRAYS];
  size_t arrays;
  /* the execution log for --control: every device-changing command that ended */
  struct log_entry {
    uint16_t sequence;
    uint8_t opcode;
    uint8_t outcome;
    uint32_t count;
    uint32_t pulses;
  } *log;
  size_t log_len, log_cap;
  int realtime;
  uint64_t owed_ns; /* --realtime: pulse time not yet slept */
};

static struct port P;
static const char *link_path;
static volatile sig_atomic_t stop;

/* --trace: a line for every frame in and out (time, opcode, sequence, encoded length) kept in a ring of the last
 * TRACE_LINES, printed by the control command `trace` and at exit; every write the line did not take and every
 * pass of the main loop that took long go to stderr at once. For finding out after a failed test whether the
 * board answered, and when. Times are CLOCK_MONOTONIC in microseconds, the clock Java's System.nanoTime() reads. */
#define TRACE_LINES 512
struct tracer {
  const char *dir;
  uint8_t head[8];
  size_t n, total;
};
static int tracing;
static struct tracer trace_in = {"in", {0}, 0, 0}, trace_out = {"out", {0}, 0, 0};
static char trace_ring[TRACE_LINES][72];
static unsigned long trace_count;
static unsigned long frames_in; /* frames (0x00 delimiters) read from the line */

static uint64_t monotonic_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static void trace_dump(FILE *to, const char *prefix) {
  unsigned long first = trace_count > TRACE_LINES ? trace_count - TRACE_LINES : 0;
  for (unsigned long k = first; k < trace_count; k++) fprintf(to, "%s%s\n", prefix, trace_ring[k % TRACE_LINES]);
}

/* Logs each frame that ends in these bytes: its header, COBS-decoded from the first encoded bytes. */
static void trace_bytes(struct tracer *t, const uint8_t *buf, size_t n) {
  for (size_t k = 0; k < n; k++) {
    if (buf[k] != 0) {
      if (t->n < sizeof t->head) t->head[t->n++] = buf[k];
      t->total++;
      continue;
    }
    uint8_t h[8];
    size_t hn = 0, i = 0;
    while (i < t->n && hn < sizeof h) {
      uint8_t code = t->head[i++];
      for (uint8_t j = 1; j < code && i < t->n && hn < sizeof h; j++) h[hn++] = t->head[i++];
      if (code < 255 && hn < sizeof h) h[hn++] = 0;
    }
    char *line = trace_ring[trace_count++ % TRACE_LINES];
    if (hn >= 4) {
      snprintf(line, sizeof trace_ring[0], "%llu %s op=0x%02x seq=%u len=%zu", (unsigned long long)monotonic_us(), t->dir, h[1], (unsigned)(h[2] | h[3] << 8),
               t->total);
    } else {
      snprintf(line, sizeof trace_ring[0], "%llu %s short frame len=%zu", (unsigned long long)monotonic_us(), t->dir, t->total);
    }
    t->n = t->total = 0;
  }
}

static void die_usage(const char *input, const char *what, const char *allowed) {
  fprintf(stderr, "rramctl-fw-host: %s: %s (allowed: %s)\n", input, what, allowed);
  exit(2);
}

/* ---------------------------------------------------------------------------------------------- HAL */

static uint32_t h_micros(void *ctx) {
  (void)ctx;
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint32_t)((uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u);
}

static size_t h_read(void *ctx, uint8_t *buf, size_t cap) {
  (void)ctx;
  ssize_t n = read(P.master, buf, cap);
  for (ssize_t k = 0; k < n; k++) frames_in += buf[k] == 0;
  if (n > 0 && tracing) trace_bytes(&trace_in, buf, (size_t)n);
  return n > 0 ? (size_t)n : 0;
}

/* Writes everything, waiting for the line; gives up on a line nobody reads for 200 ms (the host retries). */
static void h_write(void *ctx, const uint8_t *buf, size_t n) {
  (void)ctx;
  while (n > 0) {
    ssize_t w = write(P.master, buf, n);
    if (w > 0) {
      if (tracing) trace_bytes(&trace_out, buf, (size_t)w);
      buf += w;
      n -= (size_t)w;
      continue;
    }
    if (w < 0 && errno != EAGAIN && errno != EINTR) {
      if (tracing) fprintf(stderr, "%llu out write failed: %s, %zu bytes dropped\n", (unsigned long long)monotonic_us(), strerror(errno), n);
      return;
    }
    struct pollfd fd = {P.master, POLLOUT, 0};
    if (poll(&fd, 1, 200) == 0) {
      if (tracing) fprintf(stderr, "%llu out line full for 200 ms, %zu bytes dropped\n", (unsigned long long)monotonic_us(), n);
      return;
    }
  }
}

static void h_idle(void *ctx) {
  (void)ctx;
  P.selected = 0;
  P.dac_mv = 0;
  P.read_tenth_mv = 0;
}

static enum hal_status h_select(void *ctx, uint8_t array, uint8_t plane, uint16_t row, uint16_t col) {
  (void)ctx;
  if (array >= P.arrays || plane > 1 || row >= P.rows[array] || col >= P.cols[array]) return HAL_FAULT;
  P.selected = 1;
  P.array = array, P.plane = plane, P.row = row, P.col = col;
  return HAL_OK;
}

static enum hal_status h_dac(void *ctx, uint16_t mv, uint8_t polarity) {
  (void)ctx;
  P.dac_mv = mv;
  P.dac_polarity = polarity;
  return HAL_OK;
}

static enum hal_status h_fire(void *ctx, uint32_t width_ns, uint32_t period_ns) {
  (void)ctx;
  if (!P.selected || P.dac_mv == 0) return HAL_FAULT;
  softbound_pulse(&P.model, P.array, P.plane, P.row, P.col, P.dac_mv / 1000.0, (double)width_ns, P.dac_polarity == FW_UP);
  if (P.realtime) {
    /* the train's own duration, slept in steps of at least 100 us */
    P.owed_ns += period_ns;
    if (P.owed_ns >= 100000u) {
      struct timespec t = {(time_t)(P.owed_ns / 1000000000u), (long)(P.owed_ns % 1000000000u)};
      nanosleep(&t, NULL);
      P.owed_ns = 0;
    }
  }
  return HAL_OK;
}

static enum hal_status h_read_voltage(void *ctx, int16_t tenth_mv) {
  (void)ctx;
  P.read_tenth_mv = tenth_mv;
  return HAL_OK;
}

static enum hal_status h_current(void *ctx, float *amps) {
  (void)ctx;
  if (!P.selected) return HAL_FAULT;
  double g = softbound_read(&P.model, P.array, P.plane, P.row, P.col);
  *amps = (float)(g * P.read_tenth_mv * 1e-4);
  return HAL_OK;
}

static const struct hal HAL = {NULL, h_micros, h_read, h_write, h_idle, h_select, h_dac, h_fire, h_read_voltage, h_current, NULL, NULL};

static void trace(void *ctx, const struct fw_record *r, const struct fw_command *c) {
  (void)ctx;
  if (P.log_len == P.log_cap) {
    P.log_cap = P.log_cap ? 2 * P.log_cap : 1024;
    P.log = realloc(P.log, P.log_cap * sizeof *P.log);
    if (P.log == NULL) abort();
  }
  struct log_entry *e = &P.log[P.log_len++];
  e->sequence = r->sequence;
  e->opcode = r->opcode;
  e->outcome = r->outcome;
  e->pulses = r->pulses;
  e->count = c->opcode == FW_UPDATE ? 0 : c->u.pulse.count;
}

/* ---------------------------------------------------------------------------------------------- pty */

static void make_raw(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) != 0) return;
  cfmakeraw(&t);
  tcsetattr(fd, TCSANOW, &t);
}

static void open_pty(const char *path) {
  P.master = posix_openpt(O_RDWR | O_NOCTTY);
  if (P.master < 0 || grantpt(P.master) != 0 || unlockpt(P.master) != 0) {
    fprintf(stderr, "rramctl-fw-host: posix_openpt: %s\n", strerror(errno));
    exit(1);
  }
  const char *slave = ptsname(P.master);
  if (slave == NULL) {
    fprintf(stderr, "rramctl-fw-host: ptsname: %s\n", strerror(errno));
    exit(1);
  }
  /* Holding the slave open keeps the master readable when a client closes and reopens the port. */
  P.slave_hold = open(slave, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (P.slave_hold < 0) {
    fprintf(stderr, "rramctl-fw-host: %s: %s\n", slave, strerror(errno));
    exit(1);
  }
  make_raw(P.slave_hold);
  make_raw(P.master);
  fcntl(P.master, F_SETFL, fcntl(P.master, F_GETFL) | O_NONBLOCK);
  struct stat st;
  if (lstat(path, &st) == 0) {
    if (!S_ISLNK(st.st_mode)) die_usage(path, "exists and is not a symbolic link", "a new path or an old link");
    unlink(path);
  }
  if (symlink(slave, path) != 0) {
    fprintf(stderr, "rramctl-fw-host: %s: cannot link to %s: %s\n", path, slave, strerror(errno));
    exit(1);
  }
  link_path = path;
}

/* ---------------------------------------------------------------------------------------------- control */

static void control_line(struct board *b, const char *line) {
  if (strcmp(line, "truth") == 0) {
    for (size_t a = 0; a < P.arrays; a++)
      for (int pl = 0; pl < 2; pl++)
        for (uint32_t r = 0; r < P.rows[a]; r++)
          for (uint32_t c = 0; c < P.cols[a]; c++) {
            printf("truth %zu %d %u %u %.9e %.9e\n", a, pl, r, c, softbound_symmetry_point(&P.model, a, pl, r, c),
                   softbound_conductance(&P.model, a, pl, r, c));
          }
    printf("end\n");
  } else if (strcmp(line, "log") == 0) {
    for (size_t k = 0; k < P.log_len; k++) {
      struct log_entry *e = &P.log[k];
      printf("log %u %u %u %u %u\n", e->sequence, e->opcode, e->count, e->pulses, e->outcome);
    }
    printf("end\n");
  } else if (strcmp(line, "running") == 0) {
    if (board_busy(b)) {
      printf("running %u %u %u\n", b->job.cmd.sequence, b->job.cmd.opcode, b->job.applied);
    } else {
      printf("running none\n");
    }
  } else if (strcmp(line, "reset") == 0) {
    board_reset(b);
    printf("ok\n");
  } else if (strcmp(line, "trace") == 0) {
    trace_dump(stdout, "trace ");
    printf("end\n");
  } else if (strcmp(line, "pulses") == 0) {
    printf("pulses %llu\n", (unsigned long long)P.model.pulses);
  } else {
    printf("error %s (allowed: truth, log, running, reset, pulses, trace)\n", line);
  }
  fflush(stdout);
}

/* Reads what stdin has; runs complete lines. Returns 0 at end of input. */
static int control(struct board *b) {
  static char buf[4096];
  static size_t len;
  ssize_t n = read(0, buf + len, sizeof buf - 1 - len);
  if (n == 0) return 0;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  len += (size_t)n;
  char *start = buf;
  char *nl;
  while ((nl = memchr(start, '\n', (size_t)(buf + len - start))) != NULL) {
    *nl = 0;
    control_line(b, start);
    start = nl + 1;
  }
  len = (size_t)(buf + len - start);
  memmove(buf, start, len);
  if (len == sizeof buf - 1) len = 0; /* a line too long to be a command */
  return 1;
}

/* ---------------------------------------------------------------------------------------------- main */

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static unsigned long number(const char *option, const char *s, unsigned long min, unsigned long max) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *s == 0 || *end != 0 || *s == '-' || v < min || v > max) {
    char allowed[64];
    snprintf(allowed, sizeof allowed, "%lu..%lu", min, max);
    char input[256];
    snprintf(input, sizeof input, "%s %s", option, s);
    die_usage(input, "not a number in range", allowed);
  }
  return v;
}

/* A comma-separated list of device commands (lower-case PROTOCOL.md names) as unsupported_ops bits. */
static uint16_t parse_ops(const char *s) {
  static const char *const NAMES[] = {"read", "pulse", "pulse_then_read", "read_row", "read_column", "read_array", "forward_read", "transpose_read", "update"};
  const char *allowed = "pulse_then_read, read_row, read_column, read_array, forward_read, transpose_read, update (READ and PULSE stay native)";
  char copy[256];
  snprintf(copy, sizeof copy, "%s", s);
  uint16_t bits = 0;
  for (char *tok = strtok(copy, ","); tok != NULL; tok = strtok(NULL, ",")) {
    int found = -1;
    for (int k = 2; k < 9; k++) {
      if (strcmp(tok, NAMES[k]) == 0) found = k;
    }
    if (found < 0) die_usage(s, "not a list of device commands", allowed);
    bits = (uint16_t)(bits | 1u << found);
  }
  return bits;
}

static void parse_geometry(const char *s) {
  char copy[256];
  snprintf(copy, sizeof copy, "%s", s);
  P.arrays = 0;
  for (char *tok = strtok(copy, ","); tok != NULL; tok = strtok(NULL, ",")) {
    unsigned r, c;
    char tail;
    if (P.arrays == MAX_ARRAYS || sscanf(tok, "%ux%u%c", &r, &c, &tail) != 2 || r < 1 || c < 1 || r > 65535 || c > 65535) {
      die_usage(s, "not a geometry", "ROWSxCOLS[,ROWSxCOLS...], 1..65535 each, up to 16 arrays");
    }
    P.rows[P.arrays] = (uint16_t)r;
    P.cols[P.arrays] = (uint16_t)c;
    P.arrays++;
  }
  if (P.arrays == 0) die_usage(s, "not a geometry", "ROWSxCOLS[,ROWSxCOLS...]");
}

int main(int argc, char **argv) {
  const char *pty = NULL;
  const char *board_id = "RFW-HOST-0001";
  unsigned long seed = 1;
  unsigned long part = FW_MAX_CODES;
  unsigned long watchdog = 1000;
  int with_control = 0;
  unsigned long stall_after = 0, stall_ms = 0;
  uint16_t unsupported = 0;
  struct softbound_preset preset = *softbound_preset_named("rram-imbalanced");
  parse_geometry("32x32");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--control") == 0) {
      with_control = 1;
      continue;
    }
    if (strcmp(a, "--realtime") == 0) {
      P.realtime = 1;
      continue;
    }
    if (strcmp(a, "--trace") == 0) {
      tracing = 1;
      continue;
    }
    if (strcmp(a, "--stall") == 0 && v != NULL) {
      char tail;
      if (sscanf(v, "%lu:%lu%c", &stall_after, &stall_ms, &tail) != 2 || stall_after < 1 || stall_ms < 1 || stall_ms > 60000) {
        die_usage(v, "not a stall", "FRAMES:MS, FRAMES >= 1, MS 1..60000");
      }
      i++;
      continue;
    }
    if (v == NULL) die_usage(a, "needs a value or is unknown", "--pty PATH, --geometry, --seed, --preset, --set, --part, --watchdog, --board-id, --unsupported, --realtime, --trace, --stall, --control");
    i++;
    if (strcmp(a, "--pty") == 0) {
      pty = v;
    } else if (strcmp(a, "--geometry") == 0) {
      parse_geometry(v);
    } else if (strcmp(a, "--seed") == 0) {
      seed = number(a, v, 0, (unsigned long)-1);
    } else if (strcmp(a, "--preset") == 0) {
      const struct softbound_preset *p = softbound_preset_named(v);
      if (p == NULL) die_usage(v, "unknown preset", "ideal, aihwkit-like, rram-imbalanced");
      preset = *p;
    } else if (strcmp(a, "--set") == 0) {
      char name[64];
      double value;
      char tail;
      if (sscanf(v, "%63[a-z0-9_]=%lf%c", name, &value, &tail) != 2 || !softbound_set(&preset, name, value)) {
        die_usage(v, "not a parameter assignment", softbound_parameter_names());
      }
    } else if (strcmp(a, "--unsupported") == 0) {
      unsupported = parse_ops(v);
    } else if (strcmp(a, "--part") == 0) {
      part = number(a, v, 1, FW_MAX_CODES);
    } else if (strcmp(a, "--watchdog") == 0) {
      watchdog = number(a, v, 1, 65535);
    } else if (strcmp(a, "--board-id") == 0) {
      if (*v == 0 || strlen(v) > 64) die_usage(v, "not a board id", "1..64 characters");
      board_id = v;
    } else {
      die_usage(a, "unknown option", "--pty PATH, --geometry, --seed, --preset, --set, --part, --watchdog, --board-id, --unsupported, --realtime, --trace, --stall, --control");
    }
  }
  if (pty == NULL) die_usage("(no --pty)", "a pty path is required", "--pty PATH");
  if (!(preset.w_max > 0 && preset.w_min < 0 && preset.dw_min > 0 && preset.up_down > -1 && preset.up_down < 1)) {
    die_usage("--set", "parameters outside the model", "dw_min > 0, w_min < 0 < w_max, -1 < up_down < 1");
  }

  uint16_t geometry[MAX_ARRAYS][2];
  struct fw_array_info info[MAX_ARRAYS];
  for (size_t a = 0; a < P.arrays; a++) {
    geometry[a][0] = P.rows[a];
    geometry[a][1] = P.cols[a];
    info[a] = (struct fw_array_info){P.rows[a], P.cols[a], 1};
  }
  if (softbound_init(&P.model, &preset, (const uint16_t(*)[2])geometry, P.arrays, seed) != 0) {
    fprintf(stderr, "rramctl-fw-host: out of memory for the device arrays\n");
    return 1;
  }
  char model[96];
  snprintf(model, sizeof model, "rramctl reference firmware, host port (%s, seed %lu)", preset.name, seed);
  /* The emulator's hardware limits; conductance codes of 1.25 G_max / 65535. */
  struct board_config cfg = {board_id, model, "1.0.0", (uint16_t)watchdog, FW_MAX_PAYLOAD_BYTES, (uint8_t)P.arrays, info,
                             {3000, 5000, 10, 10000000, 100000, 50000000, 1000000}, 16, (float)preset.g_min_siemens,
                             (float)preset.g_max_siemens, (float)(1.25 * preset.g_max_siemens / 65535.0), (uint16_t)part, unsupported};

  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, SIG_IGN); /* a client closing the pty is not the end of the board */
  open_pty(pty);
  static struct board b;
  board_init(&b, &HAL, &cfg);
  b.trace = trace;
  if (with_control) fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  printf("ready %s\n", pty);
  fflush(stdout);
  uint64_t last = monotonic_us();
  while (!stop) {
    struct pollfd fds[2] = {{P.master, POLLIN, 0}, {0, POLLIN, 0}};
    int busy = board_busy(&b);
    int n = poll(fds, with_control ? 2 : 1, busy ? 0 : 5);
    if (n < 0 && errno != EINTR) break;
    if (with_control && (fds[1].revents & (POLLIN | POLLHUP)) && !control(&b)) break;
    uint64_t polled = monotonic_us();
    board_poll(&b);
    if (stall_ms && frames_in >= stall_after) {
      /* --stall: the process stops answering for a while, as one the scheduler leaves waiting on a loaded host */
      fprintf(stderr, "%llu stall %lu ms after %lu frames\n", (unsigned long long)polled, stall_ms, frames_in);
      struct timespec t = {(time_t)(stall_ms / 1000u), (long)(stall_ms % 1000u) * 1000000L};
      while (nanosleep(&t, &t) != 0 && errno == EINTR && !stop) {
      }
      stall_ms = 0;
    }
    uint64_t now = monotonic_us();
    if (tracing && now - last > 50000u) {
      fprintf(stderr, "%llu loop pass took %llu us (%llu us in board_poll, %s)\n", (unsigned long long)now, (unsigned long long)(now - last),
              (unsigned long long)(now - polled), busy ? "busy" : "idle");
    }
    last = now;
  }
  if (tracing) {
    fprintf(stderr, "%llu exit (%s); the last frames:\n", (unsigned long long)monotonic_us(), stop ? "signal" : "stdin closed or poll failed");
    trace_dump(stderr, "");
  }
  if (link_path) unlink(link_path);
  softbound_free(&P.model);
  free(P.log);
  return 0;
}

/*
 * Runs every golden vector (firmware-protocol/src/test/resources/golden-vectors.txt, the file the Java tests read)
 * through the C frame decoder and codec: the frame must decode to one packet with the stated sequence, the C decoder
 * must accept it and understand the same fields as the Java decoder (printed in the Java records' notation and
 * compared with the vector's fifth column), and the C encoder must give back the same bytes. Any disagreement fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cobs.h"
#include "../core/crc32c.h"
#include "../core/frame_decoder.h"
#include "../core/message_codec.h"
#include "java_text.h"

static int failures;

#define FAIL(...)                 \
  do {                            \
    fprintf(stderr, __VA_ARGS__); \
    fputc('\n', stderr);          \
    failures++;                   \
  } while (0)

static size_t frame_of(const uint8_t *packet, size_t len, uint8_t *out) {
  uint8_t payload[FW_MAX_PAYLOAD_BYTES];
  memcpy(payload, packet, len);
  uint32_t crc = crc32c(packet, len);
  for (int k = 0; k < 4; k++) payload[len + (size_t)k] = (uint8_t)(crc >> (8 * k));
  size_t n = cobs_encode(payload, len + 4, out);
  out[n] = 0;
  return n + 1;
}

static char *field(char **rest) {
  char *s = *rest;
  if (s == NULL) return NULL;
  char *sep = strstr(s, " | ");
  if (sep) {
    *sep = 0;
    *rest = sep + 3;
  } else {
    *rest = NULL;
  }
  return s;
}

static void check_vector(const char *name, long sequence, const char *hex, const char *fields) {
  static uint8_t frame[2 * FW_MAX_ENCODED_BYTES];
  size_t n = strlen(hex) / 2;
  if (strlen(hex) % 2 != 0 || n > sizeof frame) {
    FAIL("%s: hex of odd length or too long", name);
    return;
  }
  for (size_t k = 0; k < n; k++) {
    unsigned v;
    if (sscanf(hex + 2 * k, "%2x", &v) != 1) {
      FAIL("%s: not hex at %zu", name, 2 * k);
      return;
    }
    frame[k] = (uint8_t)v;
  }
  static struct frame_decoder d;
  frame_decoder_init(&d);
  const uint8_t *packet = NULL;
  size_t len = 0;
  int packets = 0;
  static uint8_t copy[FW_MAX_PAYLOAD_BYTES];
  for (size_t k = 0; k < n; k++) { /* one byte at a time, as a UART delivers them */
    const uint8_t *p;
    size_t l;
    enum frame_event e = frame_decoder_push(&d, frame[k], &p, &l);
    if (e == FRAME_DROPPED) FAIL("%s: frame dropped (reason %d)", name, (int)d.last_drop);
    if (e == FRAME_PACKET) {
      packets++;
      memcpy(copy, p, l);
      packet = copy;
      len = l;
    }
  }
  if (packets != 1) {
    FAIL("%s: %d packets (expected: 1)", name, packets);
    return;
  }
  if (fw_get_u16(packet + 2) != sequence) FAIL("%s: sequence %u (expected: %ld)", name, fw_get_u16(packet + 2), sequence);
  char text[16384];
  struct text_out o = {text, sizeof text, 0};
  text[0] = 0;
  static uint8_t again[FW_MAX_PAYLOAD_BYTES];
  size_t again_len = 0;
  struct fw_detail why;
  if (packet[1] < 0x80) {
    struct fw_command c;
    enum fw_error e = fw_decode_command(packet, len, &c, &why);
    if (e != FW_E_NONE) {
      FAIL("%s: the C decoder refuses it with %s: %s (the Java decoder accepts it)", name, fw_error_name(e), why.text);
      return;
    }
    java_command(&o, &c);
    again_len = fw_encode_command(&c, again, sizeof again);
  } else {
    struct fw_response r;
    enum fw_error e = fw_decode_response(packet, len, &r, &why);
    if (e != FW_E_NONE) {
      FAIL("%s: the C decoder refuses it with %s: %s (the Java decoder accepts it)", name, fw_error_name(e), why.text);
      return;
    }
    java_response(&o, &r);
    again_len = fw_encode_response(&r, again, sizeof again);
  }
  if (strcmp(text, fields) != 0) FAIL("%s: C decodes\n  %s\nJava decodes\n  %s", name, text, fields);
  static uint8_t reframed[FW_MAX_ENCODED_BYTES + 1];
  size_t m = again_len ? frame_of(again, again_len, reframed) : 0;
  if (m != n || memcmp(reframed, frame, n) != 0) FAIL("%s: the C encoder gives different bytes (%zu, expected %zu)", name, m, n);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "../src/test/resources/golden-vectors.txt";
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "test_golden: %s: cannot open\n", path);
    return 2;
  }
  static char line[65536];
  int vectors = 0;
  while (fgets(line, sizeof line, f)) {
    size_t l = strlen(line);
    while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r')) line[--l] = 0;
    if (l == 0 || line[0] == '#') continue;
    char *rest = line;
    char *name = field(&rest);
    char *seq = field(&rest);
    char *hex = field(&rest);
    char *meaning = field(&rest);
    char *fields = rest;
    if (name == NULL || seq == NULL || hex == NULL || meaning == NULL || fields == NULL) {
      FAIL("%s: not five fields", line);
      continue;
    }
    check_vector(name, strtol(seq, NULL, 10), hex, fields);
    vectors++;
  }
  fclose(f);
  if (vectors < 27) FAIL("%s: %d vectors (expected: at least one per message type, 27)", path, vectors);
  printf("test_golden: %d vectors, %d failures\n", vectors, failures);
  return failures == 0 ? 0 : 1;
}

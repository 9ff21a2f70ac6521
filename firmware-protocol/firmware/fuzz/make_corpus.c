/* Writes the fuzzer's seed corpus from the golden vectors: each frame raw (after a HELLO), and each packet framed by
 * the target, so that the fuzzer starts from every message type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/cobs.h"
#include "../core/fw_wire.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: make_corpus VECTORS DIR\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    fprintf(stderr, "make_corpus: %s: cannot open\n", argv[1]);
    return 2;
  }
  static char line[65536];
  static unsigned char bytes[FW_MAX_ENCODED_BYTES + 8];
  static unsigned char decoded[FW_MAX_ENCODED_BYTES + 8];
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char *name = strtok(line, " |");
    strtok(NULL, "|");
    char *hex = strtok(NULL, " |");
    if (!name || !hex) continue;
    size_t len = strlen(hex) / 2;
    for (size_t k = 0; k < len; k++) {
      unsigned v;
      sscanf(hex + 2 * k, "%2x", &v);
      bytes[k] = (unsigned char)v;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/raw-%s", argv[2], name);
    FILE *o = fopen(path, "wb");
    if (!o) return 1;
    fputc(1, o);
    fwrite(bytes, 1, len, o);
    fclose(o);
    long d = cobs_decode(bytes, len - 1, decoded);
    if (d < 9) continue;
    size_t packet = (size_t)d - 4;
    snprintf(path, sizeof path, "%s/pkt-%s", argv[2], name);
    o = fopen(path, "wb");
    if (!o) return 1;
    fputc(3, o);
    fputc((int)(packet & 0xFF), o);
    fputc((int)(packet >> 8), o);
    fwrite(decoded, 1, packet, o);
    fclose(o);
    n++;
  }
  fclose(f);
  printf("make_corpus: %d vectors\n", n);
  return 0;
}

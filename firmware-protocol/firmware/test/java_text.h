/* Prints decoded messages in the Java records' toString notation (the golden vectors' fifth field), so that the C
 * test compares what the C decoder understood with what the Java decoder understood, field by field. */
#ifndef RRAMFW_JAVA_TEXT_H
#define RRAMFW_JAVA_TEXT_H
#include <stddef.h>

#include "../core/message_codec.h"

struct text_out {
  char *buf;
  size_t cap;
  size_t len;
};

void java_float(struct text_out *o, float f);
void java_command(struct text_out *o, const struct fw_command *c);
void java_response(struct text_out *o, const struct fw_response *r);

#endif

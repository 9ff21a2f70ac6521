/* CRC-32C (Castagnoli, CRC-32/ISCSI): PROTOCOL.md section 1.3. */
#ifndef RRAMFW_CRC32C_H
#define RRAMFW_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* The CRC of n bytes; check value 0xE3069283 for "123456789". */
uint32_t crc32c(const uint8_t *bytes, size_t n);
/* Continues a running CRC: start from 0xFFFFFFFF, finish by xor with 0xFFFFFFFF. */
uint32_t crc32c_update(uint32_t running, const uint8_t *bytes, size_t n);

#endif

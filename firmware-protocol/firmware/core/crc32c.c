#include "crc32c.h"

/* Reflected polynomial 0x82F63B78, four bits at a time: a 64-byte table fits the smallest boards. */
static const uint32_t NIBBLE[16] = {
    0x00000000U, 0x105EC76FU, 0x20BD8EDEU, 0x30E349B1U, 0x417B1DBCU, 0x5125DAD3U, 0x61C69362U, 0x7198540DU,
    0x82F63B78U, 0x92A8FC17U, 0xA24BB5A6U, 0xB21572C9U, 0xC38D26C4U, 0xD3D3E1ABU, 0xE330A81AU, 0xF36E6F75U};

uint32_t crc32c_update(uint32_t crc, const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    crc ^= bytes[i];
    crc = (crc >> 4) ^ NIBBLE[crc & 0x0Fu];
    crc = (crc >> 4) ^ NIBBLE[crc & 0x0Fu];
  }
  return crc;
}

uint32_t crc32c(const uint8_t *bytes, size_t n) {
  return crc32c_update(0xFFFFFFFFU, bytes, n) ^ 0xFFFFFFFFU;
}

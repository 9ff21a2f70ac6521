/*
 * The reference firmware on an STM32G474RE (Cortex-M4F at 16 MHz from HSI, no PLL: enough for the protocol; a lab
 * raises it). This port is a register-level HAL for one documented wiring (PORTING.md, "STM32G4 port"); it is built
 * in CI to prove that the core fits the part, and has not been run on hardware.
 *
 *   link         USART2 on PA2/PA3 (the Nucleo-G474RE's ST-LINK virtual COM port), 115200 8N1, RX by interrupt into
 *                a ring buffer so that no byte is lost while a slice of a command runs
 *   clock        TIM2, 32-bit, 1 MHz
 *   select       row address PB0..PB7, column address PC0..PC7, plane PB8, array PB9, mux enable PB10
 *   pulse        amplitude DAC1 channel 1 (PA4), polarity PA8 (H-bridge direction), gate PA9; width and period timed
 *                with the DWT cycle counter (62.5 ns steps at 16 MHz; a board for short pulses uses the HRTIM)
 *   read         read voltage DAC1 channel 2 (PA5) around a 1.65 V mid-rail reference; TIA output on ADC1 IN1 (PA0),
 *                10 kOhm transimpedance around the same mid-rail
 * Idle: mux disabled (every line grounded through the board's pull-downs), gate low, both DACs at their zero.
 */
#include <stdint.h>

#include "../core/board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC 0x40021000u
#define RCC_AHB2ENR REG(RCC + 0x4Cu)
#define RCC_APB1ENR1 REG(RCC + 0x58u)
#define GPIOA 0x48000000u
#define GPIOB 0x48000400u
#define GPIOC 0x48000800u
#define MODER(port) REG((port) + 0x00u)
#define AFRL(port) REG((port) + 0x20u)
#define ODR(port) REG((port) + 0x14u)
#define BSRR(port) REG((port) + 0x18u)
#define TIM2 0x40000000u
#define USART2 0x40004400u
#define DAC1 0x50000800u
#define ADC1 0x50000000u
#define ADC12_CCR REG(0x50000300u + 0x08u)
#define NVIC_ISER1 REG(0xE000E104u)
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

#define CPU_HZ 16000000u
#define READ_MAX_TENTH_MV 5000
#define TIA_OHMS 10000.0f

static volatile uint8_t rx_ring[512];
static volatile uint16_t rx_head, rx_tail;
static uint32_t dac_pulse_code;

void usart2_irq(void) {
  if (REG(USART2 + 0x1Cu) & (1u << 5)) { /* RXNE */
    uint8_t byte = (uint8_t)REG(USART2 + 0x24u);
    uint16_t next = (uint16_t)((rx_head + 1u) % sizeof rx_ring);
    if (next != rx_tail) { /* full: the byte is lost, the frame fails its CRC and the host retries */
      rx_ring[rx_head] = byte;
      rx_head = next;
    }
  }
  REG(USART2 + 0x20u) = 1u << 3; /* ICR: clear an overrun */
}

static uint32_t p_micros(void *ctx) {
  (void)ctx;
  return REG(TIM2 + 0x24u);
}

static size_t p_read(void *ctx, uint8_t *buf, size_t cap) {
  (void)ctx;
  size_t n = 0;
  while (n < cap && rx_tail != rx_head) {
    buf[n++] = rx_ring[rx_tail];
    rx_tail = (uint16_t)((rx_tail + 1u) % sizeof rx_ring);
  }
  return n;
}

static void p_write(void *ctx, const uint8_t *buf, size_t n) {
  (void)ctx;
  for (size_t k = 0; k < n; k++) {
    while (!(REG(USART2 + 0x1Cu) & (1u << 7))) { /* TXE */
    }
    REG(USART2 + 0x28u) = buf[k];
  }
}

static void p_idle(void *ctx) {
  (void)ctx;
  BSRR(GPIOA) = (1u << 9) << 16;   /* gate low first */
  BSRR(GPIOB) = (1u << 10) << 16;  /* mux off: every line to ground */
  REG(DAC1 + 0x08u) = 0;           /* pulse amplitude 0 */
  REG(DAC1 + 0x14u) = 2048;        /* read voltage at mid-rail: 0 V across the device */
  dac_pulse_code = 0;
}

static enum hal_status p_select(void *ctx, uint8_t array, uint8_t plane, uint16_t row, uint16_t col) {
  (void)ctx;
  if (array > 1 || plane > 1 || row > 255 || col > 255) return HAL_FAULT;
  BSRR(GPIOB) = (1u << 10) << 16; /* break before make */
  ODR(GPIOB) = (ODR(GPIOB) & ~0x3FFu) | row | (uint32_t)plane << 8 | (uint32_t)array << 9;
  ODR(GPIOC) = (ODR(GPIOC) & ~0xFFu) | col;
  BSRR(GPIOB) = 1u << 10;
  return HAL_OK;
}

static enum hal_status p_dac(void *ctx, uint16_t mv, uint8_t polarity) {
  (void)ctx;
  if (mv > 3300) return HAL_FAULT; /* beyond the DAC: refuse, never clamp */
  dac_pulse_code = (uint32_t)mv * 4095u / 3300u;
  REG(DAC1 + 0x08u) = dac_pulse_code;
  BSRR(GPIOA) = polarity ? (1u << 8) : (1u << 8) << 16;
  return HAL_OK;
}

static void wait_cycles_from(uint32_t start, uint32_t cycles) {
  while ((uint32_t)(DWT_CYCCNT - start) < cycles) {
  }
}

static enum hal_status p_fire(void *ctx, uint32_t width_ns, uint32_t period_ns) {
  (void)ctx;
  if (dac_pulse_code == 0) return HAL_FAULT;
  uint32_t width = (uint32_t)((uint64_t)width_ns * CPU_HZ / 1000000000u);
  uint32_t period = (uint32_t)((uint64_t)period_ns * CPU_HZ / 1000000000u);
  uint32_t start = DWT_CYCCNT;
  BSRR(GPIOA) = 1u << 9;
  wait_cycles_from(start, width);
  BSRR(GPIOA) = (1u << 9) << 16;
  wait_cycles_from(start, period);
  return HAL_OK;
}

static int16_t read_tenth_mv;

static enum hal_status p_read_voltage(void *ctx, int16_t tenth_mv) {
  (void)ctx;
  if (tenth_mv > READ_MAX_TENTH_MV || tenth_mv < -READ_MAX_TENTH_MV) return HAL_FAULT;
  read_tenth_mv = tenth_mv;
  /* 2048 is 0 V across the device; one DAC step is 3.3 V / 4096 */
  REG(DAC1 + 0x14u) = (uint32_t)(2048 + (int32_t)tenth_mv * 4096 / 33000);
  return HAL_OK;
}

static enum hal_status p_current(void *ctx, float *amps) {
  (void)ctx;
  REG(ADC1 + 0x08u) |= 1u << 2; /* ADSTART */
  uint32_t start = REG(TIM2 + 0x24u);
  while (!(REG(ADC1 + 0x00u) & (1u << 2))) { /* EOC */
    if ((uint32_t)(REG(TIM2 + 0x24u) - start) > 100u) return HAL_FAULT;
  }
  uint32_t code = REG(ADC1 + 0x40u);
  float volts = (float)code * 3.3f / 4095.0f - 1.65f;
  *amps = volts / TIA_OHMS;
  return HAL_OK;
}

static const struct hal HAL = {0, p_micros, p_read, p_write, p_idle, p_select, p_dac, p_fire, p_read_voltage, p_current, 0, 0};

static const struct fw_array_info ARRAYS[1] = {{32, 32, 1}};
static const struct board_config CONFIG = {
    "RB-STM32G4-0001", "rramctl reference firmware, STM32G474", "1.0.0", 1000, FW_MAX_PAYLOAD_BYTES, 1, ARRAYS,
    /* limits: 3.0 V pulses (DAC 3.3 V), 0.5 V reads, widths 125 ns .. 1 ms (DWT resolution), 100000 pulses per
       command, 1 MHz, 1 mA */
    {3000, 5000, 125, 1000000, 100000, 1000000, 1000000}, 12, 1e-6f, 1e-4f, 2.5e-8f, FW_MAX_CODES, 0};

static struct board board;

static void init_hardware(void) {
  RCC_AHB2ENR |= (1u << 0) | (1u << 1) | (1u << 2) | (1u << 13) | (1u << 16); /* GPIOA, B, C, ADC12, DAC1 */
  RCC_APB1ENR1 |= (1u << 0) | (1u << 17);                                     /* TIM2, USART2 */
  /* PA0 analog (ADC), PA2/PA3 AF7 (USART2), PA4/PA5 analog (DAC), PA8/PA9 outputs */
  MODER(GPIOA) = (MODER(GPIOA) & ~0x000F0FFFu) | 0x3u | (0x2u << 4) | (0x2u << 6) | (0x3u << 8) | (0x3u << 10) | (0x1u << 16) | (0x1u << 18);
  AFRL(GPIOA) = (AFRL(GPIOA) & ~0xFF00u) | (7u << 8) | (7u << 12);
  MODER(GPIOB) = (MODER(GPIOB) & ~0x3FFFFFu) | 0x155555u; /* PB0..PB10 outputs */
  MODER(GPIOC) = (MODER(GPIOC) & ~0xFFFFu) | 0x5555u;     /* PC0..PC7 outputs */
  REG(TIM2 + 0x28u) = CPU_HZ / 1000000u - 1u;             /* PSC: 1 MHz */
  REG(TIM2 + 0x2Cu) = 0xFFFFFFFFu;                        /* ARR */
  REG(TIM2 + 0x14u) = 1u;                                 /* EGR: load the prescaler */
  REG(TIM2 + 0x00u) = 1u;                                 /* CEN */
  DEMCR |= 1u << 24;
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
  REG(USART2 + 0x0Cu) = CPU_HZ / 115200u;                 /* BRR */
  REG(USART2 + 0x00u) = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5); /* UE, RE, TE, RXNEIE */
  NVIC_ISER1 = 1u << (38u - 32u);                         /* USART2 is IRQ 38 */
  REG(DAC1 + 0x00u) = (1u << 0) | (1u << 16);             /* EN1, EN2 */
  ADC12_CCR = (ADC12_CCR & ~(3u << 16)) | (1u << 16);     /* synchronous clock, HCLK / 1 */
  REG(ADC1 + 0x08u) &= ~(1u << 29);                       /* leave deep power-down */
  REG(ADC1 + 0x08u) |= 1u << 28;                          /* voltage regulator */
  uint32_t t = REG(TIM2 + 0x24u);
  while ((uint32_t)(REG(TIM2 + 0x24u) - t) < 30u) {
  }
  REG(ADC1 + 0x08u) |= 1u << 31; /* calibrate */
  while (REG(ADC1 + 0x08u) & (1u << 31)) {
  }
  REG(ADC1 + 0x30u) = 1u << 6; /* SQR1: one conversion of IN1 */
  REG(ADC1 + 0x08u) |= 1u;     /* ADEN */
  while (!(REG(ADC1 + 0x00u) & 1u)) {
  }
}

int main(void) {
  init_hardware();
  board_init(&board, &HAL, &CONFIG);
  for (;;) board_poll(&board);
}

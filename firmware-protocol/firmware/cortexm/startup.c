/* Minimal Cortex-M4 start-up for the STM32G474: a vector table with the reset and fault handlers, .data copied from
 * flash, .bss zeroed, the FPU enabled (float32 currents are native on the M4F), then main. */
#include <stdint.h>

extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;
int main(void);
void reset_handler(void);
void fault_handler(void);
void usart2_irq(void);

/* A vector is the initial stack pointer (entry 0) or a handler. */
typedef union {
  void (*handler)(void);
  uint32_t *stack;
} vector;

/* 16 system vectors and the STM32G474's 102 interrupts; only USART2 (IRQ 38) is used. */
__attribute__((section(".isr_vector"), used)) static const vector vectors[16 + 102] = {
    [0] = {.stack = &_stack_top}, [1] = {reset_handler}, [2] = {fault_handler}, [3] = {fault_handler}, [4] = {fault_handler},
    [5] = {fault_handler}, [6] = {fault_handler}, [11] = {fault_handler}, [12] = {fault_handler}, [14] = {fault_handler},
    [15] = {fault_handler}, [16 + 38] = {usart2_irq}};

void reset_handler(void) {
  uint32_t *src = &_data_load;
  for (uint32_t *dst = &_data_start; dst < &_data_end;) *dst++ = *src++;
  for (uint32_t *dst = &_bss_start; dst < &_bss_end;) *dst++ = 0;
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10, CP11 full access (FPU) */
  __asm volatile("dsb\n isb");
  main();
  for (;;) {
  }
}

/* Any fault: the pulse and read paths must not stay driven. The port's idle pins are reset defaults (inputs), so a
 * fault handler that stops everything and waits for the hardware watchdog is safe. */
void fault_handler(void) {
  for (;;) {
  }
}

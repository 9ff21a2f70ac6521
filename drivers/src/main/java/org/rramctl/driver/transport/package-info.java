/**
 * The byte layer: {@link org.rramctl.driver.transport.Transport} moves bytes between the host and a
 * board or instrument, and nothing else (STYLE.md: transport, framing, codec and session are four
 * things). Frame decoding, message codecs and sessions (sequence numbers, timeouts, retries,
 * heartbeats) sit on top and see only this interface.
 *
 * <ul>
 *   <li>{@link org.rramctl.driver.transport.SerialPortTransport}: a serial port through jSerialComm,
 *       the only class in the project that imports {@code com.fazecast}; also lists ports.</li>
 *   <li>{@link org.rramctl.driver.transport.TcpTransport}: {@code tcp://host:port}, e.g. ser2net.</li>
 *   <li>{@link org.rramctl.driver.transport.PipeTransport}: an in-memory connected pair for tests.</li>
 *   <li>{@link org.rramctl.driver.transport.FaultyTransport}: drops, bit flips, stalls and a disconnect
 *       around any transport, for session tests.</li>
 *   <li>{@code org.rramctl.sim.pty.PtyTransport} (module simulator): the master side of an in-process
 *       pseudo-terminal, where a virtual board serves.</li>
 * </ul>
 *
 * Failures are {@link org.rramctl.driver.LinkLostException} (the driver error model's link kind) naming
 * the endpoint: {@link org.rramctl.driver.LinkLostException} itself (the peer went away, or a connect failed),
 * {@link org.rramctl.driver.transport.TransportClosedException} (we closed),
 * {@link org.rramctl.driver.transport.SerialPortException} (a port operation failed, with the native
 * error code).
 */
package org.rramctl.driver.transport;

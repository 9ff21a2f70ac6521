package org.rramctl.driver.scpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.startsWith;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.invocation.Invocation;
import org.rramctl.driver.Cell;
import org.rramctl.driver.EnvelopeViolationException;
import org.rramctl.driver.Pulse;
import org.rramctl.driver.RefusedException;

/** The exact command order around the output, on every path, with a mocked instrument channel. */
class SmuDriverSafetyTest {
  static final String IDN_2400 = "KEITHLEY INSTRUMENTS INC.,MODEL 2400,1234567,C32";
  static final String IDN_2600 = "Keithley Instruments Inc., Model 2602B, 7654321, 3.3.5";

  private static ScpiChannel channel(String idn) throws IOException {
    ScpiChannel ch = mock(ScpiChannel.class);
    when(ch.endpoint()).thenReturn("mock");
    when(ch.query("*IDN?")).thenReturn(idn);
    when(ch.query(":SYST:ERR?")).thenReturn("0,\"No error\"");
    when(ch.query("print(errorqueue.next())")).thenReturn("0.00000e+00\tQueue Is Empty\t0.00000e+00\t0.00000e+00");
    when(ch.query(startsWith(":SOUR:DEL 0;"))).thenReturn("+2.000000E-06");
    when(ch.query(startsWith(":READ?"))).thenReturn("+1.0E-06,+1.0E-06");
    when(ch.query(startsWith("smua.source.levelv = 0.2"))).thenReturn("2.00000e-06");
    when(ch.query(startsWith("smua.source.output = smua.OUTPUT_ON; smua.trigger.initiate()"))).thenReturn("1.00000e+00");
    return ch;
  }

  /** Every line sent or queried, in order. */
  private static List<String> lines(ScpiChannel ch) {
    List<String> out = new ArrayList<>();
    for (Invocation i : mockingDetails(ch).getInvocations()) {
      String m = i.getMethod().getName();
      if (m.equals("send") || m.equals("query")) out.add((String) i.getArgument(0));
    }
    return out;
  }

  private static int first(List<String> lines, String fragment) {
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(fragment)) return i;
    return -1;
  }

  private static int last(List<String> lines, String fragment) {
    for (int i = lines.size() - 1; i >= 0; i--) if (lines.get(i).contains(fragment)) return i;
    return -1;
  }

  @Test
  void the2400SetsComplianceBeforeAnythingCanTurnTheOutputOn() throws IOException {
    ScpiChannel ch = channel(IDN_2400);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    d.read(Cell.active(0, 0, 0), 0.2);
    d.pulse(Cell.active(0, 0, 0), Pulse.up(1.0, Duration.ofMillis(1)), 2);
    List<String> l = lines(ch);
    int compliance = first(l, ":SENS:CURR:PROT 0.00100000");
    assertTrue(compliance >= 0, l.toString());
    assertTrue(compliance < first(l, ":SOUR:CLE:AUTO ON"), "auto output-on is enabled only after the compliance: " + l);
    assertTrue(compliance < first(l, ":READ?"), l.toString());
    assertEquals(-1, first(l, ":OUTP ON"), "the 2400 never switches the output on by hand: auto output-off brackets each cycle");
    assertTrue(first(l, ":SOUR:DEL 0.000800000;:TRIG:COUN 2;:SOUR:VOLT:LEV 1.00000") >= 0, "1 ms pulse = 0.8 ms delay + 0.2 ms integration: " + l);
  }

  @Test
  void the2600SetsComplianceOnBothChannelsBeforeAnyOutputOn() throws IOException {
    ScpiChannel ch = channel(IDN_2600);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    d.read(Cell.active(0, 0, 0), 0.2);
    d.pulse(Cell.active(0, 0, 0), Pulse.down(1.0, Duration.ofMillis(1)), 3);
    List<String> l = lines(ch);
    int on = first(l, "OUTPUT_ON");
    assertTrue(first(l, "smua.source.limiti = 0.00100000") >= 0 && first(l, "smua.source.limiti = 0.00100000") < on, l.toString());
    assertTrue(first(l, "smub.source.limiti = 0.00100000") >= 0 && first(l, "smub.source.limiti = 0.00100000") < on, l.toString());
    assertTrue(first(l, "smua.trigger.source.listv({-1.00000})") >= 0, "DOWN is a negative pulse: " + l);
    assertTrue(first(l, "smua.trigger.count = 3") >= 0, l.toString());
  }

  @Test
  void aLostLinkDuringAReadRampsToZeroAndSwitchesOff() throws IOException {
    ScpiChannel ch = channel(IDN_2400);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    when(ch.query(startsWith(":SOUR:DEL 0;"))).thenThrow(new IOException("link lost"));
    assertThrows(IOException.class, () -> d.read(Cell.active(0, 0, 0), 0.3));
    List<String> l = lines(ch);
    int failed = last(l, ":READ?");
    List<String> after = l.subList(failed + 1, l.size());
    assertEquals(List.of(":SOUR:VOLT:LEV 0.225000", ":SOUR:VOLT:LEV 0.150000", ":SOUR:VOLT:LEV 0.0750000", ":SOUR:VOLT:LEV 0.00000", ":OUTP OFF"), after);
  }

  @Test
  void anInstrumentErrorAfterAPulseRampsToZeroSwitchesOffAndNamesTheError() throws IOException {
    ScpiChannel ch = channel(IDN_2600);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    when(ch.query("print(errorqueue.next())")).thenReturn("-2.86000e+02\tTSP Runtime error\t2.00000e+00\t0.00000e+00");
    RefusedException e = assertThrows(RefusedException.class, () -> d.pulse(Cell.active(0, 0, 0), Pulse.up(1.5, Duration.ofMillis(1)), 1));
    assertEquals("-286", e.code());
    List<String> l = lines(ch);
    assertEquals("smua.source.output = smua.OUTPUT_OFF; smub.source.output = smub.OUTPUT_OFF", l.get(l.size() - 1));
    assertTrue(l.get(l.size() - 5).startsWith("smua.source.levelv = 1.12500"), "the ramp starts at 3/4 of the pulse level: " + l);
    assertEquals("-286 TSP Runtime error", d.status().lastError());
  }

  @Test
  void requestsOutsideTheInstrumentsLimitsSendNothing() throws IOException {
    ScpiChannel ch = channel(IDN_2400);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    int before = lines(ch).size();
    assertThrows(EnvelopeViolationException.class, () -> d.pulse(Cell.active(0, 0, 0), Pulse.up(1.0, Duration.ofNanos(100_000)), 1));
    assertThrows(EnvelopeViolationException.class, () -> d.pulse(Cell.active(0, 0, 0), Pulse.up(250, Duration.ofMillis(1)), 1));
    assertThrows(IllegalArgumentException.class, () -> d.read(Cell.reference(0, 0, 0), 0.2), "the 2400 has no reference channel");
    assertEquals(before, lines(ch).size(), "nothing was sent");
  }

  @Test
  void abortFromAnotherThreadRampsToZeroAndSwitchesOff() throws Exception {
    ScpiChannel ch = channel(IDN_2400);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    Thread t = new Thread(d::abort);
    t.start();
    t.join(5000);
    List<String> l = lines(ch);
    assertEquals(":OUTP OFF", l.get(l.size() - 1));
    d.read(Cell.active(0, 0, 0), 0.2);
  }

  @Test
  void closeSwitchesOffAndClosesTheChannelOnce() throws IOException {
    ScpiChannel ch = channel(IDN_2400);
    SmuDriver d = SmuDriver.open(ch, SmuSettings.defaults());
    d.close();
    d.close();
    List<String> l = lines(ch);
    assertEquals(":OUTP OFF", l.get(l.size() - 1));
    org.mockito.Mockito.verify(ch, org.mockito.Mockito.times(1)).close();
    assertThrows(IllegalStateException.class, () -> d.read(Cell.active(0, 0, 0), 0.2));
  }

  @Test
  void aModelThatContradictsTheInstrumentIsRefused() throws IOException {
    ScpiChannel ch = channel(IDN_2400);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmuDriver.open(ch, SmuSettings.defaults().withModel("2600")));
    assertEquals("model: 2600 (expected: the instrument at mock identifies as " + IDN_2400 + ")", e.getMessage());
    ScpiChannel other = channel("ACME SCOPE,1,2,3");
    assertThrows(IllegalArgumentException.class, () -> SmuDriver.open(other, SmuSettings.defaults()));
    org.mockito.Mockito.verify(other, org.mockito.Mockito.never()).send(eq(":OUTP ON"));
    org.mockito.Mockito.verify(other, org.mockito.Mockito.never()).send(anyString());
  }
}

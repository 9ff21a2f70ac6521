package org.rramctl.sim.scpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rramctl.sim.DevicePreset;

/**
 * The simulated 2400's SCPI commands one by one, line in, reply out: every header it knows (long and short forms),
 * what it does with bad values (queued errors, never a reply), and its error queue.
 */
class VirtualSmu2400CommandsTest {
  private static final String NO_ERROR = "0,\"No error\"";
  private VirtualSmu smu;

  @BeforeEach
  void create() {
    smu = new VirtualSmu(VirtualSmu.Model.K2400, DevicePreset.named("ideal"), 1);
  }

  private void expect(String line, String reply) {
    assertEquals(reply, smu.handle(line), line);
  }

  private void expectError(String line, String error) {
    expect(line, null);
    expect(":SYST:ERR?", error);
    expect(":SYST:ERR?", NO_ERROR);
  }

  private void accepted(String line) {
    expect(line, null);
    expect(":SYST:ERR?", NO_ERROR);
  }

  @Test
  void queriesAnswerAndStatementsStaySilent() {
    expect("*IDN?", "KEITHLEY INSTRUMENTS INC.,MODEL 2400,RRAMCTL-VIRTUAL,C32 virtual");
    expect("*idn?", "KEITHLEY INSTRUMENTS INC.,MODEL 2400,RRAMCTL-VIRTUAL,C32 virtual");
    expect("*OPC?", "1");
    expect("*IDN?;*OPC?", "KEITHLEY INSTRUMENTS INC.,MODEL 2400,RRAMCTL-VIRTUAL,C32 virtual;1");
    expect(":SYST:ERR?", NO_ERROR);
    expect(":SYSTem:ERRor:NEXT?", NO_ERROR);
    for (String ignored : new String[] {":SOUR:VOLT:RANG 20", ":SOUR:VOLT:RANG:AUTO ON", ":SENS:CURR:NPLC 1", ":SENS:CURR:RANG:AUTO ON",
        ":FORM:ELEM CURR", ":SENS:FUNC:CONC OFF", ":SYST:BEEP:STAT OFF", ":SENS:CURR:RANG 1e-3", ":SOURce:FUNCtion VOLTage",
        ":SENSe:FUNCtion \"CURR\"", ":SOUR:VOLT:MODE FIXED", ":TRIG:DEL 0"}) {
      accepted(ignored);
    }
  }

  @Test
  void anUnknownHeaderIsQueuedAsUndefined() {
    expectError(":BOGUS:HEADER 1", "-113,\"Undefined header\"");
    expectError("*TRG", "-113,\"Undefined header\"");
  }

  @Test
  void badValuesAreQueuedNeverApplied() {
    expectError(":SOUR:FUNC CURR", "-224,\"Illegal parameter value\"");
    expectError(":SOUR:VOLT:MODE SWEEP", "-224,\"Illegal parameter value\"");
    expectError(":SENS:FUNC \"VOLT\"", "-224,\"Illegal parameter value\"");
    expectError(":SOUR:LIST:VOLT " + String.join(",", Collections.nCopies(101, "0")), "-223,\"Too much data\"");
    expectError(":SOUR:LIST:VOLT 0,abc", "-224,\"Illegal parameter value\"");
    expectError(":SOUR:LIST:VOLT 0,21", "-222,\"Data out of range\"");
    expectError(":TRIG:DEL -1", "-222,\"Data out of range\"");
    expectError(":TRIG:DEL x", "-224,\"Illegal parameter value\"");
    expectError(":SOUR:VOLT 25", "-222,\"Data out of range\"");
    expectError(":SOUR:VOLT:LEV one", "-224,\"Illegal parameter value\"");
    assertEquals(0, smu.sourceLevel(0));
    expectError(":SENS:CURR:PROT 0", "-222,\"Data out of range\"");
    expectError(":SENS:CURR:PROT:LEV 2", "-222,\"Data out of range\"");
    expectError(":SOUR:DEL 10000", "-222,\"Data out of range\"");
    expectError(":SOUR:CLE:AUTO MAYBE", "-224,\"Illegal parameter value\"");
    expectError(":TRIG:COUN 2.5", "-222,\"Data out of range\"");
    expectError(":TRIG:COUN 0", "-222,\"Data out of range\"");
    expectError(":TRIG:COUN 2501", "-222,\"Data out of range\"");
    expectError(":OUTP 2", "-224,\"Illegal parameter value\"");
    assertFalse(smu.outputOn(0));
  }

  @Test
  void theErrorQueueHoldsThirtyAndClearsOnCls() {
    for (int k = 0; k < 35; k++) expect(":BOGUS", null);
    for (int k = 0; k < 30; k++) expect(":SYST:ERR?", "-113,\"Undefined header\"");
    expect(":SYST:ERR?", NO_ERROR);
    expect(":BOGUS", null);
    expect("*CLS", null);
    expect(":SYST:ERR?", NO_ERROR);
  }

  @Test
  void levelsAndTheOutputFollowTheirCommandsInLongAndShortForm() {
    accepted(":SOURce:VOLTage:LEVel 1.5");
    assertEquals(1.5, smu.sourceLevel(0));
    accepted(":sour:volt -0.25");
    assertEquals(-0.25, smu.sourceLevel(0));
    accepted(":SOUR:VOLT:LEV:IMM:AMPL 0.5");
    assertEquals(0.5, smu.sourceLevel(0));
    expect(":OUTP?", "0");
    accepted(":OUTP ON");
    assertTrue(smu.outputOn(0));
    expect(":OUTPut:STATe?", "1");
    accepted(":SOUR:CLE");
    expect(":OUTP?", "0");
    accepted(":OUTP:STAT 1");
    accepted(":SOURce:CLEar:IMMediate");
    expect(":OUTP?", "0");
    accepted(":OUTP:STAT ON");
    accepted("*RST");
    expect(":OUTP?", "0");
    assertEquals(0, smu.sourceLevel(0));
  }

  @Test
  void readNeedsTheOutputOnOrAutoClear() {
    expectError(":READ?", "803,\"Output disabled\"");
    accepted(":SOUR:CLE:AUTO ON");
    accepted(":SOUR:VOLT:MODE LIST");
    expectError(":READ?", "-221,\"Settings conflict: empty source list\"");
  }

  @Test
  void readRunsTheTriggerCountOverTheListAndAutoClearIdlesTheOutput() {
    accepted(":SOUR:VOLT:MODE LIST");
    accepted(":SOURce:LIST:VOLTage 0,0");
    accepted(":TRIG:COUN 3");
    accepted(":SOUR:CLE:AUTO ON");
    expect(":READ?", "+0.000000E+00,+0.000000E+00,+0.000000E+00");
    assertFalse(smu.outputOn(0), "auto clear leaves the output off");
    accepted(":SOUR:VOLT:MODE FIX");
    accepted(":SOUR:VOLT 0.2");
    accepted(":SENS:CURR:PROT 1e-3");
    accepted(":SOUR:DEL 0.001");
    String reply = smu.handle(":READ?");
    assertTrue(reply.matches("[+-]\\d\\.\\d{6}E[+-]\\d{2}(,[+-]\\d\\.\\d{6}E[+-]\\d{2}){2}"), reply);
    assertTrue(Double.parseDouble(reply.split(",")[0]) > 0, reply + ": a positive current at +0.2 V");
    expect(":SYST:ERR?", NO_ERROR);
    accepted("*RST");
    accepted(":OUTP ON");
    expect(":READ?", "+0.000000E+00");
    assertTrue(smu.outputOn(0), "without auto clear the output stays on");
  }
}

package org.rramctl.procedure;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.rramctl.driver.ArrayGeometry;
import org.rramctl.driver.BoardInfo;
import org.rramctl.driver.CrossbarDriver;
import org.rramctl.driver.DriverAbortedException;
import org.rramctl.driver.DriverException;
import org.rramctl.driver.DriverStatus;
import org.rramctl.driver.EnvelopedDriver;
import org.rramctl.driver.SafetyEnvelope;
import org.rramctl.driver.transport.ShutdownHold;
import org.rramctl.journal.DocumentSink;
import org.rramctl.journal.Durability;
import org.rramctl.journal.Journal;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.journal.RunLock;
import org.rramctl.journal.RunRecorder;
import org.rramctl.journal.RunStatus;

/**
 * Runs procedures as journaled runs: validates the parameters against the board and the envelope before
 * anything is sent, writes the start document, runs the procedure with an abort signal (Ctrl-C through an
 * optional shutdown hook, {@code rramctl abort} through a marker file), and always ends with a stop document
 * (success, aborted or failed) after setting the outputs idle when the run did not finish.
 *
 * <p>An abort does not wait for the procedure's next safe point to reach the board: the shutdown hook, and a
 * watcher thread that looks for the marker every {@link AbortSignal#POLL_NANOS}, call the driver's
 * {@link CrossbarDriver#abortAndConfirm()} at once, which ends a command in flight (a long pulse train or
 * update stops within a pulse); the procedure then stops at its safe point as before.
 *
 * <p>One run at a time per runner; {@link #abort} may be called from any thread.
 */
public final class Runner {
  /** How a run ended. {@code summary} is the procedure's summary of all the run's events. */
  /**
   * How a run ended. {@code failureKind} is the kind of driver error that ended a FAILED or ABORTED run,
   * or null when something else ended it (or nothing failed).
   */
  public record Outcome(String runId, RunStatus status, String reason, DriverException.Kind failureKind, ObjectNode summary, Path journal, long events, boolean outputsIdle) {}

  private final RunDirectory dir;
  private final CrossbarDriver driver;
  private final String boardUri;
  private RunClock clock = RunClock.system();
  private Durability durability = Durability.FLUSH;
  private final List<DocumentSink> sinks = new ArrayList<>();
  private Path calibration;
  private boolean shutdownHook;
  private List<String> recovered = List.of();
  private volatile AbortSignal current;

  /**
   * @param dir where journals go
   * @param driver the board (normally an {@link EnvelopedDriver}, whose envelope is then the one checked)
   * @param boardUri how the board was opened, recorded in the start document
   */
  public Runner(RunDirectory dir, CrossbarDriver driver, String boardUri) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.driver = Objects.requireNonNull(driver, "driver");
    this.boardUri = boardUri == null ? "" : boardUri;
  }

  public Runner clock(RunClock c) {
    this.clock = Objects.requireNonNull(c, "clock");
    return this;
  }

  public Runner durability(Durability d) {
    this.durability = Objects.requireNonNull(d, "durability");
    return this;
  }

  /** Adds a receiver of every acknowledged document (publisher, printer). The caller closes it. */
  public Runner sink(DocumentSink s) {
    sinks.add(Objects.requireNonNull(s, "sink"));
    return this;
  }

  /** Records a calibration file (path and SHA-256) in the start document. */
  public Runner calibration(Path file) {
    this.calibration = file;
    return this;
  }

  /** Installs a JVM shutdown hook during each run, so Ctrl-C stops it at a safe point with a stop document. */
  public Runner shutdownHook(boolean on) {
    this.shutdownHook = on;
    return this;
  }

  /** Lines describing runs that the last {@link #run}/{@link #resume} found dead and marked interrupted. */
  public List<String> recovered() {
    return recovered;
  }

  /** Asks the current run to stop at its next safe point and sets the outputs idle at once. Any thread. */
  public void abort(String reason) {
    AbortSignal a = current;
    if (a != null) a.request(reason);
    driver.abortAndConfirm();
  }

  private SafetyEnvelope envelope() {
    return driver instanceof EnvelopedDriver e ? e.envelope() : SafetyEnvelope.of(driver.info());
  }

  /**
   * Validates and runs a procedure as a new run.
   *
   * @throws IllegalArgumentException when the parameters do not fit the board or the envelope (no run is created)
   * @throws IOException when the journal cannot be created
   */
  public Outcome run(Procedure p) throws IOException {
    BoardInfo info = driver.info();
    SafetyEnvelope env = envelope();
    p.validate(driver, env);
    dir.ensureExists();
    recovered = dir.recover(clock::now);
    ObjectNode start = Json.object();
    start.put("procedure", p.name());
    start.set("parameters", Json.MAPPER.valueToTree(p.params()));
    start.set("board", boardDocument(info, boardUri));
    start.set("envelope", Json.MAPPER.valueToTree(env.limits()));
    start.set("calibration", calibrationNode());
    process(start);
    start.put("rramctl", version());
    start.put("java", System.getProperty("java.version"));
    start.put("durability", durability.json());
    RunRecorder rec = null;
    for (int attempt = 0; rec == null; attempt++) {
      try {
        rec = RunRecorder.start(dir, RunDirectory.newRunId(p.name(), clock.now()), start, durability, clock::now, sinks);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt > 10) throw e;
      }
    }
    return execute(p, rec, new BitSet(), false);
  }

  /**
   * Continues an aborted, failed or interrupted run in the same journal, skipping the units it completed.
   * The procedure and its parameters come from the journal; the board must be the same one.
   */
  public Outcome resume(String runIdOrPrefix) throws IOException {
    dir.ensureExists();
    recovered = dir.recover(clock::now);
    String id = dir.resolve(runIdOrPrefix);
    // One writer per run: the lock is taken before the journal is read, so a second resume started at the
    // same moment is refused here, naming this process, and never sees a journal that is about to change.
    RunLock lock = dir.lock(id);
    RunRecorder rec;
    BitSet done;
    Procedure p;
    try {
      Journal j = Journal.read(dir.journal(id));
      // Under the lock a journal without a stop document has no live writer: its process died.
      RunStatus status = j.stoppedStatus().orElse(RunStatus.INTERRUPTED);
      if (!status.resumable()) {
        throw new IllegalArgumentException("resume: run " + id + " is " + status.json() + " (expected: aborted, failed or interrupted)");
      }
      p = Procedures.of(j.procedure(), j.parameters());
      BoardInfo info = driver.info();
      String wasBoard = j.start().get().path("board").path("id").asText();
      if (!wasBoard.equals(info.boardId())) {
        throw new IllegalArgumentException("resume: board " + info.boardId() + " (expected: " + wasBoard + ", the board run " + id + " started on)");
      }
      p.validate(driver, envelope());
      done = j.completedUnits();
      ObjectNode fields = Json.object();
      fields.put("board", boardUri);
      fields.put("completedUnits", done.cardinality());
      List<Long> partial = j.unfinishedUnitSeqs();
      if (!partial.isEmpty()) {
        // The unit the last segment left unfinished runs again from its start: its events are superseded
        // (kept in the journal, flagged here, left out of summaries, export and plots).
        ObjectNode sup = fields.putObject("superseded");
        sup.put("events", partial.size());
        sup.put("firstSeq", partial.get(0));
        sup.put("lastSeq", partial.get(partial.size() - 1));
      }
      process(fields);
      fields.put("rramctl", version());
      rec = RunRecorder.resume(lock, j, fields, durability, clock::now, sinks);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    return execute(p, rec, done, true);
  }

  private Outcome execute(Procedure p, RunRecorder rec, BitSet done, boolean resumed) throws IOException {
    String runId = rec.runId();
    AbortSignal abort = new AbortSignal(dir.abortMarker(runId));
    current = abort;
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = null;
    if (shutdownHook) {
      hook = new Thread(() -> {
        abort.request("interrupted by a signal (Ctrl-C)");
        driver.abortAndConfirm();
        try {
          // The JVM exits when hooks return: wait for the stop document.
          finished.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      }, "rramctl-abort-" + runId);
      Runtime.getRuntime().addShutdownHook(hook);
    }
    Thread watcher = markerWatcher(runId, abort, finished);
    watcher.start();
    // Serial ports stay usable at JVM shutdown until this run's abort and stop document are done.
    ShutdownHold hold = ShutdownHold.take();
    try (rec) {
      RunStatus status;
      String reason = null;
      DriverException.Kind failureKind = null;
      try {
        p.run(new ProcedureContext(driver, clock, rec, abort, done, resumed ? clock.now() : null));
        status = RunStatus.SUCCESS;
      } catch (DriverAbortedException e) {
        status = RunStatus.ABORTED;
        reason = e instanceof RunAbortedException r ? r.reason() : e.getMessage();
        failureKind = e.kind();
      } catch (DriverException e) {
        status = RunStatus.FAILED;
        reason = e.getMessage();
        failureKind = e.kind();
      } catch (IOException | RuntimeException e) {
        status = RunStatus.FAILED;
        reason = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      if (status != RunStatus.SUCCESS) driver.abort();
      Boolean idle = null;
      try {
        DriverStatus st = driver.status();
        idle = st.outputsIdle();
      } catch (IOException | RuntimeException e) {
        // The board may be gone; the stop document then says the idle state is unknown.
      }
      ObjectNode extra = Json.object();
      if (idle == null) extra.putNull("outputsIdle");
      else extra.put("outputsIdle", idle);
      ObjectNode summary = null;
      try {
        Journal written = Journal.read(dir.journal(runId));
        int superseded = written.supersededSeqs().size();
        if (superseded > 0) extra.put("supersededEvents", superseded);
        summary = p.summarize(written.events());
      } catch (IOException | RuntimeException e) {
        extra.put("summaryError", e.getMessage());
      }
      extra.set("summary", summary);
      rec.stop(status, reason, extra);
      return new Outcome(runId, status, reason, failureKind, summary, dir.journal(runId), rec.events(), Boolean.TRUE.equals(idle));
    } finally {
      current = null;
      Files.deleteIfExists(dir.abortMarker(runId));
      finished.countDown();
      hold.close();
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it is waiting for the latch just released
        }
      }
    }
  }

  /**
   * Looks for the abort marker every {@link AbortSignal#POLL_NANOS} until the run has finished; when it appears,
   * asks the run to stop and aborts the driver at once, so that a command in flight ends now rather than
   * at the procedure's next safe point.
   */
  private Thread markerWatcher(String runId, AbortSignal abort, CountDownLatch finished) {
    Path marker = dir.abortMarker(runId);
    Thread t = new Thread(() -> {
      try {
        while (!finished.await(AbortSignal.POLL_NANOS, TimeUnit.NANOSECONDS)) {
          if (Files.exists(marker)) {
            abort.request("abort requested by 'rramctl abort'");
            driver.abortAndConfirm();
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "rramctl-abort-watch-" + runId);
    t.setDaemon(true);
    return t;
  }

  /**
   * A board as run documents describe it (LIVE-DATA.md, the start document's {@code board}); the dashboard's board
   * API starts from the same object.
   */
  public static ObjectNode boardDocument(BoardInfo info, String boardUri) {
    ObjectNode b = Json.object();
    b.put("uri", boardUri);
    b.put("id", info.boardId());
    b.put("model", info.model());
    b.put("firmware", info.firmwareVersion());
    b.put("protocol", info.protocolVersion());
    ArrayNode arrays = b.putArray("arrays");
    for (ArrayGeometry g : info.arrays()) {
      ObjectNode a = arrays.addObject();
      a.put("rows", g.rows());
      a.put("cols", g.cols());
      a.put("reference", g.hasReference());
    }
    b.put("adcBits", info.adcBits());
    b.put("gMinSiemens", info.gMinSiemens());
    b.put("gMaxSiemens", info.gMaxSiemens());
    return b;
  }

  private ObjectNode calibrationNode() throws IOException {
    if (calibration == null) return null;
    byte[] bytes = Files.readAllBytes(calibration);
    ObjectNode c = Json.object();
    c.put("path", calibration.toAbsolutePath().toString());
    try {
      c.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    return c;
  }

  private static void process(ObjectNode o) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown";
    }
    o.put("host", host);
    o.put("pid", ProcessHandle.current().pid());
    o.put("user", System.getProperty("user.name"));
  }

  /** The rramctl version from the jar manifest, "dev" when run from classes. */
  public static String version() {
    String v = Runner.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}

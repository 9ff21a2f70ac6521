package org.rramctl.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rramctl.journal.Json;
import org.rramctl.journal.RunDirectory;
import org.rramctl.procedure.Procedure;
import org.rramctl.procedure.Procedures;
import org.rramctl.procedure.Runner;

/**
 * Starts procedures from the page (only with {@code --allow-pulses}), one at a time, as journaled runs of the runs
 * directory exactly as {@code rramctl procedure} runs them: parameters checked against the board and its envelope
 * before anything is sent, the run holding the board from its start to its stop document.
 */
final class ProcedureLauncher implements AutoCloseable {
  /** How long a start request waits for the run's start document. */
  static final long START_WAIT_SECONDS = 60;

  private final BoardView board;
  private final RunDirectory dir;
  private final String boardUri;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "dashboard-procedure");
    t.setDaemon(true);
    return t;
  });
  private volatile Runner current;

  ProcedureLauncher(BoardView board, RunDirectory dir, String boardUri) {
    this.board = board;
    this.dir = dir;
    this.boardUri = boardUri;
  }

  /**
   * Starts procedure {@code name} with {@code params} over its defaults; returns when its start document is journaled.
   *
   * @return {@code {"run": RUN}}
   */
  ObjectNode start(String name, ObjectNode params) throws IOException {
    Procedure p = Procedures.of(name, params); // a bad name or parameter: IllegalArgumentException, a 400
    CompletableFuture<String> started = new CompletableFuture<>();
    threads.execute(() -> {
      if (!board.lock().tryAcquire("procedure " + name + " (starting)")) {
        String busy = board.lock().busyWith();
        started.completeExceptionally(new HttpError(409, "board: busy with " + busy + " (expected: a free board; wait until it ends, or abort it)"));
        return;
      }
      try {
        Runner r = new Runner(dir, board.driver(), boardUri).sink((type, doc, json) -> {
          if (type.equals("start")) {
            String run = doc.path("run").asText();
            board.lock().holder("run " + run);
            started.complete(run);
          }
        });
        current = r;
        r.run(p);
      } catch (Throwable e) {
        started.completeExceptionally(e); // ignored once the run had started: its stop document tells
      } finally {
        current = null;
        board.lock().release();
      }
    });
    try {
      ObjectNode o = Json.object();
      o.put("run", started.get(START_WAIT_SECONDS, TimeUnit.SECONDS));
      return o;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof HttpError h) throw h;
      if (c instanceof IllegalArgumentException a) throw a;
      if (c instanceof IOException io) throw io;
      throw new IOException(c.getClass().getSimpleName() + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new HttpError(504, "procedure " + name + ": no start document after " + START_WAIT_SECONDS + " s (see the runs list)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(503, "the dashboard is stopping");
    }
  }

  /** Aborts a procedure in progress (outputs idle, stop document aborted) and waits for it to end. */
  @Override
  public void close() {
    Runner r = current;
    if (r != null) r.abort("the dashboard stopped");
    threads.shutdown();
    try {
      threads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package org.rramctl.dashboard;

/**
 * A request the dashboard refuses: the HTTP status and one line saying what was wrong with the request, shaped like
 * the CLI's messages ({@code array: 7 (expected: 0..2)}). Thrown by handlers, answered by {@link DashboardServer}.
 */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  HttpError(int status, String message) {
    super(message, null, false, false);
    if (status < 400 || status > 599) throw new IllegalArgumentException("status: " + status + " (expected: 400..599)");
    this.status = status;
  }

  int status() {
    return status;
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  static HttpError notFound(String message) {
    return new HttpError(404, message);
  }
}

package io.tidaldb.metrics.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The state {@code /healthz} reports: healthy or not (and why), and the uptime.
 *
 * <pre>{@code
 * HealthReport.ok(db.uptime());
 * HealthReport.degraded(db.uptime(), "the home directory /var/lib/tidaldb is gone");
 * }</pre>
 *
 * @param uptime the time since the database was opened
 * @param problem why the database is not healthy; empty when it is
 */
public record HealthReport(Duration uptime, Optional<String> problem) {

  /**
   * Checks the components.
   *
   * @param uptime the time since the database was opened
   * @param problem why the database is not healthy; empty when it is
   */
  public HealthReport {
    Objects.requireNonNull(uptime, "uptime");
    Objects.requireNonNull(problem, "problem");
  }

  /**
   * A healthy database.
   *
   * @param uptime the time since it was opened
   * @return the report
   */
  public static HealthReport ok(Duration uptime) {
    return new HealthReport(uptime, Optional.empty());
  }

  /**
   * A database that is not healthy.
   *
   * @param uptime the time since it was opened
   * @param problem what is wrong
   * @return the report
   */
  public static HealthReport degraded(Duration uptime, String problem) {
    return new HealthReport(uptime, Optional.of(problem));
  }

  /** {@return whether the database is healthy} */
  public boolean isOk() {
    return problem.isEmpty();
  }
}

package io.tidaldb.internal.metrics;

import io.tidaldb.metrics.spi.HealthReport;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Reads a database's health for {@code /healthz}, holding the database weakly. */
final class HealthProbe implements Supplier<HealthReport> {

  private final WeakReference<MetricsSource> source;

  HealthProbe(MetricsSource source) {
    this.source = new WeakReference<>(source);
  }

  @Override
  public HealthReport get() {
    MetricsSource database = source.get();
    if (database == null) {
      return HealthReport.degraded(Duration.ZERO, "the database was garbage-collected without close()");
    }
    Duration uptime = database.uptime();
    Optional<String> problem = database.healthProblem();
    return problem.isPresent() ? HealthReport.degraded(uptime, problem.get()) : HealthReport.ok(uptime);
  }
}

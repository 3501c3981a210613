package io.tidaldb.metrics;

import io.tidaldb.TidalDb;
import io.tidaldb.metrics.spi.HealthReport;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.function.Supplier;

/** Reads a database's health for {@code /healthz}, holding the database weakly. */
final class HealthProbe implements Supplier<HealthReport> {

  private final WeakReference<TidalDb> db;

  HealthProbe(TidalDb db) {
    this.db = new WeakReference<>(db);
  }

  @Override
  public HealthReport get() {
    TidalDb database = db.get();
    if (database == null) {
      return HealthReport.degraded(Duration.ZERO, "the database was garbage-collected without close()");
    }
    Duration uptime = database.uptime();
    try {
      database.healthCheck();
      return HealthReport.ok(uptime);
    } catch (RuntimeException e) {
      return HealthReport.degraded(uptime, String.valueOf(e.getMessage()));
    }
  }
}

/**
 * tidalDB: an embeddable database for engagement signals that decay.
 *
 * <p>The API is the exported packages: {@code io.tidaldb} (the database, its builder and values),
 * {@code io.tidaldb.wal} (the write-ahead log, read and written on its own), {@code io.tidaldb.inspect}
 * (read-only views of a home's files), {@code io.tidaldb.metrics} (the meter binder and its settings)
 * and {@code io.tidaldb.metrics.spi} (what a metrics transport implements). The
 * {@code io.tidaldb.internal} packages are the machinery, not exported, and may change in any
 * release. {@code docs/ARCHITECTURE.md} draws the packages and the direction of calls.
 */
// Micrometer's jar names its module in its manifest only (Automatic-Module-Name micrometer.core), a
// stable name: requiring it transitively is what an API that exposes its types must do.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.tidaldb {
  // The API exposes Micrometer's MeterRegistry, MeterFilter and MeterBinder, so a user reads them too.
  requires transitive micrometer.core;

  exports io.tidaldb;
  exports io.tidaldb.inspect;
  exports io.tidaldb.metrics;
  exports io.tidaldb.metrics.spi;
  exports io.tidaldb.wal;

  uses io.tidaldb.metrics.spi.MetricsTransport;
  uses io.tidaldb.metrics.spi.ExpositionFactory;
}

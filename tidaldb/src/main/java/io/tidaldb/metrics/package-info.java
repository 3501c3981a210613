/**
 * tidalDB's meters: their names ({@link io.tidaldb.metrics.MeterNames}), the binder that registers
 * them in a Micrometer registry ({@link io.tidaldb.metrics.TidalDbMetrics}), and the settings of the
 * metrics endpoint ({@link io.tidaldb.metrics.MetricsConfig}, built by {@code TidalDbBuilder}).
 *
 * <pre>{@code
 * try (TidalDbMetrics metrics = new TidalDbMetrics(db)) {
 *   metrics.bindTo(registry);
 * }
 * }</pre>
 *
 * <p>{@code docs/METRICS.md} lists the meters and what they mean.
 */
package io.tidaldb.metrics;

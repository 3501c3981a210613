/**
 * The metrics runtime: binds a database's meters to the host's registry and starts the endpoint
 * through the transport found on the class or module path. <strong>Not API</strong>: the package is
 * not exported from the {@code io.tidaldb} module, and may change in any release. Applications use
 * {@code TidalDbBuilder.meterRegistry(...)}, {@code enableMetrics(...)} and
 * {@link io.tidaldb.metrics.TidalDbMetrics}.
 */
package io.tidaldb.internal.metrics;

/** The {@code /metrics} and {@code /healthz} endpoint on Undertow. */
// Undertow and XNIO name no module; their names come from their jar files.
@SuppressWarnings("requires-automatic")
module io.tidaldb.metrics.undertow {
  requires io.tidaldb;
  requires undertow.core;
  requires xnio.api;
  // XNIO's API names java.util.logging types in signatures this module calls.
  requires java.logging;

  provides io.tidaldb.metrics.spi.MetricsTransport with io.tidaldb.metrics.undertow.UndertowMetricsTransport;
}

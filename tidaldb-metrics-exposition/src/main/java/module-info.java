/** The Prometheus text and protobuf rendering shared by both metrics transports. */
// Micrometer and the Prometheus client name their modules in their manifests only
// (Automatic-Module-Name), stable names.
@SuppressWarnings("requires-automatic")
module io.tidaldb.metrics.exposition {
  requires io.tidaldb;
  requires micrometer.registry.prometheus;
  requires io.prometheus.writer.text;
  requires io.prometheus.metrics.model;

  provides io.tidaldb.metrics.spi.ExpositionFactory with io.tidaldb.metrics.exposition.PrometheusExpositionFactory;
}

package io.tidaldb.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidaldb.Schema;
import io.tidaldb.TidalDbBuilder;
import java.nio.file.Path;
import java.util.function.Consumer;

/** What every partition home of one ingest shares: the resolved settings of the builder. */
record IngestSettings(String topic, Path dataRoot, Schema schema, SignalRecordDecoder decoder,
    BadRecordHandler badRecords, MeterRegistry registry, Consumer<TidalDbBuilder> homeSettings) {

  /** The home of a partition: {@code <dataRoot>/<topic>-<partition>}. */
  Path homeOf(int partition) {
    return dataRoot.resolve(topic + "-" + partition);
  }
}

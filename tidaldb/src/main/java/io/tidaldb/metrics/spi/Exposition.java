package io.tidaldb.metrics.spi;

import java.util.Set;

/**
 * Renders tidalDB's meters in the exposition formats: the one place that writes them, shared by every
 * transport. Created by an {@link ExpositionFactory}.
 *
 * <pre>{@code
 * try (Exposition exposition = factory.create(new TidalDbMetrics(db))) {
 *   byte[] body = exposition.render(ExpositionFormat.PROMETHEUS_TEXT);
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe: every request renders on its own worker thread.
 */
public interface Exposition extends AutoCloseable {

  /**
   * The formats this exposition can render; always includes {@link ExpositionFormat#PROMETHEUS_TEXT}.
   *
   * @return the supported formats
   */
  Set<ExpositionFormat> formats();

  /**
   * Renders the current value of every meter.
   *
   * @param format one of {@link #formats()}
   * @return the complete body, exactly as it is to be sent
   */
  byte[] render(ExpositionFormat format);

  /** Releases what the exposition holds (its registry and meters). Idempotent. */
  @Override
  void close();
}

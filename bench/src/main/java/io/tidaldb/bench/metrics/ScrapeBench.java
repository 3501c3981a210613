package io.tidaldb.bench.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one scrape costs the database: every meter of one database read once, as a registry's scrape
 * or publication reads them (a persistent database with {@code signals} signals, so every meter is
 * there), without the text rendering and without HTTP, which do not depend on tidalDB.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar ScrapeBench -wi 2 -i 3 -f 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class ScrapeBench {

  @Param({"3", "20"})
  int signals;

  private Path dir;
  private TidalDb db;
  private SimpleMeterRegistry registry;

  @Setup(Level.Trial)
  public void open() throws IOException {
    Schema.Builder schema = Schema.builder();
    for (int i = 0; i < signals; i++) {
      schema.signal("s" + i, EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ONE_HOUR).add();
    }
    dir = Files.createTempDirectory("tidaldb-scrape-bench");
    registry = new SimpleMeterRegistry();
    db = TidalDb.builder().dataDir(dir).schema(schema.build()).meterRegistry(registry).open();
    for (int i = 0; i < signals; i++) {
      db.signal("s" + i, 42L, 1.0, Instant.now());
    }
  }

  /**
   * One scrape: every measurement of every meter.
   *
   * @return the sum of the values read, so that nothing is optimised away
   */
  @Benchmark
  public double scrape() {
    double sum = 0;
    for (Meter meter : registry.getMeters()) {
      for (io.micrometer.core.instrument.Measurement measurement : meter.measure()) {
        sum += measurement.getValue();
      }
    }
    return sum;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    db.close();
    registry.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}

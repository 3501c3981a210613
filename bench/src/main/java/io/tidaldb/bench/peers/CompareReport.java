package io.tidaldb.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one JMH run of {@code PeerWrites}, {@code PeerReads}, {@code PeerTop} and {@code FsyncBaseline} (its JSON
 * results) into a table of side-by-side numbers and ratios, and puts it into a Markdown file between
 * the markers {@code <!-- peers:begin -->} and {@code <!-- peers:end -->}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.tidaldb.bench.peers.CompareReport target/peers.json docs/BENCHMARKS.md
 * </pre>
 */
public final class CompareReport {

  static final String BEGIN = "<!-- peers:begin -->";
  static final String END = "<!-- peers:end -->";

  /** One row: what is compared, tidalDB's benchmark, the peer's. */
  record Row(String what, String tidal, String peer, String peerName) {}

  static final List<Row> WRITES = List.of(
      new Row("durable, one event at a time, 1 thread", "PeerWrites.tidaldbSyncOneAtATime", "PeerWrites.rocksdbSyncPut",
          "RocksDB `put`, `sync=true`"),
      new Row("durable, one event at a time, 8 threads", "PeerWrites.tidaldbSyncOneAtATime8Threads",
          "PeerWrites.rocksdbSyncPut8Threads", "RocksDB `put`, `sync=true`, 8 threads"),
      new Row("durable, many events per fsync, 1 producer", "PeerWrites.tidaldbSyncPipelined", "PeerWrites.rocksdbSyncBatch",
          "RocksDB `WriteBatch` of 1,000, `sync=true`"),
      new Row("handed to the OS, one event at a time", "PeerWrites.tidaldbIntervalOneAtATime", "PeerWrites.rocksdbBufferedPut",
          "RocksDB `put`, `sync=false`"),
      new Row("handed to the OS, pipelined", "PeerWrites.tidaldbIntervalPipelined", "PeerWrites.rocksdbBufferedPut",
          "RocksDB `put`, `sync=false`"));

  private CompareReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: CompareReport <jmh-results.json> <markdown-file>");
      System.exit(2);
    }
    JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode result : results) {
      String name = result.get("benchmark").asText().replaceFirst("^io\\.tidaldb\\.bench\\.(peers\\.)?", "");
      StringBuilder key = new StringBuilder(name);
      result.path("params").properties().forEach(p -> {
        if (!p.getKey().equals("dir")) {
          key.append('[').append(p.getKey()).append('=').append(p.getValue().asText()).append(']');
        }
      });
      byName.put(key.toString(), result.get("primaryMetric"));
    }
    String table = render(byName);
    Path markdown = Path.of(args[1]);
    String text = Files.readString(markdown, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(markdown + " has no " + BEGIN + " ... " + END + " section");
    }
    Files.writeString(markdown, text.substring(0, begin + BEGIN.length()) + "\n" + table + text.substring(end),
        StandardCharsets.UTF_8);
    System.out.println(table);
  }

  static String render(Map<String, JsonNode> results) {
    StringBuilder out = new StringBuilder();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    out.append(String.format(Locale.ROOT, "Measured %s, %d cores, load average %.2f when the report was written. "
        + "Reproduce: `bench/compare.sh`.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(), load));
    out.append("| writes (events/s) | tidalDB | peer | peer's events/s | tidalDB / peer |\n|---|---:|---|---:|---:|\n");
    for (Row row : WRITES) {
      double tidal = score(results, row.tidal());
      double peer = score(results, row.peer());
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", row.what(), count(tidal), row.peerName(),
          count(peer), ratio(tidal, peer)));
    }
    double fsync24 = score(results, "FsyncBaseline.appendAndForce[bytes=24]");
    double fsync256k = score(results, "FsyncBaseline.appendAndForce[bytes=262144]");
    double oneAtATime = score(results, "PeerWrites.tidaldbSyncOneAtATime");
    out.append(String.format(Locale.ROOT, "%nThe disk's limit (`FsyncBaseline`, one write + `force` per call): %s fsyncs/s "
        + "appending 24 bytes, %s appending 256 KiB (%s MB/s). tidalDB one event at a time under `SYNC` reaches %s of the "
        + "24-byte loop: each acknowledged event costs about one fsync, as it must.%n%n",
        count(fsync24), count(fsync256k), Double.isNaN(fsync256k) ? "-" : String.format(Locale.ROOT, "%.0f", fsync256k * 262144 / 1e6),
        Double.isNaN(oneAtATime) || Double.isNaN(fsync24) ? "-" : String.format(Locale.ROOT, "%.0f %%", 100 * oneAtATime / fsync24)));
    out.append("| reads (ns per read) | entities | tidalDB `decayScore` | `ConcurrentHashMap.get` of a precomputed `Double` | tidalDB / map |\n"
        + "|---|---:|---:|---:|---:|\n");
    for (String order : List.of("uniform", "zipf")) {
      for (String entities : List.of("10000", "1000000")) {
        String params = "[entities=" + entities + "][order=" + order + "]";
        double tidal = score(results, "PeerReads.tidaldbDecayScore" + params);
        double map = score(results, "PeerReads.concurrentHashMapGet" + params);
        out.append(String.format(Locale.ROOT, "| %s, same order for both | %,d | %s | %s | %s |%n",
            order.equals("zipf") ? "Zipf-skewed entities" : "uniformly random entity", Long.parseLong(entities),
            nanos(tidal), nanos(map), ratio(tidal, map)));
      }
    }
    double tidalTop = percentile(results, "signal.PeerTop.tidaldbTop[entities=1000000]", "50.0");
    double redisTop = percentile(results, "signal.PeerTop.redisZrevrange[entities=1000000]", "50.0");
    out.append("\n| top 100 of 1,000,000 (µs, p50) | tidalDB `top(\"view\", 100, now)`, exact, decayed | "
        + "Redis `ZREVRANGE 0 99 WITHSCORES`, undecayed, loopback | tidalDB / Redis |\n|---|---:|---:|---:|\n");
    out.append(String.format(Locale.ROOT, "| same members, Redis scored at `now` | %s | %s | %s |%n", nanos(tidalTop),
        Double.isNaN(redisTop) ? "- (`redis-server` not on the `PATH`)" : nanos(redisTop), ratio(tidalTop, redisTop)));
    return out.toString();
  }

  /** A sample-time benchmark's percentile (JMH's key, e.g. {@code "50.0"}), or NaN. */
  private static double percentile(Map<String, JsonNode> results, String key, String percentile) {
    JsonNode metric = results.get(key);
    return metric == null ? Double.NaN : metric.path("scorePercentiles").path(percentile).asDouble(Double.NaN);
  }

  private static double score(Map<String, JsonNode> results, String key) {
    JsonNode metric = results.get(key);
    return metric == null ? Double.NaN : metric.get("score").asDouble();
  }

  private static String count(double perSecond) {
    return Double.isNaN(perSecond) ? "-" : String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  private static String nanos(double ns) {
    return Double.isNaN(ns) ? "-" : String.format(Locale.ROOT, "%.1f", ns);
  }

  private static String ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.2f×", a / b);
  }
}

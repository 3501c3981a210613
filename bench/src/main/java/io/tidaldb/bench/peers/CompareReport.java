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
    if (args.length != 2 && args.length != 3) {
      System.err.println("usage: CompareReport <jmh-results.json> <markdown-file> [writes | <ranking-results.json>]");
      System.exit(2);
    }
    Map<String, JsonNode> byName = new HashMap<>();
    read(Path.of(args[0]), byName);
    boolean writesOnly = args.length == 3 && args[2].equals("writes");
    if (args.length == 3 && !writesOnly) {
      read(Path.of(args[2]), byName);
    }
    Path markdown = Path.of(args[1]);
    if (!writesOnly) {
      replaceSection(markdown, BEGIN, END, render(byName));
    }
    replaceSection(markdown, WRITES_BEGIN, WRITES_END, renderWriteTargets(byName));
  }

  private static void replaceSection(Path markdown, String begin, String end, String table) throws IOException {
    String text = Files.readString(markdown, StandardCharsets.UTF_8);
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalStateException(markdown + " has no " + begin + " ... " + end + " section");
    }
    Files.writeString(markdown, text.substring(0, from + begin.length()) + "\n" + table + text.substring(to),
        StandardCharsets.UTF_8);
    System.out.println(table);
  }

  /** Adds one JMH JSON file's results, by benchmark name without the package and its parameters but {@code dir}. */
  private static void read(Path json, Map<String, JsonNode> byName) throws IOException {
    JsonNode results = new ObjectMapper().readTree(json.toFile());
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
  }

  static final String WRITES_BEGIN = "<!-- write-targets:begin -->";
  static final String WRITES_END = "<!-- write-targets:end -->";

  /**
   * The write rows of issue 14's target table, each against its reference measured in the same run,
   * with the target and whether it holds.
   */
  static String renderWriteTargets(Map<String, JsonNode> results) {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    double intervalOne = score(results, "PeerWrites.tidaldbIntervalOneAtATime");
    double rocksBuffered = score(results, "PeerWrites.rocksdbBufferedPut");
    double rawWrite = score(results, "FsyncBaseline.append[bytes=24]");
    double syncOne = score(results, "PeerWrites.tidaldbSyncOneAtATime");
    double rawFsync = score(results, "FsyncBaseline.appendAndForce[bytes=24]");
    double preparedFsync = score(results, "FsyncBaseline.appendIntoPreparedAndForce[bytes=24]");
    double sync8 = score(results, "PeerWrites.tidaldbSyncOneAtATime8Threads");
    double rocks8 = score(results, "PeerWrites.rocksdbSyncPut8Threads");
    double recordAll = score(results, "PeerWrites.tidaldbSyncRecordAll");
    double rocksBatch = score(results, "PeerWrites.rocksdbSyncBatch");
    double rawBatch = score(results, "FsyncBaseline.appendAndForce[bytes=24000]") * PeerWrites.BATCH;
    double pipelined = score(results, "PeerWrites.tidaldbSyncPipelined");
    double pipelinedBatches = score(results, "PeerWrites.tidaldbSyncPipelinedBatches");
    double continuous = score(results, "PeerWrites.tidaldbSyncPipelinedContinuous");
    double continuousBatches = score(results, "PeerWrites.tidaldbSyncPipelinedBatchesContinuous");
    double walAlone = scoreMatching(results, "wal.WalPipelinedBenchmark.appendAsync", "[durability=sync]");
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Measured %s, %d cores, load average %.2f when the report was written. "
        + "Reproduce: `bench/compare.sh --writes`.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(),
        load));
    out.append("| case (events/s) | tidalDB | reference, same run | reference | tidalDB / reference | target | holds |\n"
        + "|---|---:|---|---:|---:|---|---|\n");
    target(out, "one blocking thread, interval mode, `record()`", intervalOne, "RocksDB `put`, `sync=false`",
        rocksBuffered, 1.0, "≥ 1× (moonshot ≥ 3×)");
    target(out, "one blocking thread, interval mode, `record()`", intervalOne, "one 24-byte `write()` per event, no"
        + " fsync", rawWrite, 0.5, "moonshot ≥ 50 %");
    target(out, "one blocking thread, `SYNC`, `record()`", syncOne, "raw 24-byte write + `fdatasync` loop", rawFsync,
        0.95, "≥ 95 %");
    target(out, "one blocking thread, `SYNC`, `record()`", syncOne, "the same loop into prepared space (FORMAT.md)",
        preparedFsync, 0.95, "for reference: the best a log that fsyncs each write can do");
    target(out, "8 blocking threads, `SYNC`, `record()`", sync8, "RocksDB `put`, `sync=true`, 8 threads", rocks8, 2.0,
        "≥ 2×");
    target(out, "`recordAll` of 1,000 events, `SYNC`", recordAll, "RocksDB `WriteBatch` of 1,000, `sync=true`",
        rocksBatch, 5.0, "≥ 5×");
    target(out, "`recordAll` of 1,000 events, `SYNC`", recordAll, "raw 1,000 × 24 B write + `fdatasync` loop",
        rawBatch, 0.8, "moonshot ≥ 80 %");
    pipelinedTargets(out, "`recordAsync`, `SYNC`, 1 producer, 1,000 in flight then waits for all", pipelined, walAlone);
    pipelinedTargets(out, "pipelined `recordAsync`, `SYNC`, 1 producer, 4,096 in flight at all times", continuous,
        walAlone);
    pipelinedTargets(out, "`writeAsync`, 10 batches of 100 in flight then waits for all, `SYNC`", pipelinedBatches,
        walAlone);
    pipelinedTargets(out, "pipelined `writeAsync`, 40 batches of 100 in flight at all times, `SYNC`",
        continuousBatches, walAlone);
    return out.toString();
  }

  /** A pipelined row's two targets: 3 M events/s, and (the moonshot) 60 % of the log's own pipelined rate. */
  private static void pipelinedTargets(StringBuilder out, String what, double tidal, double walAlone) {
    target(out, what, tidal, "3,000,000 events/s (absolute)", 3_000_000, 1.0, "≥ 3 M/s");
    target(out, what, tidal, "`Wal.appendAsync` alone", walAlone, 0.6, "moonshot ≥ 60 %");
  }

  private static void target(StringBuilder out, String what, double tidal, String reference, double value,
      double goal, String target) {
    boolean known = !Double.isNaN(tidal) && !Double.isNaN(value) && value > 0;
    out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", what, count(tidal), reference,
        count(value), ratio(tidal, value), target, !known ? "-" : tidal / value >= goal ? "yes" : "**no**"));
  }

  /** The score of the one result whose key starts with {@code prefix} and contains {@code part}, or NaN. */
  private static double scoreMatching(Map<String, JsonNode> results, String prefix, String part) {
    return results.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getKey().contains(part))
        .mapToDouble(e -> e.getValue().get("score").asDouble()).findFirst().orElse(Double.NaN);
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
    out.append("| reads (ns per read) | entities | tidalDB `decayScore`, `SignalType` | by name | "
        + "`ConcurrentHashMap.get` of a precomputed `Double` | open-addressing `long[]`/`double[]` | "
        + "`SignalType` / map (target <= 1) | `SignalType` / open addressing (moonshot <= 2) | "
        + "by name / `SignalType` (target <= 1.2) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String order : List.of("uniform", "zipf")) {
      for (String entities : List.of("10000", "1000000")) {
        String params = "[entities=" + entities + "][order=" + order + "]";
        double tidal = score(results, "PeerReads.tidaldbDecayScore" + params);
        double byName = score(results, "PeerReads.tidaldbDecayScoreByName" + params);
        double map = score(results, "PeerReads.concurrentHashMapGet" + params);
        double floor = score(results, "PeerReads.openAddressingGet" + params);
        out.append(String.format(Locale.ROOT, "| %s, same order for all | %,d | %s | %s | %s | %s | %s | %s | %s |%n",
            order.equals("zipf") ? "Zipf-skewed entities" : "uniformly random entity", Long.parseLong(entities),
            nanos(tidal), nanos(byName), nanos(map), nanos(floor), ratio(tidal, map), ratio(tidal, floor),
            ratio(byName, tidal)));
      }
    }
    out.append("\n| ranking, 1,000,000 entities (`TopBench`, µs, p50 of three forks) | tidalDB | target | holds |\n|---|---:|---|---|\n");
    double view = percentile(results, "signal.TopBench.topView[entities=1000000]", "50.0");
    double[] ranking = {
        view,
        percentile(results, "signal.TopBench.topThreeDecayed[entities=1000000]", "50.0"),
        percentile(results, "signal.TopBench.topThreeDecayedIndexed[entities=1000000]", "50.0"),
        percentile(results, "signal.TopBench.topWithWindowAndVelocity[entities=1000000]", "50.0"),
        percentile(results, "signal.TopBench.topViewFilteredTo10Percent[entities=1000000]", "50.0")};
    String[] what = {"`top(\"view\", 100, now)`", "`top(3 decayed signals, 100, now)`",
        "`top(3 decayed signals, 100, now)`, profile registered (`indexProfile`)",
        "`top(decayed + window count + velocity, 100, now)`", "`top(view, 100, now, filter keeping 10 %)`"};
    double[] limit = {50, 1_000, 1_000, 50_000, 5 * view};
    String[] target = {"<= 50 µs", "<= 1 ms", "<= 1 ms", "<= 50 ms", "<= 5x the unfiltered (" + nanos(5 * view) + " µs)"};
    for (int i = 0; i < ranking.length; i++) {
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", what[i], nanos(ranking[i]), target[i],
          Double.isNaN(ranking[i]) ? "-" : ranking[i] <= limit[i] ? "yes" : "no"));
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

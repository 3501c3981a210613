package io.tidaldb.examples;

import io.tidaldb.BuildInfo;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.RankingProfile;
import io.tidaldb.Schema;
import io.tidaldb.ScoredEntity;
import io.tidaldb.SignalType;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbStats;
import io.tidaldb.Window;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The quickstart: records a stream of views, likes and shares into a persistent tidalDB home, prints
 * the ten hottest items ({@code db.top} with a ranking profile), serves {@code /metrics}, and closes. Run it again on the
 * same home and it recovers the earlier runs' signals first.
 *
 * <pre>{@code
 * java -jar examples/target/tidaldb-quickstart.jar ./quickstart-home
 * }</pre>
 */
public final class Quickstart {

  /** The home used when no directory is given. */
  static final Path DEFAULT_HOME = Path.of("quickstart-home");

  /** Items in the catalogue. */
  static final int ITEMS = 300;

  /** Events recorded per run. */
  static final int EVENTS = 5_000;

  /** A feed's signals: views fade in a day, likes in a week, shares in three days. */
  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofHours(24)))
          .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).velocity(true).add()
      .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).add()
      .signal("share", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(3)))
          .windows(Window.TWENTY_FOUR_HOURS, Window.ALL_TIME).add()
      .build();

  /** What "hot" means here: decayed views, plus 5 x decayed likes, plus 10 x decayed shares. */
  static final RankingProfile TRENDING = RankingProfile.builder()
      .name("trending")
      .decayScore("view", 1.0)
      .decayScore("like", 5.0)
      .decayScore("share", 10.0)
      .build();

  private Quickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args an optional directory for the home
   */
  public static void main(String[] args) {
    if (args.length > 1) {
      System.err.println("usage: java -jar tidaldb-quickstart.jar [home-directory]");
      System.exit(2);
    }
    run(args.length == 1 ? Path.of(args[0]) : DEFAULT_HOME, System.out);
  }

  static void run(Path dir, PrintStream out) {
    out.printf("tidalDB %s (%s)%n", BuildInfo.version(), BuildInfo.buildHash());
    try (TidalDb db = TidalDb.builder().dataDir(dir).schema(SCHEMA).enableMetrics("127.0.0.1:0").open()) {
      TidalDbStats opened = db.stats();
      out.printf("opened %s (durability %s)%n", db.home().orElseThrow().base(), db.config().durability().orElseThrow());
      if (opened.lastSequence() == 0) {
        out.println("a new home: nothing to recover");
      } else {
        out.printf("recovered %,d signals from earlier runs (sequences 1 to %,d): %,d ledger entries, last checkpoint at"
            + " sequence %,d%n", opened.lastSequence(), opened.lastSequence(), opened.ledgerEntries(),
            opened.lastCheckpointSequence());
      }

      Instant now = Instant.now();
      record(db, now, new SplittableRandom(opened.lastSequence()));
      long covered = db.checkpoint();
      out.printf("recorded %,d signals over %d items; checkpoint at sequence %,d%n", EVENTS, ITEMS, covered);

      out.println("top 10 items by decayed score (views + 5 x likes + 10 x shares, now):");
      printTopTen(db, now, out);

      InetSocketAddress at = db.metricsAddress().orElseThrow();
      String url = "http://127.0.0.1:" + at.getPort() + "/metrics";
      out.println("metrics at " + url + ", one scrape:");
      for (String line : scrape(url)) {
        out.println("  " + line);
      }
    }
    out.println("closed; the home stays on disk: run again to recover it, or inspect it with tidalctl status");
  }

  /**
   * A skewed stream: item popularity follows a power law (a few items get most of the traffic), each
   * event is a view, like or share, at a time spread over the last six hours. Writes are pipelined
   * with {@code recordAsync}; each is acknowledged once fsynced.
   */
  private static void record(TidalDb db, Instant now, SplittableRandom random) {
    SignalType view = db.signalType("view");
    SignalType like = db.signalType("like");
    SignalType share = db.signalType("share");
    List<CompletableFuture<Long>> pending = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      long item = (long) Math.floor(ITEMS * Math.pow(random.nextDouble(), 3));
      Instant at = now.minusMillis(random.nextLong(Duration.ofHours(6).toMillis()));
      int kind = random.nextInt(100);
      SignalType signal = kind < 85 ? view : kind < 97 ? like : share;
      pending.add(signal.recordAsync(item, 1.0, at));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
  }

  /** The ten best items under {@link #TRENDING}: one exact query over every item the ledger holds. */
  private static void printTopTen(TidalDb db, Instant now, PrintStream out) {
    List<ScoredEntity> top = db.top(TRENDING, 10, now);
    out.printf("  %4s  %6s  %8s  %10s  %10s  %7s  %7s%n", "rank", "item", "score", "views/1h", "views/24h", "likes", "shares");
    for (int rank = 0; rank < top.size(); rank++) {
      long item = top.get(rank).entityId();
      out.printf("  %4d  %6d  %8.1f  %10d  %10d  %7d  %7d%n", rank + 1, item, top.get(rank).score(),
          db.windowCount("view", item, Window.ONE_HOUR), db.windowCount("view", item, Window.TWENTY_FOUR_HOURS),
          db.windowCount("like", item, Window.ALL_TIME), db.windowCount("share", item, Window.ALL_TIME));
    }
  }

  /** The sample lines of one {@code GET /metrics} (no comments). */
  private static List<String> scrape(String url) {
    HttpClient http = HttpClient.newHttpClient();
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString());
      return response.body().lines().filter(line -> line.startsWith("tidaldb_")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scrape " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scraping " + url, e);
    }
  }
}

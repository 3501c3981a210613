package io.tidaldb.ctl;

import io.tidaldb.InvalidSignalException;
import io.tidaldb.RankingProfile;
import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDbBuilder;
import io.tidaldb.TidalHome;
import io.tidaldb.inspect.ColdRanking;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tidalctl top --path <dir> --profile view=1,like=5}: ranks a home's entities cold. It
 * rebuilds the signals in memory from the stored schema, the checkpoint's ledger snapshot and the
 * log after it (read-only: no lock, nothing written, a live process may hold the home), and prints
 * what {@code db.top(profile, k, at)} gives for that home at that instant.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
    description = "Ranks a home's entities by a weighted sum of decayed scores, as db.top(profile, k, at) would,"
        + " from the files alone (read-only).")
final class TopCommand extends HomeCommand {

  @Option(names = "--profile", required = true, paramLabel = "<signal=weight,...>",
      description = "The profile: decayed scores and their weights, such as view=1,like=5,share=10"
          + " (negative weights allowed).")
  String profile;

  @Option(names = "--k", paramLabel = "<n>", defaultValue = "10", description = "How many entities (default: 10).")
  int k;

  @Option(names = "--at", paramLabel = "<ISO-8601>",
      description = "The instant to score at, such as 2026-03-01T12:00:00Z (default: now).")
  String at;

  @Option(names = "--max-entries", paramLabel = "<n>",
      description = "The ledger bound the application opens the home with (default: the builder's, "
          + TidalDbBuilder.DEFAULT_MAX_ENTRIES + ").")
  long maxEntries = TidalDbBuilder.DEFAULT_MAX_ENTRIES;

  @Override
  public Integer call() {
    RankingProfile ranking = parseProfile();
    if (k < 1) {
      throw usage("--k " + k + ": give at least 1");
    }
    if (maxEntries < 1 || maxEntries > TidalDbBuilder.MAX_ENTRIES_LIMIT) {
      throw usage("--max-entries " + maxEntries + ": give 1 to " + TidalDbBuilder.MAX_ENTRIES_LIMIT);
    }
    Instant instant = parseAt();
    TidalHome home = homeOption.existingHome();
    List<ScoredEntity> top;
    try (ColdRanking engine = ColdRanking.open(home, maxEntries)) {
      try {
        top = engine.top(ranking, k, instant);
      } catch (InvalidSignalException e) {
        throw usage(e.getMessage() + (engine.schema().signals().isEmpty()
            ? " (the home stores no schema: no database with signals has opened it)" : ""));
      }
    }
    Output output = output();
    if (output.format() == OutputOptions.Format.text) {
      PrintWriter out = output.out();
      out.printf("%5s  %20s  %s%n", "rank", "entity_id", "score");
      for (int i = 0; i < top.size(); i++) {
        out.printf("%5d  %20d  %s%n", i + 1, top.get(i).entityId(), top.get(i).score());
      }
      out.flush();
      return ExitCodes.OK;
    }
    JsonObject report = Output.object();
    report.put("at", instant.toString());
    report.put("k", k);
    JsonArray terms = report.putArray("profile");
    ranking.terms().forEach(term -> terms.add(new JsonObject().put("signal", term.signal()).put("weight", term.weight())));
    JsonArray entities = report.putArray("entities");
    for (ScoredEntity hit : top) {
      entities.add(new JsonObject().put("entity_id", hit.entityId()).put("score", hit.score()));
    }
    output.report(report);
    return ExitCodes.OK;
  }

  private RankingProfile parseProfile() {
    RankingProfile.Builder builder = RankingProfile.builder();
    for (String term : profile.split(",", -1)) {
      int eq = term.indexOf('=');
      if (eq <= 0) {
        throw usage("--profile " + profile + ": \"" + term + "\" is not signal=weight; write it like view=1,like=5");
      }
      String signal = term.substring(0, eq).trim();
      double weight;
      try {
        weight = Double.parseDouble(term.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        throw usage("--profile " + profile + ": the weight of \"" + signal + "\" is not a number: \""
            + term.substring(eq + 1) + "\"");
      }
      try {
        builder.decayScore(signal, weight);
      } catch (IllegalArgumentException e) {
        throw usage("--profile " + profile + ": " + e.getMessage());
      }
    }
    return builder.build();
  }

  private Instant parseAt() {
    if (at == null) {
      return Instant.now();
    }
    try {
      return Instant.parse(at);
    } catch (DateTimeParseException e) {
      throw usage("--at " + at + ": not an ISO-8601 instant; write it like 2026-03-01T12:00:00Z");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}

package io.tidaldb.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidaldb.RankingProfile;
import io.tidaldb.ScoredEntity;
import io.tidaldb.TidalDb;
import io.tidaldb.test.TempTidalHome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TopCommandTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:30:15Z");
  static final RankingProfile PROFILE = RankingProfile.builder().decayScore("view", 1).decayScore("like", 5).build();

  /** 2,000 events over 300 items, a checkpoint after the first 1,200: a snapshot and a log tail to replay. */
  static void fill(TidalDb db) {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 2_000; i++) {
      String signal = random.nextInt(4) == 0 ? "like" : "view";
      db.signal(signal, random.nextInt(300), 1 + random.nextInt(3), T0.minusSeconds(random.nextLong(14 * 86_400)));
      if (i == 1_199) {
        db.checkpoint();
      }
    }
  }

  static List<ScoredEntity> entities(Cli.Result result) {
    assertEquals(0, result.exitCode(), result.toString());
    List<ScoredEntity> entities = new ArrayList<>();
    for (JsonNode hit : result.json().get("entities")) {
      entities.add(new ScoredEntity(hit.get("entity_id").asLong(), hit.get("score").doubleValue()));
    }
    return entities;
  }

  @Test
  void top_printsExactlyWhatDbTopGivesForThatHomeAtThatInstant() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        fill(db);
      }
      Instant at = T0.plus(Duration.ofHours(5));
      Cli.Result result = Cli.run("top", "--path", temp.path().toString(), "--profile", "view=1,like=5", "--k", "25",
          "--at", at.toString());
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        List<ScoredEntity> expected = db.top(PROFILE, 25, at);
        assertEquals(25, expected.size());
        assertEquals(expected, entities(result));
        assertEquals(at.toString(), result.json().get("at").asText());
        assertEquals("like", result.json().get("profile").get(1).get("signal").asText());
        assertEquals(5.0, result.json().get("profile").get(1).get("weight").doubleValue());
        assertEquals(db.top("view", 3, at), entities(Cli.run("top", "--path", temp.path().toString(), "--profile",
            "view=1", "--k", "3", "--at", at.toString())), "one signal: its decayed score");
      }
    }
  }

  @Test
  void top_whileALiveDatabaseHoldsTheHome_printsWhatItsTopGives() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
      fill(db);
      Cli.Result result = Cli.run("top", "--path", temp.path().toString(), "--profile", "view=1,like=5", "--at",
          T0.toString());
      assertEquals(db.top(PROFILE, 10, T0), entities(result));
    }
  }

  @Test
  void top_formatText_printsRankEntityAndScore() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      List<ScoredEntity> expected;
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        fill(db);
        expected = db.top(PROFILE, 2, T0);
      }
      Cli.Result result = Cli.run("top", "--path", temp.path().toString(), "--profile", "view=1,like=5", "--k", "2",
          "--at", T0.toString(), "--format", "text");
      assertEquals(0, result.exitCode(), result.toString());
      List<String> lines = result.stdout().lines().toList();
      assertEquals(3, lines.size(), result.stdout());
      assertEquals(List.of("1", String.valueOf(expected.get(0).entityId()), String.valueOf(expected.get(0).score())),
          List.of(lines.get(1).trim().split("\\s+")));
    }
  }

  @Test
  void top_withBadInput_exits2_withAMessageNamingWhatIsWrong() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).schema(Homes.SCHEMA).open()) {
        db.signal("view", 1, 1, T0);
      }
      String path = temp.path().toString();
      assertUsage(Cli.run("top", "--path", path, "--profile", "view"), "\"view\" is not signal=weight");
      assertUsage(Cli.run("top", "--path", path, "--profile", "view=lots"), "the weight of \"view\" is not a number");
      assertUsage(Cli.run("top", "--path", path, "--profile", "view=NaN"), "not a finite number");
      assertUsage(Cli.run("top", "--path", path, "--profile", "vue=1"), "unknown signal \"vue\"");
      assertUsage(Cli.run("top", "--path", path, "--profile", "view=1,follow=1"), "counts CREATOR entities");
      assertUsage(Cli.run("top", "--path", path, "--profile", "view=1", "--k", "0"), "--k 0: give at least 1");
      assertUsage(Cli.run("top", "--path", path, "--profile", "view=1", "--at", "yesterday"),
          "--at yesterday: not an ISO-8601 instant");
      assertUsage(Cli.run("top", "--path", path), "--profile");
      Cli.Result missing = Cli.run("top", "--path", temp.path().resolve("nope").toString(), "--profile", "view=1");
      assertEquals(ExitCodes.HOME_UNREADABLE, missing.exitCode(), missing.toString());
    }
  }

  private static void assertUsage(Cli.Result result, String expected) {
    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertEquals("", result.stdout());
    assertTrue(result.stderr().contains(expected), "a usage mistake is said in plain text: " + result.stderr());
  }
}

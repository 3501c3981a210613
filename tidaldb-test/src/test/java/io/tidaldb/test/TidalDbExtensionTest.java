package io.tidaldb.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.Window;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes through the JUnit engine (they are nested, so the build never runs them
 * on their own) and checks what the extension did around each of their tests.
 */
class TidalDbExtensionTest {

  static final Schema SCHEMA = Schema.builder()
      .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
          .windows(Window.ONE_HOUR, Window.ALL_TIME)
          .add()
      .build();
  static final ManualClock CLOCK = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));

  /** What the nested classes saw: one entry per test they ran. */
  static final List<TidalDb> DATABASES = new CopyOnWriteArrayList<>();
  static final List<Path> HOMES = new CopyOnWriteArrayList<>();

  private static Events run(Class<?> tests) {
    DATABASES.clear();
    HOMES.clear();
    return EngineTestKit.engine("junit-jupiter").configurationParameter(FIXTURES, "true")
        .selectors(selectClass(tests)).execute().testEvents();
  }

  /** The configuration parameter that lets the fixtures below run: only {@link #run} sets it. */
  static final String FIXTURES = "io.tidaldb.test.fixtures";

  /** A test class that runs only through {@link #run}, never on its own (some of its tests fail on purpose). */
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ExtendWith(OnlyThroughEngineTestKit.class)
  @interface Fixture {}

  static final class OnlyThroughEngineTestKit implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(FIXTURES).isPresent()
          ? ConditionEvaluationResult.enabled("run by TidalDbExtensionTest")
          : ConditionEvaluationResult.disabled("a fixture of TidalDbExtensionTest, which runs it through EngineTestKit");
    }
  }

  @Test
  void ephemeral_opensAFreshDatabasePerTestAndClosesItAfter() {
    run(TwoEphemeralTests.class).assertStatistics(stats -> stats.started(2).succeeded(2));

    assertEquals(2, DATABASES.size());
    assertNotSame(DATABASES.get(0), DATABASES.get(1), "each test has its own database");
    assertTrue(DATABASES.stream().allMatch(TidalDb::isClosed), "closed after each test");
  }

  @Fixture
  static class TwoEphemeralTests {
    @RegisterExtension
    final TidalDbExtension tidal = TidalDbExtension.ephemeral(SCHEMA).configure(b -> b.clock(CLOCK));

    @Test
    void first(TidalDb db) {
      writeOnceOnAnEmptyDatabase(db);
    }

    @Test
    void second(TidalDb db) {
      writeOnceOnAnEmptyDatabase(db);
    }

    private void writeOnceOnAnEmptyDatabase(TidalDb db) {
      assertSame(tidal.db(), db, "the injected database is the extension's");
      assertEquals(0, db.windowCount("view", 1L, Window.ALL_TIME), "nothing left over from another test");
      db.signal("view", 1L, 1.0, CLOCK.instant());
      assertFalse(db.home().isPresent(), "ephemeral: no home");
      assertThrows(IllegalStateException.class, tidal::home);
      DATABASES.add(db);
    }
  }

  @Test
  void temporaryHome_opensADatabaseInAFreshHomeAndDeletesTheHomeAfter() {
    run(TwoTestsOnDisk.class).assertStatistics(stats -> stats.started(2).succeeded(2));

    assertEquals(2, HOMES.size());
    assertNotSame(HOMES.get(0), HOMES.get(1));
    assertTrue(DATABASES.stream().allMatch(TidalDb::isClosed), "closed after each test");
    for (Path home : HOMES) {
      assertFalse(Files.exists(home), home + " deleted after the test");
    }
  }

  @Fixture
  static class TwoTestsOnDisk {
    @RegisterExtension
    static final TidalDbExtension TIDAL = TidalDbExtension.temporaryHome(SCHEMA);

    @Test
    void first(TidalDb db) {
      recordTheHome(db);
    }

    @Test
    void second(TidalDb db) {
      recordTheHome(db);
    }

    private static void recordTheHome(TidalDb db) {
      assertTrue(Files.isDirectory(TIDAL.home()));
      assertEquals(TIDAL.home(), db.home().orElseThrow().base());
      assertEquals(0, db.windowCount("view", 1L, Window.ALL_TIME));
      db.signal("view", 1L, 1.0, Instant.now());
      DATABASES.add(db);
      HOMES.add(TIDAL.home());
    }
  }

  @Test
  void failingTest_stillClosesItsDatabaseAndDeletesItsHome() {
    run(FailingTestOnDisk.class).assertStatistics(stats -> stats.started(1).failed(1));

    assertTrue(DATABASES.get(0).isClosed());
    assertFalse(Files.exists(HOMES.get(0)));
  }

  @Fixture
  static class FailingTestOnDisk {
    @RegisterExtension
    final TidalDbExtension tidal = TidalDbExtension.temporaryHome(SCHEMA);

    @Test
    void fails() {
      DATABASES.add(tidal.db());
      HOMES.add(tidal.home());
      throw new AssertionError("this test fails on purpose");
    }
  }

  @Test
  void reopen_bringsBackWhatWasWrittenInTheSameHome() {
    run(ReopeningTest.class).assertStatistics(stats -> stats.started(1).succeeded(1));

    assertEquals(2, DATABASES.size());
    assertTrue(DATABASES.stream().allMatch(TidalDb::isClosed), "the first database by reopen(), the second after the test");
    assertFalse(Files.exists(HOMES.get(0)));
  }

  @Fixture
  static class ReopeningTest {
    @RegisterExtension
    final TidalDbExtension tidal = TidalDbExtension.temporaryHome(SCHEMA).configure(b -> b.clock(CLOCK));

    @Test
    void survivesARestart() {
      TidalDb before = tidal.db();
      before.signal("view", 7L, 1.0, CLOCK.instant());
      TidalDb after = tidal.reopen();
      assertTrue(before.isClosed());
      assertSame(after, tidal.db());
      assertEquals(1, after.windowCount("view", 7L, Window.ALL_TIME));
      DATABASES.add(before);
      DATABASES.add(after);
      HOMES.add(tidal.home());
    }
  }

  @Test
  void conflictingSettings_failTheTestWithTheBuildersMessage() {
    Events events = run(ConflictingSettingsTest.class);

    events.assertStatistics(stats -> stats.started(1).failed(1));
    Throwable failure = events.failed().stream().findFirst().orElseThrow()
        .getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow();
    assertTrue(failure.getMessage().contains("schema"), failure.getMessage());
  }

  @Fixture
  static class ConflictingSettingsTest {
    @RegisterExtension
    final TidalDbExtension tidal = TidalDbExtension.ephemeral(SCHEMA).configure(b -> b.schema(Schema.empty()));

    @Test
    void neverRuns() {
      throw new AssertionError("the database cannot open, so the test does not run");
    }
  }

  @Test
  void db_outsideATest_saysWhenItIsAvailable() {
    TidalDbExtension tidal = TidalDbExtension.ephemeral(SCHEMA);

    IllegalStateException e = assertThrows(IllegalStateException.class, tidal::db);
    assertTrue(e.getMessage().contains("only available while a test runs"), e.getMessage());
  }

  @Test
  void ephemeral_cannotReopen() {
    run(EphemeralReopenTest.class).assertStatistics(stats -> stats.started(1).succeeded(1));
  }

  @Fixture
  static class EphemeralReopenTest {
    @RegisterExtension
    final TidalDbExtension tidal = TidalDbExtension.ephemeral(SCHEMA);

    @Test
    void reopen() {
      IllegalStateException e = assertThrows(IllegalStateException.class, tidal::reopen);
      assertTrue(e.getMessage().contains("temporaryHome"), e.getMessage());
    }
  }
}

package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every input the signal API refuses, each with its message, and nothing written. */
class SignalInputTest {

  private static final Instant T0 = SignalApiTest.T0;
  private static final Instant LATEST = Instant.parse("2262-04-11T23:47:16.854775807Z");

  private ManualClock clock;
  private TidalDb db;
  private SignalType view;

  @BeforeEach
  void open() {
    clock = ManualClock.at(T0);
    db = SignalApiTest.open(clock);
    view = db.signalType("view");
  }

  @AfterEach
  void close() {
    db.close();
  }

  private static void assertRejected(Executable action, String... fragments) {
    InvalidSignalException e = assertThrows(InvalidSignalException.class, action);
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), () -> "message «" + e.getMessage() + "» should contain «" + fragment + "»");
    }
  }

  /** A rejected write must leave no trace: no score, no count, no sequence number used. */
  private void assertRejectedWrite(String signal, double weight, Instant at, String... fragments) {
    long before = db.signal("follow", 0L, 1.0, T0);
    List<Executable> writes = List.of(
        () -> db.signal(signal, 77L, weight, at),
        () -> db.signalAsync(signal, 77L, weight, at),
        () -> db.signalType(signal).record(77L, weight, at),
        () -> db.signalType(signal).recordAsync(77L, weight, at));
    for (Executable write : writes) {
      assertRejected(write, fragments);
    }
    assertEquals(before + 1, db.signal("follow", 0L, 1.0, T0), "a rejected write must not use a sequence number");
    for (String name : SignalApiTest.SCHEMA.names()) {
      assertEquals(0.0, db.decayScore(name, 77L, T0), name);
    }
    assertEquals(0, db.windowCount("view", 77L, Window.ALL_TIME));
  }

  @Test
  void unknownSignal_listsTheKnownOnes() {
    assertRejectedWrite("vew", 1.0, T0, "unknown signal \"vew\"", "view, like, boost, follow");
    assertRejected(() -> db.decayScore("vew", 1L, T0), "unknown signal \"vew\"", "view, like, boost, follow");
    assertRejected(() -> db.windowCount("vew", 1L, Window.ONE_HOUR), "unknown signal \"vew\"");
    assertRejected(() -> db.velocity("vew", 1L, Window.ONE_HOUR), "unknown signal \"vew\"");
    assertRejected(() -> db.decayScores("vew", new long[1], T0, new double[1]), "unknown signal \"vew\"");
    assertRejected(() -> db.signalType(null), "unknown signal null");
  }

  @Test
  @SuppressWarnings("StringOperationCanBeSimplified")
  void aSignalNamedByAnEqualStringThatIsNotTheDeclaredOne_isTheSameSignal() {
    db.signal("view", 5L, 2.0, T0);
    String built = new String("view");
    assertEquals(db.decayScore("view", 5L, T0), db.decayScore(built, 5L, T0), "a name read from elsewhere");
    db.signal(built, 5L, 1.0, T0);
    assertEquals(2, db.windowCount(new StringBuilder("vi").append("ew").toString(), 5L, Window.ALL_TIME));
  }

  @Test
  void unknownSignal_withoutSchema_saysHowToDeclareOne() {
    try (TidalDb empty = TidalDb.builder().ephemeral().open()) {
      assertRejected(() -> empty.signal("view", 1L, 1.0, T0), "unknown signal \"view\"", "declares no signals",
          "TidalDbBuilder.schema(Schema)");
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void nonFiniteWeight_isRefused(double weight) {
    assertRejectedWrite("view", weight, T0, "weight " + weight, "\"view\"", "not a finite number");
  }

  @ParameterizedTest
  @ValueSource(doubles = {3.5e38, 1e39, Double.MAX_VALUE, -1e39})
  void weightBeyondAFloat_isRefused(double weight) {
    assertRejectedWrite("like", weight, T0, "weight " + weight, "\"like\"", "too large", "32-bit floats",
        String.valueOf(Float.MAX_VALUE));
  }

  @Test
  void largestFloatWeight_isAccepted() {
    db.signal("view", 1L, Float.MAX_VALUE, T0);
    assertEquals(Float.MAX_VALUE, db.decayScore("view", 1L, T0));
  }

  @ParameterizedTest
  @ValueSource(doubles = {-1.0, -1e-30, -Float.MIN_VALUE})
  void negativeWeight_onASignalWithoutNegativeWeights_isRefused(double weight) {
    assertRejectedWrite("view", weight, T0, "weight " + weight, "\"view\"", "negative", "negativeWeights(true)");
  }

  @Test
  void eventTimeBeforeTheEpoch_isRefused() {
    Instant before = Instant.parse("1969-12-31T23:59:59.999999999Z");
    assertRejectedWrite("view", 1.0, before, "event time 1969-12-31T23:59:59.999999999Z", "\"view\"", "before 1970-01-01");
    db.signal("view", 1L, 1.0, Instant.EPOCH);
  }

  @Test
  void eventTimeBeyondNanosecondsInALong_isRefused() {
    Instant after = LATEST.plusNanos(1);
    assertRejectedWrite("view", 1.0, after, "event time " + after, "\"view\"", "after " + LATEST);
    assertRejectedWrite("view", 1.0, Instant.MAX, "event time " + Instant.MAX);
    clock.set(LATEST);
    db.signal("view", 1L, 1.0, LATEST);
    assertEquals(1.0, db.decayScore("view", 1L, LATEST));
  }

  @Test
  void nullEventTime_isRefused() {
    assertRejectedWrite("view", 1.0, null, "event time", "\"view\"", "is null");
  }

  @Test
  void readTimeOutsideTheRange_isRefused() {
    assertRejected(() -> db.decayScore("view", 1L, Instant.MIN), "read time", "before 1970-01-01");
    assertRejected(() -> view.decayScore(1L, LATEST.plusSeconds(1)), "read time", "after " + LATEST);
    assertRejected(() -> view.decayScores(new long[1], null, new double[1]), "read time", "is null");
  }

  @Test
  void windowNotDeclared_namesTheDeclaredOnes() {
    assertRejected(() -> db.windowCount("like", 1L, Window.ONE_HOUR),
        "\"like\" does not count window ONE_HOUR", "[ALL_TIME]");
    assertRejected(() -> db.windowCount("follow", 1L, Window.ALL_TIME),
        "\"follow\" does not count window ALL_TIME", "declare windows(...)");
    assertRejected(() -> db.windowCount("view", 1L, null), "does not count window null");
  }

  @Test
  void velocity_onASignalWithoutVelocity_saysHowToEnableIt() {
    assertRejected(() -> db.velocity("boost", 1L, Window.ONE_HOUR), "\"boost\" does not offer velocity", "velocity(true)");
  }

  @Test
  void velocity_overAllTime_namesTheBoundedWindows() {
    assertRejected(() -> db.velocity("view", 1L, Window.ALL_TIME), "ALL_TIME has no length",
        "[ONE_HOUR, TWENTY_FOUR_HOURS, SEVEN_DAYS]");
  }

  @Test
  void decayScores_withMismatchedArrays_saysWhatIsWrong() {
    assertRejected(() -> db.decayScores("view", new long[3], T0, new double[2]), "out holds 2 scores", "3 entity ids");
    assertRejected(() -> db.decayScores("view", null, T0, new double[2]), "give an array of entity ids");
    assertRejected(() -> view.decayScores(new long[2], T0, null), "give an array of entity ids");
  }

  @Test
  void decayScores_withAShortOut_writesNothing() {
    db.signal("view", 1L, 1.0, T0);
    double[] out = {-1, -1};
    assertRejected(() -> view.decayScores(new long[] {1L, 1L, 1L}, T0, out), "out holds 2 scores", "3 entity ids");
    assertArrayEquals(new double[] {-1, -1}, out);
  }

  @Test
  void everySignalMethod_afterClose_throwsDatabaseClosed() {
    db.close();
    List<Consumer<TidalDb>> calls = List.of(
        d -> d.signal("view", 1L, 1.0, T0),
        d -> d.signalAsync("view", 1L, 1.0, T0),
        d -> d.signalType("view"),
        d -> d.decayScore("view", 1L, T0),
        d -> d.decayScores("view", new long[1], T0, new double[1]),
        d -> d.windowCount("view", 1L, Window.ONE_HOUR),
        d -> d.velocity("view", 1L, Window.ONE_HOUR),
        d -> view.record(1L, 1.0, T0),
        d -> view.recordAsync(1L, 1.0, T0),
        d -> view.decayScore(1L, T0),
        d -> view.decayScores(new long[1], T0, new double[1]),
        d -> view.windowCount(1L, Window.ONE_HOUR),
        d -> view.velocity(1L, Window.ONE_HOUR));
    for (Consumer<TidalDb> call : calls) {
      assertThrows(DatabaseClosedException.class, () -> call.accept(db));
    }
  }

  @Test
  void builder_refusesBadSignalSettings() {
    SchemaTest.assertConfigError(() -> TidalDb.builder().ephemeral().maxEntries(0), "maxEntries(0)", "from 1 to 1000000000");
    SchemaTest.assertConfigError(() -> TidalDb.builder().ephemeral().maxEntries(1_000_000_001),
        "maxEntries(1000000001)", "from 1 to 1000000000");
    SchemaTest.assertConfigError(() -> TidalDb.builder().ephemeral().maxEntries(5).maxEntries(6),
        "maxEntries was already set (to 5)");
    SchemaTest.assertConfigError(() -> TidalDb.builder().ephemeral().schema(null), "schema(null)");
    SchemaTest.assertConfigError(() -> TidalDb.builder().ephemeral().schema(Schema.empty()).schema(Schema.empty()),
        "schema was already set");
    assertEquals(Duration.ofDays(7), ((DecaySpec.Exponential) SignalApiTest.SCHEMA.signals().get(0).decay()).halfLife());
  }
}

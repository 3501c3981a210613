package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaTest {

  private static final DecaySpec WEEK = DecaySpec.exponential(Duration.ofDays(7));

  static void assertConfigError(Executable action, String... fragments) {
    ConfigException e = assertThrows(ConfigException.class, action);
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), () -> "message «" + e.getMessage() + "» should contain «" + fragment + "»");
    }
  }

  @Test
  void build_assignsIdsInDeclarationOrder() {
    Schema schema = Schema.builder()
        .signal("view", EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR, Window.ALL_TIME).velocity(true).add()
        .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30))).windows(Window.ALL_TIME).add()
        .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).add()
        .build();

    assertEquals(List.of("view", "like", "follow"), schema.names());
    assertEquals(0, schema.signal("view").orElseThrow().id());
    assertEquals(1, schema.signal("like").orElseThrow().id());
    assertEquals(2, schema.signal("follow").orElseThrow().id());
    SignalSpec view = schema.signals().get(0);
    assertEquals(EnumSet.of(Window.ONE_HOUR, Window.ALL_TIME), view.windows());
    assertTrue(view.velocity());
    assertFalse(view.negativeWeights());
    assertEquals(Set.of(), schema.signal("follow").orElseThrow().windows());
    assertTrue(schema.signal("share").isEmpty());
  }

  @Test
  void equals_holdsForTheSameDeclarations() {
    Schema a = Schema.builder().signal("view", EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR).add().build();
    Schema b = Schema.builder().signal("view", EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR).add().build();
    Schema c = Schema.builder().signal("view", EntityKind.ITEM, WEEK).windows(Window.SEVEN_DAYS).add().build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertFalse(a.equals(c));
    assertEquals(Schema.empty(), Schema.builder().build());
  }

  @Test
  void add_withDuplicateName_namesTheSignal() {
    assertConfigError(() -> Schema.builder()
        .signal("view", EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR).add()
        .signal("view", EntityKind.USER, DecaySpec.permanent()).add(),
        "\"view\"", "declared twice");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -1, -86_400})
  void add_withNonPositiveHalfLife_namesTheSignalAndTheValue(long seconds) {
    Duration halfLife = Duration.ofSeconds(seconds);
    assertConfigError(() -> Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(halfLife)).windows(Window.ONE_HOUR).add(),
        "\"view\"", "exponential(" + halfLife + ")", "half-life must be positive");
  }

  @Test
  void add_withNonPositiveLinearLifetime_namesTheSignalAndTheValue() {
    assertConfigError(() -> Schema.builder()
        .signal("boost", EntityKind.ITEM, DecaySpec.linear(Duration.ZERO)).windows(Window.ONE_HOUR).add(),
        "\"boost\"", "linear(PT0S)", "must be positive");
  }

  @Test
  void add_withHalfLifeBeyondNanoseconds_saysTheLimit() {
    Duration halfLife = Duration.ofDays(365L * 1000);
    assertConfigError(() -> Schema.builder()
        .signal("view", EntityKind.ITEM, DecaySpec.exponential(halfLife)).windows(Window.ONE_HOUR).add(),
        "\"view\"", "292 years");
  }

  @Test
  void add_decayingSignalWithoutWindows_namesTheSignal() {
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK).add(),
        "\"view\"", "exponential(PT168H)", "needs at least one window");
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK).windows().add(),
        "\"view\"", "needs at least one window");
  }

  @Test
  void add_permanentSignalWithoutWindows_isAccepted() {
    Schema schema = Schema.builder().signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).add().build();
    assertTrue(schema.signal("follow").orElseThrow().windows().isEmpty());
  }

  @Test
  void add_velocityWithoutWindows_namesTheSignal() {
    assertConfigError(() -> Schema.builder()
        .signal("follow", EntityKind.CREATOR, DecaySpec.permanent()).velocity(true).add(),
        "\"follow\"", "velocity(true)", "[]");
  }

  @Test
  void add_velocityWithOnlyAllTime_saysItNeedsABoundedWindow() {
    assertConfigError(() -> Schema.builder()
        .signal("like", EntityKind.ITEM, WEEK).windows(Window.ALL_TIME).velocity(true).add(),
        "\"like\"", "[ALL_TIME]", "ONE_HOUR, TWENTY_FOUR_HOURS or SEVEN_DAYS");
  }

  @Test
  void add_negativeWeightsOnALinearSignal_isRefused() {
    assertConfigError(() -> Schema.builder()
        .signal("boost", EntityKind.ITEM, DecaySpec.linear(Duration.ofHours(1))).windows(Window.ONE_HOUR)
        .negativeWeights(true).add(),
        "\"boost\"", "negativeWeights(true)", "linear(PT1H)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "View", "1view", "_view", "add-to-cart", "view.count", "vïew", "view ",
      "a12345678901234567890123456789012345678901234567890123456789012345"})
  void signal_withInvalidName_quotesTheNameAndTheRule(String name) {
    assertConfigError(() -> Schema.builder().signal(name, EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR).add(),
        "signal(\"" + name + "\"", "[a-z0-9_]", "starts with a letter");
  }

  @Test
  void signal_withLongestValidName_isAccepted() {
    String name = "a" + "b".repeat(63);
    assertEquals(name, Schema.builder().signal(name, EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR).add().build()
        .signals().get(0).name());
  }

  @Test
  void add_withNulls_namesWhatIsMissing() {
    assertConfigError(() -> Schema.builder().signal(null, EntityKind.ITEM, WEEK).add(), "needs a name");
    assertConfigError(() -> Schema.builder().signal("view", null, WEEK).add(), "\"view\"", "entity kind is null");
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, null).add(), "\"view\"", "decay is null");
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK).windows((Window[]) null),
        "\"view\"", "windows(null)");
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR, null),
        "\"view\"", "contains null");
  }

  @Test
  void settersCalledTwice_areRefused() {
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK)
        .windows(Window.ONE_HOUR).windows(Window.ALL_TIME), "\"view\"", "windows were already set");
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK)
        .velocity(true).velocity(false), "\"view\"", "velocity was already set");
    assertConfigError(() -> Schema.builder().signal("view", EntityKind.ITEM, WEEK)
        .negativeWeights(true).negativeWeights(true), "\"view\"", "negativeWeights was already set");
  }

  @Test
  void signalNotAdded_isReportedByBuildAndByTheNextSignal() {
    Schema.Builder builder = Schema.builder();
    builder.signal("view", EntityKind.ITEM, WEEK).windows(Window.ONE_HOUR);
    assertConfigError(builder::build, "\"view\"", "not added", "add()");
    assertConfigError(() -> builder.signal("like", EntityKind.ITEM, WEEK), "\"view\"", "not added");
  }

  @Test
  void build_withMoreSignalsThanTheLogCanNumber_isRefused() {
    Schema.Builder builder = Schema.builder();
    for (int i = 0; i <= SignalSpec.MAX_ID; i++) {
      builder.signal("s" + i, EntityKind.ITEM, DecaySpec.permanent()).add();
    }
    assertEquals(SignalSpec.MAX_ID + 1, builder.build().signals().size());
    assertConfigError(() -> builder.signal("one_more", EntityKind.ITEM, DecaySpec.permanent()).add(),
        "\"one_more\"", "id 65535", "at most 65535 signals");
  }

  @Test
  void windowLength_isEmptyOnlyForAllTime() {
    assertEquals(Duration.ofHours(1), Window.ONE_HOUR.length().orElseThrow());
    assertEquals(Duration.ofDays(1), Window.TWENTY_FOUR_HOURS.length().orElseThrow());
    assertEquals(Duration.ofDays(7), Window.SEVEN_DAYS.length().orElseThrow());
    assertTrue(Window.ALL_TIME.length().isEmpty());
  }
}

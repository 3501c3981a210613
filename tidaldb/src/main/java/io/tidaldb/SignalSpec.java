package io.tidaldb;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One signal of a {@link Schema}: its name, id, target, decay, windows and options. Built by
 * {@link Schema.Builder#signal(String, EntityKind, DecaySpec)}.
 *
 * <pre>{@code
 * SignalSpec view = schema.signal("view").orElseThrow();
 * view.id();          // 0: the id the write-ahead log stores
 * view.windows();     // [ONE_HOUR, TWENTY_FOUR_HOURS, ALL_TIME]
 * }</pre>
 *
 * @param id the signal type id the write-ahead log stores, 0 to {@value #MAX_ID}: its position in
 *     the schema, in the order the signals were declared
 * @param name 1 to 64 characters from {@code [a-z0-9_]}, starting with a letter
 * @param entityKind what the signal is recorded against
 * @param decay how the score fades
 * @param windows the windows counted; at least one unless the decay is permanent
 * @param velocity whether {@code velocity(...)} may be read; needs a window other than
 *     {@link Window#ALL_TIME}
 * @param negativeWeights whether negative weights are accepted; not with linear decay
 */
public record SignalSpec(
    int id,
    String name,
    EntityKind entityKind,
    DecaySpec decay,
    Set<Window> windows,
    boolean velocity,
    boolean negativeWeights) {

  /**
   * The largest signal type id of a signal: the largest the write-ahead log can store (65,535) less
   * the one it reserves for source-position markers ({@code WalEvent.SOURCE_POSITION_TYPE_ID}).
   */
  public static final int MAX_ID = 65_534;

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  /**
   * Checks the signal; every message names the signal and the offending value.
   *
   * @param id the signal type id the write-ahead log stores, 0 to {@value #MAX_ID}: its position in
   *     the schema, in the order the signals were declared
   * @param name 1 to 64 characters from {@code [a-z0-9_]}, starting with a letter
   * @param entityKind what the signal is recorded against
   * @param decay how the score fades
   * @param windows the windows counted; at least one unless the decay is permanent
   * @param velocity whether {@code velocity(...)} may be read; needs a window other than
   *     {@link Window#ALL_TIME}
   * @param negativeWeights whether negative weights are accepted; not with linear decay
   * @throws ConfigException if a component is missing or invalid
   */
  public SignalSpec {
    if (name == null) {
      throw new ConfigException("signal(null, ...): a signal needs a name");
    }
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("signal(\"" + name + "\", ...): a signal name has 1 to 64 characters from [a-z0-9_]"
          + " and starts with a letter, such as \"view\" or \"add_to_cart\"");
    }
    if (id < 0 || id > MAX_ID) {
      throw new ConfigException("signal \"" + name + "\": id " + id + " is outside 0.." + MAX_ID
          + "; a schema holds at most " + (MAX_ID + 1) + " signals");
    }
    if (entityKind == null) {
      throw new ConfigException("signal \"" + name + "\": the entity kind is null; give ITEM, USER or CREATOR");
    }
    if (decay == null) {
      throw new ConfigException("signal \"" + name + "\": the decay is null; give DecaySpec.exponential(halfLife),"
          + " DecaySpec.linear(unitLifetime) or DecaySpec.permanent()");
    }
    if (decay instanceof DecaySpec.Exponential exponential) {
      requirePositiveNanos(name, "half-life", exponential.halfLife(), decay);
    } else if (decay instanceof DecaySpec.Linear linear) {
      requirePositiveNanos(name, "unit lifetime", linear.unitLifetime(), decay);
    }
    if (windows == null || windows.stream().anyMatch(Objects::isNull)) {
      throw new ConfigException("signal \"" + name + "\": windows " + windows + " must not be or contain null");
    }
    windows = windows.isEmpty()
        ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(windows));
    boolean permanent = decay instanceof DecaySpec.Permanent;
    if (windows.isEmpty() && !permanent) {
      throw new ConfigException("signal \"" + name + "\": a " + decay + " signal needs at least one window; add"
          + " windows(...) with ONE_HOUR, TWENTY_FOUR_HOURS, SEVEN_DAYS or ALL_TIME (only a permanent signal may have none)");
    }
    if (velocity && windows.stream().allMatch(w -> w == Window.ALL_TIME)) {
      throw new ConfigException("signal \"" + name + "\": velocity(true) with windows " + windows + ": velocity is"
          + " the count in a window divided by its length, so it needs ONE_HOUR, TWENTY_FOUR_HOURS or SEVEN_DAYS");
    }
    if (negativeWeights && decay instanceof DecaySpec.Linear) {
      throw new ConfigException("signal \"" + name + "\": negativeWeights(true) with " + decay + ": a linear score"
          + " drains towards zero and cannot take negative weights; use exponential or permanent decay");
    }
  }

  private static void requirePositiveNanos(String name, String what, Duration duration, DecaySpec decay) {
    if (duration.isNegative() || duration.isZero()) {
      throw new ConfigException("signal \"" + name + "\": " + decay + ": the " + what + " must be positive");
    }
    try {
      duration.toNanos();
    } catch (ArithmeticException e) {
      throw new ConfigException("signal \"" + name + "\": " + decay + ": the " + what
          + " must be at most Long.MAX_VALUE nanoseconds (about 292 years)");
    }
  }

  /**
   * Whether the signal counts events in {@code window}.
   *
   * @param window a window
   * @return true if {@code window} was declared
   */
  public boolean counts(Window window) {
    return windows.contains(window);
  }
}

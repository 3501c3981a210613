package io.tidaldb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The signals a database records: immutable, built once and given to
 * {@link TidalDbBuilder#schema(Schema)}.
 *
 * <pre>{@code
 * Schema schema = Schema.builder()
 *     .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
 *         .windows(Window.ONE_HOUR, Window.TWENTY_FOUR_HOURS, Window.ALL_TIME)
 *         .velocity(true)
 *         .add()
 *     .signal("like", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(30)))
 *         .windows(Window.ALL_TIME)
 *         .add()
 *     .build();
 * }</pre>
 *
 * <p>Each signal gets a signal type id, its position in declaration order (the first is 0). The
 * write-ahead log stores that id, so a persistent home needs the same ids every time it is opened:
 * a schema is compatible with the one a home was created with when it starts with the same
 * signals, identical and in the same order. New signals may be appended; existing signals may not
 * be removed, renamed, reordered or changed. A home stores its schema ({@link TidalHome#schemaFile()})
 * and checks this on every open; {@code io.tidaldb.inspect.StoredSchema.read(home)} reads it.
 */
public final class Schema {

  private static final Schema EMPTY = new Schema(List.of());

  private final List<SignalSpec> signals;
  private final Map<String, SignalSpec> byName;

  private Schema(List<SignalSpec> signals) {
    this.signals = List.copyOf(signals);
    Map<String, SignalSpec> map = new LinkedHashMap<>();
    for (SignalSpec signal : signals) {
      map.put(signal.name(), signal);
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /**
   * Starts declaring signals.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A schema without signals: the default of {@link TidalDbBuilder}, with which every signal write
   * is refused.
   *
   * @return the empty schema
   */
  public static Schema empty() {
    return EMPTY;
  }

  /**
   * The signals, in declaration order: the signal at index {@code i} has id {@code i}.
   *
   * @return an unmodifiable list
   */
  public List<SignalSpec> signals() {
    return signals;
  }

  /**
   * Looks a signal up by name.
   *
   * @param name a signal name
   * @return the signal, or empty if the schema does not declare it
   */
  public Optional<SignalSpec> signal(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * The declared names, in declaration order, for messages that list them.
   *
   * @return the names
   */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schema other && signals.equals(other.signals);
  }

  @Override
  public int hashCode() {
    return signals.hashCode();
  }

  @Override
  public String toString() {
    return signals.stream().map(SignalSpec::toString).collect(Collectors.joining(", ", "Schema[", "]"));
  }

  /**
   * Collects signal declarations. Not thread-safe; use it from one thread and throw it away after
   * {@link #build()}.
   */
  public static final class Builder {

    private final List<SignalSpec> signals = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private SignalBuilder pending;

    private Builder() {}

    /**
     * Starts declaring a signal; finish it with {@link SignalBuilder#add()}.
     *
     * @param name 1 to 64 characters from {@code [a-z0-9_]}, starting with a letter; unique
     * @param entityKind what the signal is recorded against
     * @param decay how its score fades
     * @return the signal's builder
     * @throws ConfigException if the previous signal was not added
     */
    public SignalBuilder signal(String name, EntityKind entityKind, DecaySpec decay) {
      requireNothingPending();
      pending = new SignalBuilder(this, name, entityKind, decay);
      return pending;
    }

    /**
     * Builds the schema.
     *
     * @return the schema
     * @throws ConfigException if a signal was started but not added
     */
    public Schema build() {
      requireNothingPending();
      return new Schema(signals);
    }

    private void requireNothingPending() {
      if (pending != null) {
        throw new ConfigException("signal \"" + pending.name + "\" was started but not added: finish it with add()");
      }
    }

    private Builder add(SignalBuilder signal) {
      SignalSpec spec = new SignalSpec(signals.size(), signal.name, signal.entityKind, signal.decay,
          signal.windows == null ? EnumSet.noneOf(Window.class) : signal.windows,
          Boolean.TRUE.equals(signal.velocity), Boolean.TRUE.equals(signal.negativeWeights));
      if (!names.add(spec.name())) {
        throw new ConfigException("signal \"" + spec.name() + "\" is declared twice; give each signal a unique name");
      }
      signals.add(spec);
      pending = null;
      return this;
    }
  }

  /**
   * Declares one signal's windows and options. {@link #add()} checks them and returns to the schema
   * builder.
   */
  public static final class SignalBuilder {

    private final Builder parent;
    private final String name;
    private final EntityKind entityKind;
    private final DecaySpec decay;
    private EnumSet<Window> windows;
    private Boolean velocity;
    private Boolean negativeWeights;

    private SignalBuilder(Builder parent, String name, EntityKind entityKind, DecaySpec decay) {
      this.parent = parent;
      this.name = name;
      this.entityKind = entityKind;
      this.decay = decay;
    }

    /**
     * The windows to count events in; none unless set. Every signal except a permanent one needs at
     * least one.
     *
     * @param windows the windows
     * @return this builder
     * @throws ConfigException if called twice, or given null
     */
    public SignalBuilder windows(Window... windows) {
      if (this.windows != null) {
        throw new ConfigException("signal \"" + name + "\": windows were already set (to " + this.windows + "); set them once");
      }
      if (windows == null) {
        throw new ConfigException("signal \"" + name + "\": windows(null): give the windows to count, such as Window.ONE_HOUR");
      }
      EnumSet<Window> set = EnumSet.noneOf(Window.class);
      for (Window window : windows) {
        if (window == null) {
          throw new ConfigException("signal \"" + name + "\": windows(...) contains null");
        }
        set.add(window);
      }
      this.windows = set;
      return this;
    }

    /**
     * Whether {@code velocity(...)} may be read for this signal; false unless set. Needs a window
     * other than {@link Window#ALL_TIME}.
     *
     * @param velocity whether velocity is offered
     * @return this builder
     * @throws ConfigException if called twice
     */
    public SignalBuilder velocity(boolean velocity) {
      if (this.velocity != null) {
        throw new ConfigException("signal \"" + name + "\": velocity was already set (to " + this.velocity + "); set it once");
      }
      this.velocity = velocity;
      return this;
    }

    /**
     * Whether negative weights (an "unlike" taking back a "like") are accepted; false unless set.
     * Not with linear decay. Reads never return a negative score: a sum below zero reads as zero.
     *
     * @param negativeWeights whether negative weights are accepted
     * @return this builder
     * @throws ConfigException if called twice
     */
    public SignalBuilder negativeWeights(boolean negativeWeights) {
      if (this.negativeWeights != null) {
        throw new ConfigException("signal \"" + name + "\": negativeWeights was already set (to "
            + this.negativeWeights + "); set it once");
      }
      this.negativeWeights = negativeWeights;
      return this;
    }

    /**
     * Checks the signal and adds it to the schema.
     *
     * @return the schema builder, to declare the next signal or build
     * @throws ConfigException naming the signal and the value, if the name is invalid or taken, a
     *     duration is not positive, a decaying signal has no window, velocity has no bounded window,
     *     or a linear signal accepts negative weights
     */
    public Builder add() {
      parent.pending = null;
      return parent.add(this);
    }
  }
}

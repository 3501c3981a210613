package io.tidaldb.internal.signal;

import io.tidaldb.ConfigException;
import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.SignalSpec;
import io.tidaldb.Window;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The signal record: how the {@code SCHEMA} file and the ledger snapshot store one signal's
 * declaration. One home for its layout (docs/SIGNALS.md, "Files"), little-endian:
 *
 * <pre>
 * id u16 | entity kind u8 (0 ITEM, 1 USER, 2 CREATOR) | decay kind u8 (0 permanent, 1 exponential,
 * 2 linear) | decay nanos i64 (half-life or unit lifetime; 0 for permanent) | windows u8 (bit 0
 * ONE_HOUR, 1 TWENTY_FOUR_HOURS, 2 SEVEN_DAYS, 3 ALL_TIME) | flags u8 (bit 0 velocity, 1 negative
 * weights) | name length u8 | name (ASCII)
 * </pre>
 */
final class SignalRecords {

  /** The largest record the format can hold: 15 fixed bytes and a name of at most 255 (its length is a u8). */
  static final int MAX_BYTES = 15 + 255;

  private static final int KNOWN_WINDOWS = (1 << Window.values().length) - 1;
  private static final int KNOWN_FLAGS = 3;

  private SignalRecords() {}

  static void write(SignalSpec spec, ChecksummedFileWriter out) throws IOException {
    byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
    out.i16(spec.id()).i8(spec.entityKind().ordinal()).i8(decayKind(spec.decay())).i64(decayNanos(spec.decay()))
        .i8(windowBits(spec)).i8(flags(spec)).i8(name.length).bytes(name);
  }

  /**
   * Reads one record.
   *
   * @throws io.tidaldb.CorruptionException if the record cannot be a valid signal, naming its offset
   */
  static SignalSpec read(ChecksummedFileReader in) {
    int at = in.position();
    int id = in.u16();
    int kind = in.u8();
    int decayKind = in.u8();
    long decayNanos = in.i64();
    int windows = in.u8();
    int flags = in.u8();
    String name = new String(in.bytes(in.u8()), StandardCharsets.US_ASCII);
    if (kind >= EntityKind.values().length || decayKind > 2 || (windows & ~KNOWN_WINDOWS) != 0
        || (flags & ~KNOWN_FLAGS) != 0 || decayNanos < 0 || (decayKind == 0) != (decayNanos == 0)) {
      throw in.corrupt(at, "signal record " + id + " \"" + name + "\" has an impossible declaration (entity kind " + kind
          + ", decay kind " + decayKind + ", decay nanos " + decayNanos + ", windows " + windows + ", flags " + flags + ")");
    }
    DecaySpec decay = switch (decayKind) {
      case 1 -> DecaySpec.exponential(Duration.ofNanos(decayNanos));
      case 2 -> DecaySpec.linear(Duration.ofNanos(decayNanos));
      default -> DecaySpec.permanent();
    };
    Set<Window> set = EnumSet.noneOf(Window.class);
    for (Window window : Window.values()) {
      if ((windows & (1 << window.ordinal())) != 0) {
        set.add(window);
      }
    }
    try {
      return new SignalSpec(id, name, EntityKind.values()[kind], decay, set, (flags & 1) != 0, (flags & 2) != 0);
    } catch (ConfigException e) {
      throw in.corrupt(at, "signal record " + id + " is not a valid declaration: " + e.getMessage());
    }
  }

  static int decayKind(DecaySpec decay) {
    return decay instanceof DecaySpec.Exponential ? 1 : decay instanceof DecaySpec.Linear ? 2 : 0;
  }

  static long decayNanos(DecaySpec decay) {
    if (decay instanceof DecaySpec.Exponential exponential) {
      return exponential.halfLife().toNanos();
    }
    return decay instanceof DecaySpec.Linear linear ? linear.unitLifetime().toNanos() : 0;
  }

  static int windowBits(SignalSpec spec) {
    int bits = 0;
    for (Window window : spec.windows()) {
      bits |= 1 << window.ordinal();
    }
    return bits;
  }

  private static int flags(SignalSpec spec) {
    return (spec.velocity() ? 1 : 0) | (spec.negativeWeights() ? 2 : 0);
  }
}

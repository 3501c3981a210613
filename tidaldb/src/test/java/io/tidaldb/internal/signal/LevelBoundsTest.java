package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The bounds of key levels at one instant, against the reads they bound and {@link SignalLayout#keyBound}. */
class LevelBoundsTest {

  /**
   * For any entry, the bound of the level its key rounds up to is at least its read at the query's
   * instant, past or future, and within a millionth of {@code keyBound} of that level: whichever
   * level the query met first, near it or thousands of levels away.
   */
  /**
   * A walk's bounds by id hash ({@link LevelBounds#boundOf}, from one cache of level bounds shared
   * by a signal's tables, each with its own base) are the bounds of the level the hash's home slot
   * holds in its stripe's table (0 where none is held, none where keys are too large to level): for
   * ids written and ids never seen, tables never leveled, and keys that moved a table's levels up.
   */
  @Property(tries = 200)
  void boundsByHash_areTheBoundsOfTheHomeSlotLevelInTheHashsTable(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DecaySpec decay = Ledgers.anyDecay(random);
    Schema schema = Schema.builder().signal("other", EntityKind.ITEM, DecaySpec.permanent()).windows(Window.ALL_TIME).add()
        .signal("s", EntityKind.ITEM, decay).windows(Window.ALL_TIME).add().build();
    SignalLedger ledger = Ledgers.of(schema);
    int typeId = 1;
    int entities = 1 + random.nextInt(random.nextBoolean() ? 30 : 5_000);
    long t = Ledgers.T0;
    for (int i = 0, events = random.nextInt(8_000); i < events; i++) {
      t += random.nextLong(random.nextInt(50) == 0 ? 20 * Ledgers.DAY : Ledgers.MINUTE);
      float weight = random.nextInt(2_000) == 0 ? 0x1.0p100f : 1 + random.nextInt(5);
      ledger.apply(random.nextInt(entities), typeId, weight, t);
    }
    long q = t + (random.nextBoolean() ? 1 : -1) * random.nextLong(10 * Ledgers.DAY);
    LevelBounds byHash = ledger.levelBounds(typeId, q);
    SignalLayout layout = ledger.layout(typeId);
    int mask = ledger.stripeCount() - 1;
    for (int i = 0; i < 3_000; i++) {
      long hash = EntryTable.hash(random.nextInt(2 * entities));
      long level = ledger.stripeAt(SignalLedger.stripeIndex(typeId, hash, mask)).tables[typeId].levelAt(hash);
      double bound = byHash.boundOf(hash);
      String description = "seed " + seed + ", " + decay + ": hash " + hash + " bounds " + bound + ", its level " + level;
      if (level == Long.MIN_VALUE || level == Long.MAX_VALUE) {
        assertTrue(bound == (level == Long.MIN_VALUE ? 0 : Double.POSITIVE_INFINITY), description);
        continue;
      }
      double keyBound = layout.keyBound((double) level / EntryTable.LEVELS_PER_UNIT, q);
      assertTrue(bound >= keyBound * (1 - 1e-12) && bound <= keyBound * (1 + 1e-6) + 1e-300,
          description + ", keyBound " + keyBound);
    }
  }

  @Property(tries = 300)
  void aLevelsBound_isAtLeastTheReadOfEveryEntryBelowIt_andAboutKeyBound(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DecaySpec decay = Ledgers.anyDecay(random);
    SignalLayout layout = new SignalLayout(Schema.builder().signal("s", EntityKind.ITEM, decay)
        .windows(Window.ALL_TIME).add().build().signals().get(0));
    long q = Ledgers.T0 + (random.nextBoolean() ? 1 : -1) * random.nextLong(30 * Ledgers.DAY);
    LevelBounds bounds = new LevelBounds(layout, q);
    String description = "seed " + seed + ", " + decay + ", at " + q;
    assertTrue(bounds.of(Long.MIN_VALUE) == 0, description + ": a slot with no positive key bounds reads by 0");
    assertTrue(bounds.of(Long.MAX_VALUE) == Double.POSITIVE_INFINITY, description + ": an unleveled table bounds nothing");
    for (int i = 0; i < 2_000; i++) {
      double score = switch (random.nextInt(3)) {
        case 0 -> random.nextDouble() * 10;
        case 1 -> Math.scalb(1 + random.nextDouble(), random.nextInt(-60, 60));
        default -> 1 + random.nextInt(1_000);
      };
      long last = Ledgers.T0 - random.nextLong(60 * Ledgers.DAY) + random.nextLong(Ledgers.DAY);
      double key = layout.rankKey(score, last);
      if (!(Math.abs(key) < 0x1.0p48)) {
        continue; // a table with such keys is not leveled: its every level reads Long.MAX_VALUE
      }
      long level = (long) Math.ceil(key * EntryTable.LEVELS_PER_UNIT) + (random.nextInt(4) == 0 ? random.nextInt(40) : 0);
      double bound = bounds.of(level);
      double read = layout.readAt(score, last, q);
      if (read < 0x1.0p-900) {
        continue; // a decay factor past 2^-1022 is subnormal: the read itself is rounded to a few bits
      }
      assertTrue(bound >= read, description + ": level " + level + " bounds " + bound + " below the read " + read
          + " of score " + score + " at " + last);
      double keyBound = layout.keyBound((double) level / EntryTable.LEVELS_PER_UNIT, q);
      assertTrue(bound >= keyBound * (1 - 1e-12) && bound <= keyBound * (1 + 1e-6) + 1e-300,
          description + ": level " + level + " bounds " + bound + ", keyBound " + keyBound);
    }
  }
}

package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The rank index's buckets are arrays of entry numbers ({@link RankIndex}): after any mix of new
 * entries, events that move an entry between buckets, evictions (an entry leaves its bucket and the
 * table's last entry takes its number) and ceiling moves, every entry of the table is in exactly
 * one bucket, the one its key falls in, and the first and lowest non-empty buckets are where a
 * walk looks for them.
 */
class RankIndexBucketsPropertiesTest {

  @Property(tries = 200)
  void everyEntryIsInExactlyTheBucketOfItsKey_afterInsertsMovesAndEvictions(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DecaySpec decay = Ledgers.anyDecay(random);
    Schema schema = Schema.builder().signal("s", EntityKind.ITEM, decay).windows(Window.ALL_TIME).add().build();
    long maxEntries = random.nextBoolean() ? 1 + random.nextInt(500) : 1_000_000;
    SignalLedger ledger = Ledgers.of(schema, maxEntries);
    int entities = 1 + random.nextInt(3_000);
    int events = random.nextInt(6_000);
    for (int i = 0; i < events; i++) {
      double magnitude = Math.pow(10, random.nextInt(-2, 5));
      ledger.apply(random.nextInt(entities), 0, (float) (random.nextDouble() * magnitude),
          Ledgers.T0 - random.nextLong(2 * Ledgers.DAY));
    }
    String description = "seed " + seed + ": " + decay + ", " + events + " events over " + entities
        + " entities, maxEntries " + maxEntries;
    for (int s = 0; s < ledger.stripeCount(); s++) {
      assertBucketsHoldEveryEntryOnce(ledger.stripeAt(s).tables[0], description + ", stripe " + s);
    }
  }

  /**
   * A walk scales every bucket's bound from bucket 0's ({@link RankIndex#bound(int, long, double)})
   * instead of a power per bucket: for every bucket, fine and coarse and the last, at instants before
   * and after the events, the scaled bound is never below the direct one (which bounds the bucket's
   * reads) and within a millionth above it, so a walk visits the same buckets.
   */
  @Property(tries = 100)
  void scaledBucketBounds_areTheDirectBounds_neverBelowAndWithinAMillionth(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DecaySpec decay = Ledgers.anyDecay(random);
    Schema schema = Schema.builder().signal("s", EntityKind.ITEM, decay).windows(Window.ALL_TIME).add().build();
    SignalLedger ledger = Ledgers.of(schema);
    for (int i = 0, events = 1 + random.nextInt(50); i < events; i++) {
      double magnitude = Math.pow(10, random.nextInt(-3, 6));
      ledger.apply(random.nextInt(20), 0, (float) (random.nextDouble() * magnitude),
          Ledgers.T0 - random.nextLong(30 * Ledgers.DAY));
    }
    for (int s = random.nextInt(8); s < ledger.stripeCount(); s += 8) {
      RankIndex rank = ledger.stripeAt(s).tables[0].rank;
      long q = Ledgers.T0 + (random.nextBoolean() ? 1 : -1) * random.nextLong(60 * Ledgers.DAY);
      double top = rank.bound(0, q);
      for (int j = 0; j < RankIndex.BUCKETS; j++) {
        double direct = rank.bound(j, q);
        double scaled = rank.bound(j, q, top);
        assertTrue(scaled >= direct && scaled <= direct * (1 + 1e-6),
            "seed " + seed + ", " + decay + ", stripe " + s + ", bucket " + j + ": scaled " + scaled + ", direct " + direct);
      }
    }
  }

  /**
   * With negative weights an entry's key also falls (to the last bucket once its score is not
   * positive), so an entry leaves the highest bucket for a lower one and the lowest for a higher
   * one: the first and lowest non-empty buckets, and every entry's place, stay exact after each
   * move, including when the entry that moves was alone in its bucket.
   */
  @Property(tries = 100)
  void everyEntryIsInExactlyTheBucketOfItsKey_whenNegativeWeightsMoveEntriesBothWays(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DecaySpec decay = random.nextBoolean()
        ? DecaySpec.exponential(Duration.ofSeconds(60 + random.nextLong(86_400)))
        : DecaySpec.permanent();
    Schema schema = Schema.builder().signal("s", EntityKind.ITEM, decay).windows(Window.ALL_TIME)
        .negativeWeights(true).add().build();
    SignalLedger ledger = Ledgers.of(schema, random.nextBoolean() ? 1 + random.nextInt(40) : 1_000_000);
    int entities = 1 + random.nextInt(60);
    int events = random.nextInt(600);
    for (int i = 0; i < events; i++) {
      double magnitude = Math.pow(10, random.nextInt(-1, 3));
      double sign = random.nextInt(3) == 0 ? -1 : 1;
      ledger.apply(random.nextInt(entities), 0, (float) (sign * random.nextDouble() * magnitude),
          Ledgers.T0 - random.nextLong(Ledgers.DAY));
      if (i % 20 == 0 || i == events - 1) {
        String description = "seed " + seed + ": " + decay + ", after " + (i + 1) + " events over " + entities;
        for (int s = 0; s < ledger.stripeCount(); s++) {
          assertBucketsHoldEveryEntryOnce(ledger.stripeAt(s).tables[0], description + ", stripe " + s);
        }
      }
    }
  }

  /**
   * A bucket that an entry leaves empty while its array is of the first capacity gives the array
   * back, and a group of buckets whose last entry leaves gives its references back (entries pass
   * through many buckets on their way up, and an array kept for each cost 40 bytes a bucket: 17
   * bytes per entry at 10,000 entities): after any mix of moves up and down, new entries and
   * evictions, no empty bucket holds an array of the first capacity, and every entry is still in
   * exactly the bucket of its key.
   */
  @Property(tries = 150)
  void anEmptiedBucketOfTheFirstCapacity_holdsNoArray_andEveryEntryStaysInTheBucketOfItsKey(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    boolean negative = random.nextBoolean();
    Schema schema = Schema.builder()
        .signal("s", EntityKind.ITEM, DecaySpec.exponential(Duration.ofSeconds(60 + random.nextLong(86_400))))
        .windows(Window.ALL_TIME).negativeWeights(negative).add().build();
    SignalLedger ledger = Ledgers.of(schema, random.nextBoolean() ? 1 + random.nextInt(100) : 1_000_000);
    int entities = 1 + random.nextInt(random.nextBoolean() ? 30 : 1_000);
    int events = random.nextInt(3_000);
    for (int i = 0; i < events; i++) {
      double sign = negative && random.nextInt(3) == 0 ? -1 : 1;
      ledger.apply(random.nextInt(entities), 0, (float) (sign * random.nextDouble() * Math.pow(10, random.nextInt(-1, 3))),
          Ledgers.T0 - random.nextLong(Ledgers.DAY));
      if (i % 50 == 0 || i == events - 1) {
        String description = "seed " + seed + ", after " + (i + 1) + " events over " + entities + " entities";
        for (int s = 0; s < ledger.stripeCount(); s++) {
          RankIndex rank = ledger.stripeAt(s).tables[0].rank;
          for (int j = 0; j < RankIndex.BUCKETS; j++) {
            int length = rank.members(j).length;
            if (rank.size(j) == 0) {
              assertTrue(length == 0 || length > RankIndex.FIRST_MEMBER + RankIndex.FIRST_CAPACITY,
                  description + ", stripe " + s + ": empty bucket " + j + " holds an array of " + length);
            }
          }
          assertBucketsHoldEveryEntryOnce(ledger.stripeAt(s).tables[0], description + ", stripe " + s);
        }
      }
    }
  }

  private static void assertBucketsHoldEveryEntryOnce(EntryTable table, String description) {
    RankIndex rank = table.rank;
    int[] timesSeen = new int[table.size()];
    int highest = RankIndex.BUCKETS;
    int lowest = -1;
    for (int j = 0; j < RankIndex.BUCKETS; j++) {
      int size = rank.size(j);
      long[] members = rank.members(j);
      assertTrue(size == 0 || RankIndex.FIRST_MEMBER + size <= members.length, description + ": bucket " + j + " holds its entries");
      for (int n = 0; n < size; n++) {
        int d = RankIndex.numberOf(members[RankIndex.FIRST_MEMBER + n]);
        assertTrue(d >= 0 && d < table.size(), description + ": bucket " + j + " names entry " + d);
        assertEquals(RankIndex.member(d, table.hashAt(d)), members[RankIndex.FIRST_MEMBER + n],
            description + ": entry " + d + "'s member carries its id's home bits");
        timesSeen[d]++;
        assertEquals(rank.bucketOf(table.layout.rankKey(table.scoreAt(d), table.lastAt(d))), j,
            description + ": entry " + d + " is in the bucket of its key");
      }
      if (size > 0) {
        highest = Math.min(highest, j);
        lowest = j;
      }
    }
    for (int d = 0; d < timesSeen.length; d++) {
      assertEquals(1, timesSeen[d], description + ": entry " + d + " is in one bucket");
    }
    assertEquals(highest, rank.first(), description + ": the first non-empty bucket");
    assertEquals(lowest, rank.lowest(), description + ": the lowest non-empty bucket");
    int walked = 0;
    for (int j = rank.first(); j < RankIndex.BUCKETS; j = rank.nextBucket(j)) {
      walked += rank.size(j);
    }
    assertEquals(table.size(), walked, description + ": a walk from the first bucket meets every entry");
  }
}

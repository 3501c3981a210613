package io.tidaldb.bench.signal;

import io.tidaldb.TidalDb;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Layouts of a score read, built from the same random entries in plain arrays and read in
 * alternating rounds of uniformly random ids in one JVM (CPU time of the reading thread): what a
 * read of one entity would cost in each layout, without the rest of the ledger around it.
 *
 * <ul>
 *   <li>{@code index + record}: the ledger's layout, an {@code int[]} index (8-bit tag, entry
 *       number; linear probing, power-of-two capacity, at most 0.75 full) naming a dense 32-byte
 *       record {@code [id, last, score, total]}: two dependent lines per hit;
 *   <li>{@code linear inline}: the 32-byte records in the probed table itself, 0.75 full;
 *   <li>{@code cuckoo 2x2 inline}: the records in buckets of two (one 64-byte line), two candidate
 *       buckets per id, filled to {@value #CUCKOO_FILL}; a read loads the first bucket and the
 *       second only when the id is not in the first;
 *   <li>{@code ConcurrentHashMap.get} of the score, and the open-addressing {@code long[]}/{@code double[]}
 *       floor (both precomputed: no decay to compute).
 * </ul>
 *
 * <pre>
 * java -Xmx6g -cp bench/target/benchmarks.jar io.tidaldb.bench.signal.ReadLayouts 1000000 9 [ledger]
 * </pre>
 *
 * <p>With {@code ledger}, a ledger of as many entities is loaded first and kept open, so that the
 * heap is as large as where {@code ReadCpuTime} reads.
 */
public final class ReadLayouts {

  private static final double CUCKOO_FILL = 0.85;
  private static final double RATE = 1.0 / 3_600_000_000_000.0;
  private static final long NOW = 7L * 24 * 3_600_000_000_000L;
  private static final int HOT = 4;

  private final long[] ids;
  private final long[] reads;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  // index + record
  private final int[] refs;
  private final int refMask;
  private final long[] hot;
  // linear inline
  private final long[] linear;
  private final int linearSlots;
  // cuckoo
  private final long[] cuckoo;
  private final long buckets;
  private int inFirst;
  // peers
  private final ConcurrentHashMap<Long, Double> map;
  private final long[] floorKeys;
  private final double[] floorValues;
  private final int floorMask;

  private ReadLayouts(int n) {
    SplittableRandom random = new SplittableRandom(7);
    ids = new long[n];
    long[] last = new long[n];
    double[] score = new double[n];
    for (int i = 0; i < n; i++) {
      ids[i] = random.nextLong() | 1;
      last[i] = random.nextLong(NOW);
      score[i] = 1 + random.nextInt(100);
    }
    reads = new long[1 << 22];
    for (int i = 0; i < reads.length; i++) {
      reads[i] = ids[random.nextInt(n)];
    }
    int capacity = Integer.highestOneBit((int) (n / 0.75) - 1) << 1;
    refs = new int[capacity];
    refMask = capacity - 1;
    hot = new long[2 + n * HOT];
    for (int d = 0; d < n; d++) {
      put(hot, 2 + d * HOT, ids[d], last[d], score[d]);
      long h = hash(ids[d]);
      int i = (int) h & refMask;
      while (refs[i] != 0) {
        i = (i + 1) & refMask;
      }
      refs[i] = (int) (h >>> 56) << 24 | (d + 1);
    }
    linearSlots = (int) (n / 0.75);
    linear = new long[4 + linearSlots * HOT];
    for (int d = 0; d < n; d++) {
      int i = linearHome(hash(ids[d]));
      while (linear[4 + i * HOT + 3] != 0) {
        i = i + 1 == linearSlots ? 0 : i + 1;
      }
      put(linear, 4 + i * HOT, ids[d], last[d], score[d]);
    }
    buckets = (long) Math.ceil(n / CUCKOO_FILL / 2);
    cuckoo = new long[6 + (int) buckets * 2 * HOT];
    for (int d = 0; d < n; d++) {
      cuckooInsert(ids[d], last[d], score[d], random);
    }
    for (int d = 0; d < n; d++) {
      long h = hash(ids[d]);
      int o = 6 + (int) first(h) * 2 * HOT;
      if (cuckoo[o] == ids[d] || cuckoo[o + HOT] == ids[d]) {
        inFirst++;
      }
    }
    map = new ConcurrentHashMap<>(n * 2);
    int floorCapacity = Integer.highestOneBit(n * 2 - 1) << 1;
    floorKeys = new long[floorCapacity];
    floorValues = new double[floorCapacity];
    floorMask = floorCapacity - 1;
    for (int d = 0; d < n; d++) {
      double s = score[d] * Math.exp(-(NOW - last[d]) * RATE);
      map.put(ids[d], s);
      int i = (int) hash(ids[d]) & floorMask;
      while (floorKeys[i] != 0) {
        i = (i + 1) & floorMask;
      }
      floorKeys[i] = ids[d];
      floorValues[i] = s;
    }
  }

  private static void put(long[] table, int o, long id, long last, double score) {
    table[o] = id;
    table[o + 1] = last;
    table[o + 2] = Double.doubleToRawLongBits(score);
    table[o + 3] = 4;
  }

  /** The ledger's hash of an entity id (MurmurHash3's finaliser), copied: the layouts are the ledger's, rebuilt. */
  static long hash(long key) {
    long h = key;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private int linearHome(long h) {
    return (int) (((h >>> 32) * linearSlots) >>> 32);
  }

  private long first(long h) {
    return ((h >>> 32) * buckets) >>> 32;
  }

  private long second(long h) {
    return ((h & 0xFFFFFFFFL) * buckets) >>> 32;
  }

  private void cuckooInsert(long id, long last, double score, SplittableRandom random) {
    long[] entry = {id, last, Double.doubleToRawLongBits(score), 4};
    for (int kicks = 0; kicks < 10_000; kicks++) {
      long h = hash(entry[0]);
      long[] choices = {first(h), second(h)};
      for (long b : choices) {
        int o = 6 + (int) b * 2 * HOT;
        for (int s = 0; s < 2; s++) {
          if (cuckoo[o + s * HOT + 3] == 0) {
            System.arraycopy(entry, 0, cuckoo, o + s * HOT, HOT);
            return;
          }
        }
      }
      int o = 6 + (int) choices[random.nextInt(2)] * 2 * HOT + random.nextInt(2) * HOT;
      long[] out = Arrays.copyOfRange(cuckoo, o, o + HOT);
      System.arraycopy(entry, 0, cuckoo, o, HOT);
      entry = out;
    }
    throw new IllegalStateException("cuckoo table full at " + CUCKOO_FILL);
  }

  private static double decay(long[] table, int o) {
    return Double.longBitsToDouble(table[o + 2]) * Math.exp(-(NOW - table[o + 1]) * RATE);
  }

  double indexRecord(long id) {
    long h = hash(id);
    int tag = (int) (h >>> 56);
    for (int i = (int) h & refMask; ; i = (i + 1) & refMask) {
      int ref = refs[i];
      if (ref == 0) {
        return 0;
      }
      if (ref >>> 24 == tag) {
        int o = 2 + ((ref & 0xFFFFFF) - 1) * HOT;
        if (hot[o] == id) {
          return decay(hot, o);
        }
      }
    }
  }

  double linearInline(long id) {
    for (int i = linearHome(hash(id)); ; i = i + 1 == linearSlots ? 0 : i + 1) {
      int o = 4 + i * HOT;
      if (linear[o] == id) {
        return decay(linear, o);
      }
      if (linear[o + 3] == 0) {
        return 0;
      }
    }
  }

  double cuckoo(long id) {
    long h = hash(id);
    int o = 6 + (int) first(h) * 2 * HOT;
    if (cuckoo[o] == id) {
      return decay(cuckoo, o);
    }
    if (cuckoo[o + HOT] == id) {
      return decay(cuckoo, o + HOT);
    }
    o = 6 + (int) second(h) * 2 * HOT;
    if (cuckoo[o] == id) {
      return decay(cuckoo, o);
    }
    if (cuckoo[o + HOT] == id) {
      return decay(cuckoo, o + HOT);
    }
    return 0;
  }

  double floor(long id) {
    for (int i = (int) hash(id) & floorMask; ; i = (i + 1) & floorMask) {
      if (floorKeys[i] == id) {
        return floorValues[i];
      }
      if (floorKeys[i] == 0) {
        return 0;
      }
    }
  }

  private static final String[] CASES = {"index + record", "linear inline", "cuckoo 2x2 inline", "ConcurrentHashMap",
      "open addressing"};

  private double round(int which, int count, double[] digest) {
    double s = 0;
    long start = threads.getCurrentThreadCpuTime();
    for (int r = 0; r < count; r++) {
      long id = reads[r & (reads.length - 1)];
      s += switch (which) {
        case 0 -> indexRecord(id);
        case 1 -> linearInline(id);
        case 2 -> cuckoo(id);
        case 3 -> map.get(id);
        default -> floor(id);
      };
    }
    long cpu = threads.getCurrentThreadCpuTime() - start;
    digest[which] = s;
    return cpu / (double) count;
  }

  /**
   * Runs the comparison.
   *
   * @param args entities (default 1,000,000), rounds (default 9), and {@code ledger} to load a ledger first
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    // "ledger": first load a ledger of as many entities, kept open, so that the heap (and its page
    // tables) is as large as where ReadCpuTime reads
    TidalDb ledger = null;
    if (args.length > 2 && args[2].equals("ledger")) {
      ledger = BenchSchema.open(2L * n);
      BenchSchema.load(ledger, BenchSchema.ids(n, 1), 4);
    }
    ReadLayouts layouts = new ReadLayouts(n);
    System.out.printf("%,d entities; cuckoo: %.1f %% of ids in their first bucket at fill %.2f%n", n,
        100.0 * layouts.inFirst / n, CUCKOO_FILL);
    double[][] ns = new double[CASES.length][rounds];
    double[] digest = new double[CASES.length];
    for (int r = 0; r < rounds + 2; r++) {
      StringBuilder line = new StringBuilder("round " + r + ":");
      for (int c = 0; c < CASES.length; c++) {
        int which = (c + r) % CASES.length;
        double t = layouts.round(which, 1 << 22, digest);
        if (r >= 2) {
          ns[which][r - 2] = t;
        }
      }
      for (int c = 0; c < CASES.length; c++) {
        line.append(String.format("  %s %.1f", CASES[c], r >= 2 ? ns[c][r - 2] : Double.NaN));
      }
      System.out.println(line);
    }
    for (int c = 0; c < CASES.length; c++) {
      double[] sorted = ns[c].clone();
      Arrays.sort(sorted);
      System.out.printf("%-20s median %.1f ns CPU per read (digest %.6e)%n", CASES[c], sorted[rounds / 2], digest[c]);
    }
    if (ledger != null) {
      ledger.close();
    }
  }
}

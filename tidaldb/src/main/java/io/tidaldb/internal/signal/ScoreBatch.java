package io.tidaldb.internal.signal;

/**
 * One thread's scratch space for batched score reads ({@link SignalLedger#decayScores}), so that
 * ranking allocates nothing per call: a block's hashes, stripes, index slots then entry numbers, the
 * hot records of those entries, and a stamp per stripe.
 */
final class ScoreBatch {

  /**
   * Candidates per block: enough for the memory system to overlap many misses (a ranking call's
   * 200 candidates make one block), and a scratch of about 8 KB.
   */
  static final int SIZE = 256;

  private static final ThreadLocal<ScoreBatch> SCRATCH = ThreadLocal.withInitial(ScoreBatch::new);

  /** Per candidate: its hash. */
  final long[] hashes = new long[SIZE];
  /** Per candidate: its stripe. */
  final int[] stripes = new int[SIZE];
  /** Per candidate: its home index slots, then the entry its tag names; then the candidates to probe fully. */
  final int[] entries = new int[SIZE];
  /** Per candidate: the id, last and score bits of the entry its tag names. */
  final long[] records = new long[3 * SIZE];
  final long[] stamps = new long[SignalLedger.MAX_STRIPES];

  private ScoreBatch() {}

  static ScoreBatch forThisThread() {
    return SCRATCH.get();
  }
}

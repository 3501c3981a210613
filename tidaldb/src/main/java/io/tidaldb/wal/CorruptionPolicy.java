package io.tidaldb.wal;

/**
 * What {@link Wal#open(WalConfig)} does when it finds damage that is not a torn tail: damaged data
 * followed by valid data, or a damaged segment that is not the last one.
 *
 * <pre>{@code
 * WalConfig.builder(dir).corruptionPolicy(CorruptionPolicy.TRUNCATE).build();
 * }</pre>
 *
 * <p>A torn tail (the incomplete or damaged last batch of the last segment, the normal trace of a
 * crash) is always cut off, whatever the policy.
 */
public enum CorruptionPolicy {

  /**
   * Refuse to open, with a {@link io.tidaldb.CorruptionException} naming the file and offset. Nothing
   * is changed on disk. The default: an operator decides what to do.
   */
  FAIL,

  /**
   * Cut the log at the first corruption: truncate the damaged segment there and delete every later
   * segment. Events after that point are lost, even acknowledged ones, and their sequence numbers
   * are given out again. {@link Wal#recovery()} reports what was cut. A segment that is not a
   * tidalDB segment (foreign magic) or is in a newer format is never cut: opening refuses anyway.
   */
  TRUNCATE
}

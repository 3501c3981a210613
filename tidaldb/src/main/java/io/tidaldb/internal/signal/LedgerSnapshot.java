package io.tidaldb.internal.signal;

import io.tidaldb.SignalSpec;
import io.tidaldb.internal.DurableFiles;
import java.util.List;

/**
 * The ledger snapshot file's format: its constants and its header. {@link LedgerSnapshotWriter}
 * writes it and {@link LedgerSnapshotReader} reads it; this class, those two and docs/SIGNALS.md
 * are the only places that know it.
 *
 * <pre>{@code
 * LedgerSnapshotWriter.write(ledger, lastSequence, nowNanos, file);      // atomic, checksummed
 * LedgerSnapshot.Header header = LedgerSnapshotReader.read(file, freshLedger);
 * }</pre>
 *
 * <p>The encoding is canonical: signals in id order, entries sorted by entity id, each ring as a
 * bitmap of its non-zero buckets followed by their counts. It depends on the ledger's state only
 * (not on counter widths or the order of the tables' arrays), so restoring a snapshot and writing
 * it again gives the same bytes. That state includes each entry's number in its table, which
 * eviction samples by: restoring puts every entry back at its number, so that a full ledger evicts
 * after a restart exactly what it would have evicted without one. The layout, all little-endian
 * (docs/SIGNALS.md, "Files", has it with offsets):
 *
 * <pre>
 * header   magic "TDLS" (4) | version u16 = 2 or 3 | flags u16 = 0 | sequence i64 | created nanos i64
 *          | signal count u32 | reserved u32 = 0                                        (32 bytes)
 *          | version 3 only: source position i64 (at least 0)                            (8 bytes)
 * signal   a signal record ({@link SignalRecords}) | entry count i64, then the entries:
 * entry    entity id i64 | last i64 | score f64 | all-time count i64 | entry number u32
 *          | for a linear signal: holds water since i64
 *          | per ring (minutes, then hours): bitmap of ceil(slots / 64) u64 words,
 *            then one unsigned LEB128 count per set bit, in slot order
 * trailer  CRC32C u32 of every byte before it
 * </pre>
 *
 * Version 1 (still read) had neither the entry number nor the time since which a linear
 * signal's bucket holds water (taken as {@code last}, which gives version 1's late-event rule).
 * Version 3 is version 2 with the source position ({@code SignalBatch.sourcePosition}) after the
 * header; it is written only when a batch with a position was written before the checkpoint, so a
 * home that never used positions keeps writing version 2, which older tidalDB versions read.
 *
 * <p>A file is written to a temporary sibling, fsynced, renamed over the target atomically, and
 * the directory fsynced ({@link DurableFiles#replace}): a crash leaves either the old file or the new one,
 * never a mix.
 */
final class LedgerSnapshot {

  static final int MAGIC = 0x534C4454;   // "TDLS" read as a little-endian int
  /** The version written without a source position: 2 added each entry's number in its table. */
  static final int VERSION = 2;
  /** The version written with a source position: version 2 plus the position after the header. */
  static final int VERSION_WITH_POSITION = 3;
  /** The oldest version still read: 1, whose entries have no number and are restored in file order. */
  static final int OLDEST_VERSION = 1;
  static final int HEADER_BYTES = 32;
  static final int TRAILER_BYTES = 4;
  /** The smallest entry: four longs and no rings (version 1). */
  static final int MIN_ENTRY_BYTES = 32;

  private LedgerSnapshot() {}

  /**
   * What a snapshot says about itself.
   *
   * @param sequence the last log sequence the state reflects
   * @param createdNanos when it was written, in nanoseconds since the epoch
   * @param entries the entries it holds, over all signals
   * @param signals the signals it holds, in id order
   * @param bytes the file's size
   * @param sourcePosition the source position the snapshot carries, or {@link SourcePosition#NONE}
   */
  record Header(long sequence, long createdNanos, long entries, List<SignalSpec> signals, long bytes,
      long sourcePosition) {
    Header {
      signals = List.copyOf(signals);
    }

    /** A header without a source position. */
    Header(long sequence, long createdNanos, long entries, List<SignalSpec> signals, long bytes) {
      this(sequence, createdNanos, entries, signals, bytes, SourcePosition.NONE);
    }
  }

  /** The largest snapshot {@link LedgerSnapshotReader#read} can load: it reads the file into one array. */
  static final long MAX_BYTES = Integer.MAX_VALUE - 8;
}

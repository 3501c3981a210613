package io.tidaldb.internal.signal;

import io.tidaldb.SignalSpec;
import io.tidaldb.StorageException;
import io.tidaldb.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the ledger snapshot file ({@link LedgerSnapshot} has the format): signals in id order, each
 * signal's entries merged from the stripes' sorted runs by entity id, atomically replaced
 * ({@link DurableFiles#replace}).
 *
 * <pre>{@code
 * LedgerSnapshot.Header header = LedgerSnapshotWriter.write(capture, sequence, position, nowNanos, file);
 * }</pre>
 */
final class LedgerSnapshotWriter {

  private LedgerSnapshotWriter() {}


  /**
   * Writes the ledger's state atomically to {@code file}, capturing it whole first: writers to the
   * ledger wait while that runs. A checkpoint captures stripe by stripe instead (see
   * {@link LedgerCapture}) and calls {@link #write(LedgerCapture, long, long, Path)}.
   *
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static LedgerSnapshot.Header write(SignalLedger ledger, long sequence, long createdNanos, Path file) {
    LedgerCapture capture = ledger.beginCapture();
    try {
      capture.finish();
    } catch (RuntimeException e) {
      capture.abandon();
      throw e;
    }
    return write(capture, sequence, SourcePosition.NONE, createdNanos, file);
  }

  /**
   * Writes a finished capture atomically to {@code file}.
   *
   * @return the header of the file written
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static LedgerSnapshot.Header write(LedgerCapture capture, long sequence, long createdNanos, Path file) {
    return write(capture, sequence, SourcePosition.NONE, createdNanos, file);
  }

  /**
   * Writes a finished capture atomically to {@code file}, with the source position the ledger's
   * state reflects: version 3 when there is one ({@code position >= 0}), version 2 otherwise.
   *
   * @return the header of the file written
   * @throws StorageException if the file cannot be written; an older file at {@code file} is intact
   */
  static LedgerSnapshot.Header write(LedgerCapture capture, long sequence, long position, long createdNanos, Path file) {
    SignalLedger ledger = capture.ledger;
    long[] totals = new long[2];
    List<SignalSpec> signals = new ArrayList<>();
    try {
      DurableFiles.replace(file, channel -> {
        ChecksummedFileWriter out = new ChecksummedFileWriter(channel);
        int version = position >= 0 ? LedgerSnapshot.VERSION_WITH_POSITION : LedgerSnapshot.VERSION;
        out.i32(LedgerSnapshot.MAGIC).i16(version).i16(0).i64(sequence).i64(createdNanos)
            .i32(ledger.signalCount()).i32(0);
        if (position >= 0) {
          out.i64(position);
        }
        for (int typeId = 0; typeId < ledger.signalCount(); typeId++) {
          SignalSpec spec = ledger.layout(typeId).spec;
          signals.add(spec);
          SignalRecords.write(spec, out);
          totals[0] += merge(capture, typeId, out);
        }
        out.finish();
        totals[1] = out.written();
        if (totals[1] > LedgerSnapshot.MAX_BYTES) {
          // Refused before the rename: the previous snapshot and the log after it stay in effect.
          throw new IOException("the snapshot would be " + totals[1] + " bytes; this version reads snapshots of at"
              + " most " + LedgerSnapshot.MAX_BYTES + " bytes (one array): lower maxEntries");
        }
      });
    } catch (IOException e) {
      throw new StorageException("cannot write the ledger snapshot " + file, e);
    }
    return new LedgerSnapshot.Header(sequence, createdNanos, totals[0], signals, totals[1], position >= 0 ? position
        : SourcePosition.NONE);
  }

  /**
   * Writes one signal's entry count and entries: a k-way merge of the stripes' sorted runs by entity
   * id, through a binary heap of stripe numbers.
   */
  private static long merge(LedgerCapture capture, int typeId, ChecksummedFileWriter out) throws IOException {
    int stripes = capture.stripeCount();
    LedgerCapture.Run[] runs = new LedgerCapture.Run[stripes];
    int[] next = new int[stripes];
    int[] heap = new int[stripes];
    int size = 0;
    long count = 0;
    for (int s = 0; s < stripes; s++) {
      runs[s] = capture.run(s, typeId);
      count += runs[s].ids.length;
      if (runs[s].ids.length > 0) {
        heap[size++] = s;
      }
    }
    out.i64(count);
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(heap, size, i, runs, next);
    }
    while (size > 0) {
      int s = heap[0];
      LedgerCapture.Run run = runs[s];
      int i = next[s]++;
      out.bytes(run.data, run.starts[i], run.starts[i + 1] - run.starts[i]);
      if (next[s] == run.ids.length) {
        heap[0] = heap[--size];
      }
      siftDown(heap, size, 0, runs, next);
    }
    return count;
  }

  private static void siftDown(int[] heap, int size, int at, LedgerCapture.Run[] runs, int[] next) {
    int i = at;
    while (true) {
      int smallest = i;
      int left = 2 * i + 1;
      int right = left + 1;
      if (left < size && head(heap[left], runs, next) < head(heap[smallest], runs, next)) {
        smallest = left;
      }
      if (right < size && head(heap[right], runs, next) < head(heap[smallest], runs, next)) {
        smallest = right;
      }
      if (smallest == i) {
        return;
      }
      int t = heap[i];
      heap[i] = heap[smallest];
      heap[smallest] = t;
      i = smallest;
    }
  }

  private static long head(int stripe, LedgerCapture.Run[] runs, int[] next) {
    return runs[stripe].ids[next[stripe]];
  }
}

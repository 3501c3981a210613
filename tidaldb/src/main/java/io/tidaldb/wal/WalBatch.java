package io.tidaldb.wal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One batch of the log as a reader meets it: where it is, its header, and its events.
 *
 * <pre>{@code
 * WalReader.of(home.wal()).scan(batch ->
 *     System.out.println(batch.segment().getFileName() + "@" + batch.offset() + " seq "
 *         + batch.firstSequence() + ".." + batch.lastSequence() + ": " + batch.eventCount() + " events"));
 * }</pre>
 *
 * <p>A {@code WalBatch} is a view of the reader's buffer, valid only during the call that receives
 * it: copy what you keep ({@link #events()} does). This is what lets a reader walk a large log
 * without allocating per batch or per event.
 */
public final class WalBatch {

  private Path segment;
  private ByteBuffer buffer;
  private WalFormat.BatchLayout layout;
  private int at;
  private long offset;
  private long firstSequence;
  private int eventCount;
  private long timestampNanos;

  WalBatch() {}

  void point(Path segment, ByteBuffer buffer, int at, long offset, WalFormat.BatchLayout layout) {
    this.segment = segment;
    this.buffer = buffer;
    this.layout = layout;
    this.at = at;
    this.offset = offset;
    this.firstSequence = buffer.getLong(at + WalFormat.B_FIRST_SEQ);
    this.eventCount = buffer.getInt(at + WalFormat.B_EVENT_COUNT);
    this.timestampNanos = buffer.getLong(at + WalFormat.B_TIMESTAMP);
  }

  /** {@return the segment file holding the batch} */
  public Path segment() {
    return segment;
  }

  /** {@return the byte offset of the batch's header in its segment} */
  public long offset() {
    return offset;
  }

  /** {@return the batch's size on disk, header included, in bytes} */
  public int sizeBytes() {
    return layout.batchSize(eventCount);
  }

  /** {@return the format version of the batch (and of its segment): 1 or 2} */
  public int formatVersion() {
    return layout.version();
  }

  /**
   * The batch's durable mark: the highest sequence that was fsynced when the batch was written
   * (0 if none was). Recovery compares it with the sequences of damaged batches before this one to
   * tell a tail that was never fsynced from damage to durable data.
   *
   * @return the mark, or empty for a version-1 batch, which has none
   */
  public OptionalLong durableSequence() {
    return layout.hasDurableMark() ? OptionalLong.of(buffer.getLong(at + layout.durableSequence())) : OptionalLong.empty();
  }

  /** {@return the sequence of the batch's first event} */
  public long firstSequence() {
    return firstSequence;
  }

  /** {@return the sequence of the batch's last event} */
  public long lastSequence() {
    return firstSequence + eventCount - 1;
  }

  /** {@return how many events the batch holds, at least 1} */
  public int eventCount() {
    return eventCount;
  }

  /** {@return when the batch was written, in nanoseconds since the epoch (the writer's clock)} */
  public long timestampNanos() {
    return timestampNanos;
  }

  /**
   * One event of the batch; its sequence is {@code firstSequence() + index}.
   *
   * @param index from 0 to {@code eventCount() - 1}
   * @return the event
   */
  public WalEvent event(int index) {
    int e = eventAt(index);
    return new WalEvent(WalFormat.entityId(buffer, e), WalFormat.signalTypeId(buffer, e), WalFormat.weight(buffer, e),
        WalFormat.timestampNanos(buffer, e));
  }

  /**
   * The batch's events, copied out of the reader's buffer.
   *
   * @return the events in sequence order
   */
  public List<WalEvent> events() {
    List<WalEvent> events = new ArrayList<>(eventCount);
    for (int i = 0; i < eventCount; i++) {
      events.add(event(i));
    }
    return events;
  }

  /**
   * Hands every event of the batch to {@code sink}, in order, without allocating.
   *
   * @param sink receives each event with its sequence
   */
  public void forEach(WalEventSink sink) {
    Objects.requireNonNull(sink, "sink");
    deliver(buffer, at + layout.headerSize(), firstSequence, 0, eventCount, sink);
  }

  private int eventAt(int index) {
    Objects.checkIndex(index, eventCount);
    return at + layout.headerSize() + index * WalFormat.EVENT_SIZE;
  }

  /**
   * Hands events {@code from} (inclusive) to {@code to} (exclusive) of the batch whose payload starts
   * at {@code payload} to the sink.
   */
  static void deliver(ByteBuffer buffer, int payload, long firstSequence, int from, int to, WalEventSink sink) {
    int e = payload + from * WalFormat.EVENT_SIZE;
    for (int i = from; i < to; i++, e += WalFormat.EVENT_SIZE) {
      sink.accept(firstSequence + i, WalFormat.entityId(buffer, e), WalFormat.signalTypeId(buffer, e),
          WalFormat.weight(buffer, e), WalFormat.timestampNanos(buffer, e));
    }
  }

  @Override
  public String toString() {
    return "WalBatch[" + segment + "@" + offset + ", seq " + firstSequence + ".." + lastSequence() + "]";
  }
}

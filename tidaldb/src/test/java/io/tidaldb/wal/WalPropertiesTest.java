package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.test.TempTidalHome;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class WalPropertiesTest {

  @Provide
  Arbitrary<WalEvent> events() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, WalEvent.MAX_SIGNAL_TYPE_ID),
        Arbitraries.integers().map(Float::intBitsToFloat), Arbitraries.longs()).as(WalEvent::new);
  }

  /** Events written with the format's encoder read back identically, bit for bit, with their header. */
  @Property(tries = 200)
  void encodeThenRead_givesBackTheSameBatch(@ForAll @Size(min = 1, max = 64) List<@net.jqwik.api.From("events") WalEvent> events,
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE / 2) long firstSequence, @ForAll long timestampNanos,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long anyMark) throws Exception {
    long durableSequence = anyMark % firstSequence;   // a durable mark is below the batch's first sequence
    try (TempTidalHome temp = TempTidalHome.create()) {
      ByteBuffer buffer = WalFormat.allocate(WalFormat.SEGMENT_HEADER_SIZE + WalFormat.batchSize(events.size()));
      WalFormat.writeSegmentHeader(buffer, firstSequence);
      int at = WalFormat.SEGMENT_HEADER_SIZE;
      for (int i = 0; i < events.size(); i++) {
        WalEvent e = events.get(i);
        WalFormat.putEvent(buffer, at + WalFormat.BATCH_HEADER_SIZE + i * WalFormat.EVENT_SIZE, e.entityId(),
            e.signalTypeId(), e.weight(), e.timestampNanos());
      }
      int size = WalFormat.sealBatch(buffer, at, new CRC32C(), events.size(), firstSequence, timestampNanos,
          durableSequence);
      assertEquals(WalFormat.batchSize(events.size()), size);
      byte[] bytes = new byte[buffer.capacity()];
      buffer.get(0, bytes);
      Files.write(temp.path().resolve(Segment.fileName(firstSequence)), bytes);

      List<WalEvent> read = new ArrayList<>();
      List<Long> sequences = new ArrayList<>();
      ScanResult result = WalReader.of(temp.path()).scan(batch -> {
        assertEquals(firstSequence, batch.firstSequence());
        assertEquals(timestampNanos, batch.timestampNanos());
        assertEquals(durableSequence, batch.durableSequence().orElseThrow());
        assertEquals(WalFormat.VERSION, batch.formatVersion());
        assertEquals(WalFormat.SEGMENT_HEADER_SIZE, batch.offset());
        read.addAll(batch.events());
        batch.forEach((seq, entity, type, weight, ts) -> sequences.add(seq));
      });
      assertTrue(result.isClean(), () -> result.problem().toString());
      assertEquals(events.size(), read.size());
      for (int i = 0; i < events.size(); i++) {
        WalEvent expected = events.get(i);
        WalEvent actual = read.get(i);
        assertEquals(expected.entityId(), actual.entityId());
        assertEquals(expected.signalTypeId(), actual.signalTypeId());
        assertEquals(Float.floatToRawIntBits(expected.weight()), Float.floatToRawIntBits(actual.weight()));
        assertEquals(expected.timestampNanos(), actual.timestampNanos());
        assertEquals(firstSequence + i, sequences.get(i));
      }
    }
  }

  /** One step of the model test. */
  sealed interface Op permits Append, Checkpoint, Reopen, TruncateBefore {}

  record Append(int events) implements Op {}

  record Checkpoint() implements Op {}

  record Reopen() implements Op {}

  record TruncateBefore() implements Op {}

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 60).map(Append::new)),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(new Checkpoint())),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(new Reopen())),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new TruncateBefore())));
    return op.list().ofMinSize(1).ofMaxSize(25);
  }

  /** Appends, checkpoints, truncations, closes and reopens agree with a list and a number. */
  @Property(tries = 40)
  void randomOperations_agreeWithASimpleModel(@ForAll("operations") List<Op> ops) {
    List<WalEvent> model = new ArrayList<>();
    long checkpoint = 0;
    long firstKept = 1;
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path dir = temp.path().resolve("wal");
      WalConfig config = WalTesting.fast(dir).segmentSize(1024).maxBatchEvents(16).build();
      Wal wal = Wal.open(config);
      try {
        for (Op op : ops) {
          if (op instanceof Append append) {
            for (int i = 0; i < append.events(); i++) {
              WalEvent event = WalTesting.event(model.size() + 1);
              model.add(event);
              assertEquals(model.size(), wal.append(event));
            }
          } else if (op instanceof Checkpoint) {
            checkpoint = model.size();
            wal.checkpoint(checkpoint);
          } else if (op instanceof TruncateBefore) {
            wal.truncateBefore(checkpoint + 1);
            firstKept = WalSegments.list(dir).isEmpty() ? 1 : WalSegments.list(dir).get(0).firstSequence();
            assertTrue(firstKept <= checkpoint + 1, "only what the checkpoint covers may go");
          } else {
            wal.close();
            wal = Wal.open(config);
            Recovery recovery = wal.recovery();
            assertEquals(model.size(), recovery.lastSequence());
            assertEquals(model.size() + 1, recovery.nextSequence());
            assertEquals(checkpoint, recovery.checkpoint().map(CheckpointMeta::sequence).orElse(0L));
            assertEquals(model.size() - checkpoint, recovery.eventsAfterCheckpoint());
            assertTrue(recovery.truncation().isEmpty());
          }
          assertEquals(model.size(), wal.lastSequence());
          assertEquals(WalSegments.list(dir).size(), wal.segmentCount());
          assertEquals(model.subList((int) checkpoint, model.size()),
              new ArrayList<>(WalTesting.replay(wal, checkpoint + 1).values()));
        }
      } finally {
        wal.close();
      }
      assertEquals(model.subList((int) firstKept - 1, model.size()), new ArrayList<>(WalTesting.readAll(dir).values()));
    }
  }
}

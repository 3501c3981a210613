package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ApplyOrderTest {

  /**
   * Threads holding sequences 11 to 50, started from the highest down, apply in sequence order:
   * each waits for the one before it, whatever order they arrive in.
   */
  @Test
  void applies_happenInSequenceOrderWhateverOrderTheirThreadsArrive() throws InterruptedException {
    ApplyOrder order = new ApplyOrder(10);
    List<Long> applied = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (long sequence = 50; sequence > 10; sequence--) {
      long mine = sequence;
      Thread thread = new Thread(() -> {
        order.awaitTurn(mine);
        try {
          applied.add(mine);
        } finally {
          order.done(mine);
        }
      }, "apply-order-test-" + sequence);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(30_000);
      assertFalse(thread.isAlive(), thread.getName() + " still waits for its turn");
    }
    assertEquals(LongStream.rangeClosed(11, 50).boxed().toList(), applied);
  }
}

package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ReadCounterTest {

  @Test
  void readsOfManyThreads_areCountedExactly() throws InterruptedException {
    ReadCounter counter = new ReadCounter();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 100_000; i++) {
          counter.increment();
        }
        counter.add(5);
      }, "reader-" + t);
      threads.add(thread);
      thread.start();
    }
    counter.add(3);
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(8 * 100_005 + 3, counter.sum(), "every read of every thread, joined, is in the sum");
  }

  @Test
  void moreLiveThreadsThanSlots_areCountedExactly_thoseSharingASlotThroughTheirOwnCells() throws Exception {
    ReadCounter counter = new ReadCounter();
    int threads = 200;   // more than the 64 slots by id: two or more live threads share every slot
    CountDownLatch counted = new CountDownLatch(threads);
    CountDownLatch end = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 1_000; i++) {
          counter.increment();
        }
        counted.countDown();
        try {
          end.await();   // alive while the others count, so that no slot is freed for them
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        counter.add(2);
      }, "sharing-" + t);
      started.add(thread);
      thread.start();
    }
    counted.await();
    assertEquals(threads * 1_000L, counter.sum(), "every live thread's reads, those sharing a slot among them");
    end.countDown();
    for (Thread thread : started) {
      thread.join();
    }
    assertEquals(threads * 1_002L, counter.sum());
  }

  @Test
  void threadsThatCameAndWent_keepTheirCountsButNotTheirCells() throws InterruptedException {
    ReadCounter counter = new ReadCounter();
    for (int t = 0; t < 1_000; t++) {
      Thread thread = new Thread(counter::increment, "short-lived-" + t);
      thread.start();
      thread.join();
    }
    assertTrue(counter.cells() <= 128, "cells of ended threads are swept as new ones come: " + counter.cells());
    assertEquals(1_000, counter.sum(), "an ended thread's reads stay counted");
    assertEquals(0, counter.cells(), "sum() swept every ended thread's cell");
    counter.increment();
    assertEquals(1_001, counter.sum(), "the calling thread's own read is counted at once");
  }
}

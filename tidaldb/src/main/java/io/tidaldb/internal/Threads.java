package io.tidaldb.internal;

/**
 * Waiting for a thread that is stopping. Not API: the {@code io.tidaldb.internal} packages are not
 * exported, and may change in any release.
 */
public final class Threads {

  private Threads() {}

  /**
   * Waits until {@code thread} has ended, however often the caller is interrupted meanwhile: a
   * close that returned early would leave the thread writing into files the caller then releases.
   * The interrupt is kept, and set again on return.
   *
   * @param thread a thread told to stop
   */
  public static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}

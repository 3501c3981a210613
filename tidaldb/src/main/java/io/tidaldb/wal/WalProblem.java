package io.tidaldb.wal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The first thing wrong with a log, as a reader found it: where, what kind, and why.
 *
 * <pre>{@code
 * ScanResult result = WalReader.of(home.wal()).verify();
 * result.problem().ifPresent(p -> System.err.println(p.kind() + " in " + p.file() + " at " + p.offset() + ": " + p.detail()));
 * }</pre>
 *
 * @param kind what kind of problem it is
 * @param file the segment where it is
 * @param offset the byte offset in {@code file} where the damaged or incomplete batch (or header) starts
 * @param detail what is wrong there, for a person
 */
public record WalProblem(Kind kind, Path file, long offset, String detail) {

  /** What kind of problem a reader found. */
  public enum Kind {
    /**
     * The last batch of the last segment is incomplete or damaged, and nothing valid follows: the
     * normal trace of a crash during a write. Recovery cuts it off; nothing acknowledged was in it.
     * Also damage followed only by batches whose durable marks show that none of it had been
     * fsynced: the trace of a power loss under the interval mode, which may keep a later write and
     * lose an earlier one; all of it is cut (events of the last interval, which that mode may lose).
     */
    TORN_TAIL,
    /**
     * Damage that a crash cannot explain: a damaged batch followed by valid data, damage in a segment
     * that is not the last, a missing segment, a header that is not one of ours.
     */
    CORRUPTION,
    /** A segment or batch in a format version newer than this build reads. */
    UNSUPPORTED_VERSION
  }

  /**
   * Checks the components.
   *
   * @param kind what kind of problem it is
   * @param file the segment where it is
   * @param offset the byte offset in {@code file} where the damaged or incomplete batch (or header) starts
   * @param detail what is wrong there, for a person
   */
  public WalProblem {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(detail, "detail");
    if (offset < 0) {
      throw new IllegalArgumentException("offset " + offset + " is negative");
    }
  }
}

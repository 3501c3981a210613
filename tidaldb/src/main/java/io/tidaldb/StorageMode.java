package io.tidaldb;

/**
 * Where a {@link TidalDb} keeps its data.
 */
public enum StorageMode {
  /** Memory only: nothing touches the disk, and everything is gone on {@code close()}. */
  EPHEMERAL,
  /** A home directory on disk, with a write-ahead log; the data survives close, crash and reopen. */
  PERSISTENT
}

package io.tidaldb.internal.home;

import io.tidaldb.ConfigException;
import io.tidaldb.HomeInUseException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalHome;
import io.tidaldb.internal.HomeLock;
import io.tidaldb.wal.CheckpointMeta;
import io.tidaldb.wal.WalSegments;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Opening a persistent home: its directories made, checked and locked, before the signal engine
 * reads it. {@code TidalDb.open()} calls it; {@code io.tidaldb.inspect.HomeChecks} reads the same
 * check without opening. Not API: the {@code io.tidaldb.internal} packages are not exported.
 */
public final class HomeOpening {

  /** The directories a database creates and uses; the others of the layout are reserved ({@link TidalHome.Dir#inUse()}). */
  private static final List<TidalHome.Dir> USED = Stream.of(TidalHome.Dir.values()).filter(TidalHome.Dir::inUse).toList();

  private HomeOpening() {}

  /**
   * Creates the directories a database uses (the base and the log; not the reserved ones) and takes
   * the locks (each handed to {@code resources} as soon as it is held),
   * turning unusable directories into clear errors. The WAL directory is locked too, also where it is
   * the default {@code base/wal}: another home's {@code walDir} may name it.
   *
   * @param home the home to open
   * @param now when, for the lock files' stamps
   * @param resources takes each lock as soon as it is held, to release it with the database
   * @return the home's lock, then the WAL directory's (one lock when the WAL directory is the base)
   * @throws ConfigException if a directory of the layout is unusable, naming the builder setting
   * @throws HomeInUseException if another database holds the home or its WAL directory
   */
  public static List<HomeLock> lock(TidalHome home, Instant now, Consumer<? super HomeLock> resources) {
    for (TidalHome.Dir dir : USED) {
      Path path = home.path(dir);
      if (Files.exists(path) && !Files.isDirectory(path)) {
        throw new ConfigException(origin(home, dir) + ": " + path + " is a regular file, not a directory");
      }
    }
    Path base = home.base();
    try {
      Files.createDirectories(base);
    } catch (IOException e) {
      throw new ConfigException("dataDir(" + base + ") cannot be created: " + StorageException.describe(e), e);
    }
    if (!Files.isWritable(base)) {
      throw new ConfigException("dataDir(" + base + ") is not writable; give a directory this process may write");
    }
    HomeLock lock;
    try {
      lock = HomeLock.acquire(home, now);
    } catch (StorageException e) {
      if (e.getCause() instanceof FileSystemException) {
        throw new ConfigException("dataDir(" + base + ") is not writable: " + e.getMessage(), e);
      }
      throw e;
    }
    resources.accept(lock);
    for (TidalHome.Dir dir : USED) {
      Path path = home.path(dir);
      try {
        Files.createDirectories(path);
      } catch (IOException e) {
        throw new ConfigException(origin(home, dir) + ": cannot create " + path + ": " + StorageException.describe(e), e);
      }
    }
    if (home.walLockFile().equals(home.lockFile())) {
      return List.of(lock);
    }
    Optional<String> missingLog = missingLog(home);
    if (missingLog.isPresent()) {
      throw new ConfigException(missingLog.get());
    }
    HomeLock walLock;
    try {
      walLock = HomeLock.acquireWal(home, now);
    } catch (StorageException e) {
      if (e.getCause() instanceof FileSystemException) {
        throw new ConfigException(origin(home, TidalHome.Dir.WAL) + " is not writable: " + e.getMessage(), e);
      }
      throw e;
    }
    resources.accept(walLock);
    return List.of(lock, walLock);
  }

  /** The builder setting a directory of the layout comes from, with its value. */
  private static String origin(TidalHome home, TidalHome.Dir dir) {
    Path path = home.path(dir);
    if (dir == TidalHome.Dir.WAL && !path.equals(TidalHome.at(home.base()).wal())) {
      return "walDir(" + path + ")";
    }
    if (dir == TidalHome.Dir.CACHE && !path.equals(TidalHome.at(home.base()).cache())) {
      return "cacheDir(" + path + ")";
    }
    return "dataDir(" + home.base() + ")";
  }

  /**
   * Why the write-ahead log directory cannot be this home's own, if it cannot: the WAL directory
   * holds no log segment and no {@code checkpoint.meta} (a volume that did not mount, a
   * {@code walDir} setting that was lost), yet the home shows it had one: the base directory holds a
   * ledger snapshot past sequence 0 (only a checkpoint of a log with events writes one), or it holds
   * a {@code SCHEMA} while the WAL directory lacks the {@code LOCK} file that every open of the home
   * leaves there ({@link TidalHome#walLockFile()}). Opened as it is, the home would read as empty, restart its
   * sequences at 1, and its checkpoints would cover the home's snapshot with an empty one; so
   * {@code open()} refuses it, before it locks the WAL directory. A home that was opened but never
   * written leaves its {@code SCHEMA}, and a WAL directory with only its {@code LOCK}, and passes.
   * Reads both directories; writes nothing.
   *
   * @param home the home
   * @return what is wrong, naming both directories and what to do; empty if the WAL directory may be
   *     the home's own
   * @throws StorageException if a directory cannot be read
   */
  public static Optional<String> missingLog(TidalHome home) {
    if (!WalSegments.list(home.wal()).isEmpty() || Files.exists(home.wal().resolve(CheckpointMeta.FILE_NAME))) {
      return Optional.empty();
    }
    List<Path> snapshots = home.ledgerSnapshots();
    Path newest = snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    String evidence;
    if (newest != null && TidalHome.ledgerSnapshotSequence(newest).getAsLong() > 0) {
      evidence = "holds a ledger snapshot up to sequence " + TidalHome.ledgerSnapshotSequence(newest).getAsLong() + " ("
          + newest.getFileName() + ")";
    } else if (Files.exists(home.schemaFile()) && !Files.exists(home.walLockFile())) {
      evidence = "holds a " + TidalHome.SCHEMA_FILE_NAME + " (it was opened before), while the WAL directory lacks the "
          + TidalHome.LOCK_FILE_NAME + " file every open leaves there";
    } else {
      return Optional.empty();
    }
    return Optional.of("the home " + home.base() + " " + evidence + ", but the WAL directory " + home.wal()
        + " holds no log segment and no " + CheckpointMeta.FILE_NAME + ": it is not this home's log (a volume that did"
        + " not mount? a walDir setting that was lost?). Point walDir at the directory that holds this home's log;"
        + " if the log is lost, restore the WAL directory from a backup");
  }

}

package io.tidaldb.internal;

import io.tidaldb.HomeInUseException;
import io.tidaldb.StorageException;
import io.tidaldb.TidalDbException;
import io.tidaldb.TidalHome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An exclusive lock on a {@code LOCK} file, held while a database is open: the home's
 * ({@link #acquire}), and the write-ahead log directory's ({@link #acquireWal}), so that neither a
 * home nor a WAL directory is ever written by two databases.
 *
 * <p>POSIX record locks belong to the process, and closing <em>any</em> descriptor of the file
 * releases them all. So within one JVM a second channel on a held {@code LOCK} file must never be
 * opened (and closed): a process-wide registry of held locks answers for this JVM first, and only
 * then is the file touched. Acquiring, probing and releasing are serialised on one JVM-wide
 * monitor, so that a probe's short-lived channel can never be closed while this JVM holds the lock.
 *
 * <p>Not API: the {@code io.tidaldb.internal} packages may change in any release.
 */
public final class HomeLock implements AutoCloseable {

  /** Held locks of this JVM: the {@code LOCK} file's real path, and who opened it. Guarded by the class. */
  private static final Map<Path, String> HELD = new HashMap<>();

  /**
   * The most a {@code LOCK} file's stamp ("pid=...", "since=...") is read of: a file grown larger is
   * junk, and its holder is then not named.
   */
  private static final int MAX_STAMP_BYTES = 4096;

  /** A probe by {@code tidalctl} holds a shared lock for microseconds; ride over it. */
  private static final long CONTENDED_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** What to do about a lock file that is gone or replaced. */
  private static final String RELOCK = ": this database no longer keeps other processes out. Make sure no other"
      + " process uses the home, then close this database and open it again, which locks it anew";

  private final Path file;
  /** The directory the lock file is in, as health messages name it: "the home directory /x". */
  private final String dirName;
  private final Path key;
  private final Object fileKey;
  private final FileChannel channel;
  private final FileLock lock;

  private HomeLock(Path file, String dirName, Path key, Object fileKey, FileChannel channel, FileLock lock) {
    this.file = file;
    this.dirName = dirName;
    this.key = key;
    this.fileKey = fileKey;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the home's lock, creating the {@code LOCK} file if needed, and records this process's id
   * in it.
   *
   * @throws HomeInUseException if another database in this JVM or another process holds it
   * @throws StorageException if the file cannot be created or locked
   */
  public static HomeLock acquire(TidalHome home, Instant now) {
    return acquire(home.lockFile(), now, home.base(), "the home", "the home directory",
        " A home admits one open TidalDb at a time; close the other one, or open another dataDir.");
  }

  /**
   * Takes the lock of the home's write-ahead log directory ({@link TidalHome#walLockFile()}), which
   * must exist: another home whose {@code walDir} is the same directory is then refused.
   *
   * @throws HomeInUseException if another database in this JVM or another process holds it
   * @throws StorageException if the file cannot be created or locked
   */
  public static HomeLock acquireWal(TidalHome home, Instant now) {
    return acquire(home.walLockFile(), now, home.wal(), "the WAL directory", "the WAL directory",
        " Two homes cannot share a WAL directory: give the home " + home.base() + " a walDir of its own, or close"
            + " the database that uses this one.");
  }

  /**
   * Takes the lock of a log directory for a {@code Wal} opened on its own ({@code Wal.open}), unless
   * this JVM holds it already: a {@code TidalDb} of this JVM, whose log this is (the {@code Wal}'s
   * own one-open-log-per-directory rule then keeps a second writer out).
   *
   * @param dir the log directory, which exists
   * @param now when, for the lock file's stamp
   * @return the lock to release when the log closes, or empty if this JVM holds it already
   * @throws HomeInUseException if another process holds it: a live database or another log writer
   * @throws StorageException if the file cannot be created or locked
   */
  public static synchronized Optional<HomeLock> acquireLog(Path dir, Instant now) {
    Path file = dir.resolve(TidalHome.LOCK_FILE_NAME);
    try {
      if (Files.exists(file) && HELD.containsKey(file.toRealPath())) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new StorageException("cannot lock the WAL directory " + dir + " (" + file + ")", e);
    }
    return Optional.of(acquire(file, now, dir, "the WAL directory", "the WAL directory",
        " A log has one writer: a Wal cannot append to the log of an open database or of another Wal. Close it"
            + " first, or read the log without writing it (WalReader, tidalctl wal dump)."));
  }

  private static synchronized HomeLock acquire(Path file, Instant now, Path dir, String kind, String dirKind,
      String advice) {
    String what = kind + " " + dir;
    try {
      if (!Files.exists(file)) {
        Files.write(file, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      }
      Path key = file.toRealPath();
      long pid = ProcessHandle.current().pid();
      String owner = "pid " + pid + " since " + now;
      String previous = HELD.putIfAbsent(key, owner);
      if (previous != null) {
        throw inUse(dir, what, "another TidalDb in this JVM (" + previous + ") holds it", advice);
      }
      try {
        FileChannel channel = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = tryLockExclusive(channel);
        if (lock == null) {
          String holder = readOwnerPid(key).map(p -> "process " + p).orElse("another process");
          channel.close();
          throw inUse(dir, what, holder + " holds it", advice);
        }
        byte[] stamp = ("pid=" + pid + "\nsince=" + now + "\n").getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(stamp), 0);
        channel.force(true);
        Object fileKey = Files.readAttributes(key, BasicFileAttributes.class).fileKey();
        return new HomeLock(file, dirKind + " " + dir, key, fileKey, channel, lock);
      } catch (IOException | RuntimeException e) {
        HELD.remove(key);
        throw e;
      }
    } catch (IOException e) {
      throw new StorageException("cannot lock " + what + " (" + file + ")", e);
    }
  }

  private static FileLock tryLockExclusive(FileChannel channel) throws IOException {
    long deadline = System.nanoTime() + CONTENDED_RETRY_NANOS;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null || System.nanoTime() - deadline > 0) {
        return lock;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static HomeInUseException inUse(Path dir, String what, String who, String advice) {
    return new HomeInUseException(dir, what + " is in use: " + who + "." + advice);
  }

  /**
   * Whether a home's lock is held, read without creating or writing anything.
   *
   * @param inUse whether a database (or a {@code Wal}) holds it
   * @param ownerPid the holder's process id, where known
   */
  public record Holder(boolean inUse, Optional<Long> ownerPid) {}

  /**
   * Reads a home's lock state without creating or writing anything: a held lock of this JVM from the
   * registry, else a shared, non-blocking probe of an existing {@code LOCK} file, released at once.
   *
   * @param home the home
   * @return whether it is held, and by which process where known
   * @throws StorageException if the file cannot be read
   */
  public static synchronized Holder probe(TidalHome home) {
    Path file = home.lockFile();
    Path key;
    try {
      key = file.toRealPath();
    } catch (NoSuchFileException e) {
      return new Holder(false, Optional.empty());
    } catch (IOException e) {
      throw new StorageException("cannot read " + file, e);
    }
    if (HELD.containsKey(key)) {
      return new Holder(true, Optional.of(ProcessHandle.current().pid()));
    }
    try (FileChannel channel = FileChannel.open(key, StandardOpenOption.READ)) {
      FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
      if (shared == null) {
        return new Holder(true, readOwnerPid(key));
      }
      shared.release();
      return new Holder(false, Optional.empty());
    } catch (IOException e) {
      throw new StorageException("cannot probe the lock " + file, e);
    }
  }

  private static Optional<Long> readOwnerPid(Path file) {
    try {
      Optional<byte[]> stamp = DurableFiles.readIfPresent(file, "the LOCK file", MAX_STAMP_BYTES);
      for (String line : new String(stamp.orElse(new byte[0]), StandardCharsets.US_ASCII).split("\n")) {
        if (line.startsWith("pid=")) {
          return Optional.of(Long.parseLong(line.substring(4).trim()));
        }
      }
    } catch (TidalDbException | NumberFormatException e) {
      // The holder's id is a courtesy; the lock itself is what matters.
    }
    return Optional.empty();
  }

  /** Whether the operating-system lock is still held through an open channel. */
  public boolean isValid() {
    return lock.isValid() && channel.isOpen();
  }

  /**
   * What is wrong with this lock now: the operating-system lock released, the {@code LOCK} file
   * deleted or replaced by another file (then another process can lock the new one and write beside
   * this database), or its whole directory gone. Costs one {@code stat} of the file (two when it is
   * missing).
   *
   * @return the problem, naming the file, or empty while the lock holds
   */
  public Optional<String> problem() {
    if (!isValid()) {
      return Optional.of("the lock on " + file + " was lost");
    }
    Object now;
    try {
      now = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      if (!Files.isDirectory(file.getParent())) {
        return Optional.of(dirName + " is gone");
      }
      return Optional.of("the lock file " + file + " was deleted" + RELOCK);
    } catch (IOException e) {
      return Optional.of("cannot check the lock file " + file + ": " + StorageException.describe(e));
    }
    if (fileKey != null && !fileKey.equals(now)) {
      return Optional.of("the lock file " + file + " was replaced by another file" + RELOCK);
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    synchronized (HomeLock.class) {
      release();
    }
  }

  private void release() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new StorageException("cannot release the lock " + key, e);
    } finally {
      HELD.remove(key);
    }
  }
}

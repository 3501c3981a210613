package io.tidaldb;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The directory layout of a tidalDB home: the single source of truth for where every file lives.
 *
 * <pre>{@code
 * TidalHome home = TidalHome.at(Path.of("/var/lib/tidaldb"));
 * home.wal();        // /var/lib/tidaldb/wal
 * home.ensureAll();  // creates base, wal, items, users, creators and cache
 * }</pre>
 *
 * <p>A home has a base directory and five directories under it ({@link Dir}): the write-ahead log,
 * and {@code items}, {@code users}, {@code creators} and {@code cache}, which are reserved for later
 * versions ({@link Dir#inUse()}): a database opens and creates the base and the log only. The log
 * and the cache may be moved elsewhere with {@link #withWal(Path)} and {@link #withCache(Path)},
 * which is what {@link TidalDbBuilder#walDir(Path)} and {@link TidalDbBuilder#cacheDir(Path)} do.
 * The {@code LOCK} file that marks a home in use always lives in the base directory, and so do the
 * files that keep the signal ledger: {@code SCHEMA} (the signals the home was opened with) and the
 * ledger snapshots {@code ledger-<sequence>.snap} written at checkpoints. The WAL directory has a
 * {@code LOCK} file of its own ({@link #walLockFile()}), wherever it is:
 *
 * <pre>
 * base/
 *   LOCK                                held while a TidalDb is open
 *   SCHEMA                              the stored schema (docs/SIGNALS.md)
 *   ledger-00000000000000001234.snap    the ledger as of WAL sequence 1234 (docs/SIGNALS.md)
 *   wal/LOCK                            held with base/LOCK, so that no two homes share a WAL directory
 *   wal/ items/ users/ creators/ cache/
 * </pre>
 *
 * <p>Instances are immutable and hold absolute, normalised paths. Nothing is read or written on the
 * file system until a method says it does ({@link #ensureAll()}, {@link #exists(Dir)},
 * {@link #ledgerSnapshots()}); whether a home is in use is read by
 * {@code io.tidaldb.inspect.HomeChecks.lockStatus(home)}.
 */
public final class TidalHome {

  /**
   * The name of the lock file in the base directory, and of the one in the WAL directory
   * ({@link #walLockFile()}).
   */
  public static final String LOCK_FILE_NAME = "LOCK";

  /** The name of the file in the base directory that stores the home's schema. */
  public static final String SCHEMA_FILE_NAME = "SCHEMA";

  /** The suffix of a file being written, before it is renamed over its final name. */
  public static final String TEMP_SUFFIX = ".tmp";

  /** The directories of a home, in the order tools list them. */
  public enum Dir {
    /** The base directory, holding the others by default and the {@code LOCK} file. */
    BASE("base"),
    /** The write-ahead log: segments and {@code checkpoint.meta}. */
    WAL("wal"),
    /** Reserved for state kept per item entity; no version uses it yet, and {@code open()} does not create it. */
    ITEMS("items"),
    /** Reserved for state kept per user entity; no version uses it yet, and {@code open()} does not create it. */
    USERS("users"),
    /** Reserved for state kept per creator entity; no version uses it yet, and {@code open()} does not create it. */
    CREATORS("creators"),
    /** Reserved for disposable, rebuildable data; no version uses it yet, and {@code open()} does not create it. */
    CACHE("cache");

    /** {@return whether a database uses this directory: the base and the log; the others are reserved} */
    public boolean inUse() {
      return this == BASE || this == WAL;
    }

    private final String key;

    Dir(String key) {
      this.key = key;
    }

    /**
     * The directory's name as tools print it, and its default name under the base directory.
     *
     * @return a lowercase name such as {@code "wal"}
     */
    public String key() {
      return key;
    }
  }

  private final Map<Dir, Path> paths;

  private TidalHome(Map<Dir, Path> paths) {
    this.paths = Collections.unmodifiableMap(paths);
  }

  /**
   * The default layout under {@code base}: {@code base/wal}, {@code base/items}, ...
   *
   * @param base the home's base directory; made absolute and normalised
   * @return the layout
   */
  public static TidalHome at(Path base) {
    Objects.requireNonNull(base, "base");
    Path root = base.toAbsolutePath().normalize();
    EnumMap<Dir, Path> paths = new EnumMap<>(Dir.class);
    paths.put(Dir.BASE, root);
    for (Dir dir : Dir.values()) {
      if (dir != Dir.BASE) {
        paths.put(dir, root.resolve(dir.key()));
      }
    }
    return new TidalHome(paths);
  }

  /**
   * The same layout with the write-ahead log in {@code wal} instead of {@code base/wal}.
   *
   * @param wal the directory for the write-ahead log; made absolute and normalised
   * @return a new layout
   */
  public TidalHome withWal(Path wal) {
    return with(Dir.WAL, wal);
  }

  /**
   * The same layout with the cache in {@code cache} instead of {@code base/cache}.
   *
   * @param cache the directory for the cache; made absolute and normalised
   * @return a new layout
   */
  public TidalHome withCache(Path cache) {
    return with(Dir.CACHE, cache);
  }

  private TidalHome with(Dir dir, Path path) {
    Objects.requireNonNull(path, dir.key());
    EnumMap<Dir, Path> copy = new EnumMap<>(paths);
    copy.put(dir, path.toAbsolutePath().normalize());
    return new TidalHome(copy);
  }

  /** {@return the base directory} */
  public Path base() {
    return paths.get(Dir.BASE);
  }

  /** {@return the write-ahead log's directory} */
  public Path wal() {
    return paths.get(Dir.WAL);
  }

  /** {@return the directory for item state} */
  public Path items() {
    return paths.get(Dir.ITEMS);
  }

  /** {@return the directory for user state} */
  public Path users() {
    return paths.get(Dir.USERS);
  }

  /** {@return the directory for creator state} */
  public Path creators() {
    return paths.get(Dir.CREATORS);
  }

  /** {@return the cache directory} */
  public Path cache() {
    return paths.get(Dir.CACHE);
  }

  /** {@return the {@code LOCK} file in the base directory} */
  public Path lockFile() {
    return base().resolve(LOCK_FILE_NAME);
  }

  /**
   * The lock file in the write-ahead log's directory: {@code wal/LOCK}, or {@code LOCK} in the
   * {@code walDir} the builder gave. An open {@link TidalDb} holds it as it holds {@link #lockFile()},
   * so that two homes can never share a WAL directory. It is {@link #lockFile()} itself when the WAL
   * directory is the base directory.
   *
   * @return the WAL directory's lock file
   */
  public Path walLockFile() {
    return wal().resolve(LOCK_FILE_NAME);
  }

  /** {@return the file in the base directory that stores the home's schema} */
  public Path schemaFile() {
    return base().resolve(SCHEMA_FILE_NAME);
  }

  /**
   * The ledger snapshot that covers the write-ahead log up to {@code sequence}: {@code
   * base/ledger-{sequence:020}.snap}. A checkpoint at sequence {@code n} writes this file for
   * {@code n} before it records {@code n} in {@code checkpoint.meta}.
   *
   * @param sequence the last WAL sequence the snapshot reflects, at least 0
   * @return the file's path
   * @throws IllegalArgumentException if {@code sequence} is negative
   */
  public Path ledgerSnapshot(long sequence) {
    return base().resolve(new SnapshotFile(sequence).fileName());
  }

  /**
   * The sequence a ledger snapshot's file name carries.
   *
   * @param file a path
   * @return the sequence, or empty if the file name is not exactly a ledger snapshot's
   */
  public static OptionalLong ledgerSnapshotSequence(Path file) {
    return SnapshotFile.parse(file).map(f -> OptionalLong.of(f.sequence())).orElse(OptionalLong.empty());
  }

  /**
   * The ledger snapshot files in the base directory, by sequence, oldest first. Reads the directory;
   * writes nothing.
   *
   * @return the snapshot files (regular files named like {@link #ledgerSnapshot(long)}); empty if the
   *     base directory does not exist
   * @throws StorageException if the base directory cannot be read
   */
  public List<Path> ledgerSnapshots() {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(base())) {
      for (Path entry : entries) {
        if (ledgerSnapshotSequence(entry).isPresent() && Files.isRegularFile(entry)) {
          found.add(entry);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new StorageException("cannot list the home directory " + base(), e);
    }
    found.sort(Comparator.comparingLong(p -> ledgerSnapshotSequence(p).getAsLong()));
    return List.copyOf(found);
  }

  /**
   * One directory of the layout.
   *
   * @param dir which directory
   * @return its absolute path
   */
  public Path path(Dir dir) {
    return paths.get(Objects.requireNonNull(dir, "dir"));
  }

  /**
   * Every directory of the layout, in {@link Dir} order.
   *
   * @return an unmodifiable map from directory to absolute path
   */
  public Map<Dir, Path> paths() {
    return paths;
  }

  /**
   * Whether one directory of the layout exists (as a directory) right now.
   *
   * @param dir which directory
   * @return true if it exists and is a directory
   */
  public boolean exists(Dir dir) {
    return Files.isDirectory(path(dir));
  }

  /**
   * Which directories of the layout exist right now, in {@link Dir} order.
   *
   * @return an unmodifiable map from directory to whether it exists as a directory
   */
  public Map<Dir, Boolean> existence() {
    EnumMap<Dir, Boolean> result = new EnumMap<>(Dir.class);
    for (Dir dir : Dir.values()) {
      result.put(dir, exists(dir));
    }
    return Collections.unmodifiableMap(result);
  }

  /**
   * Creates every directory of the layout that is missing (and their parents).
   *
   * @return this layout
   * @throws StorageException if a directory cannot be created, or a regular file stands in its place
   */
  public TidalHome ensureAll() {
    for (Dir dir : Dir.values()) {
      Path path = path(dir);
      try {
        Files.createDirectories(path);
      } catch (IOException e) {
        throw new StorageException("cannot create the " + dir.key() + " directory " + path, e);
      }
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TidalHome other && paths.equals(other.paths);
  }

  @Override
  public int hashCode() {
    return paths.hashCode();
  }

  @Override
  public String toString() {
    return "TidalHome" + paths;
  }
}

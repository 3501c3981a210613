package io.tidaldb;

import java.io.IOException;
import io.tidaldb.metrics.MetricsRuntime;
import java.lang.ref.Cleaner;
import java.net.InetSocketAddress;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An open tidalDB database: the handle an application embeds.
 *
 * <pre>{@code
 * try (TidalDb db = TidalDb.builder()
 *         .dataDir(Path.of("/var/lib/tidaldb"))
 *         .open()) {
 *   db.healthCheck();
 * }
 * }</pre>
 *
 * <p><strong>Close every database you open</strong>, best with try-with-resources: a persistent
 * database holds its home's lock, files and threads until {@link #close()}. A handle that becomes
 * unreachable without {@code close()} is released by a cleaner when the garbage collector finds it,
 * with a warning that names where it was opened; do not rely on that.
 *
 * <p>A {@code TidalDb} is thread-safe. {@code close()} may be called from any thread, any number of
 * times; when any call returns, everything the database held is released. Using the database after
 * {@code close()} throws {@link DatabaseClosedException}.
 */
public final class TidalDb implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(TidalDb.class.getName());

  private final Config config;
  private final Resources resources;
  private final Cleaner.Cleanable cleanable;
  private final Instant openedAt;
  private final HomeLock lock;
  private volatile Optional<InetSocketAddress> metricsAddress = Optional.empty();

  private TidalDb(Config config, Resources resources, Instant openedAt, HomeLock lock) {
    this.config = config;
    this.resources = resources;
    this.openedAt = openedAt;
    this.lock = lock;
    this.cleanable = Resources.CLEANER.register(this, resources);
  }

  /**
   * Starts configuring a database.
   *
   * @return a new builder
   */
  public static TidalDbBuilder builder() {
    return new TidalDbBuilder();
  }

  static TidalDb open(Config config) {
    Instant openedAt = config.clock().instant();
    Optional<TidalHome> home = config.home();
    String description = home.map(h -> "TidalDb(" + h.base() + ")").orElse("TidalDb(ephemeral)");
    Resources resources = new Resources(description, new Throwable("opened here"));
    try {
      HomeLock lock = null;
      if (home.isPresent()) {
        lock = prepareHome(home.get(), openedAt);
        resources.add(lock);
      }
      TidalDb db = new TidalDb(config, resources, openedAt, lock);
      db.startMetrics();
      LOG.log(System.Logger.Level.DEBUG, () -> "opened " + description);
      return db;
    } catch (RuntimeException e) {
      resources.closeAfterFailedOpen(e);
      throw e;
    }
  }

  /** Binds the host's registry and starts the endpoint; on failure, closes what the database holds. */
  private void startMetrics() {
    try {
      metricsAddress = MetricsRuntime.start(this, resources::add);
    } catch (RuntimeException e) {
      try {
        close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Creates the layout and takes the lock, turning unusable directories into clear errors. */
  private static HomeLock prepareHome(TidalHome home, Instant now) {
    for (TidalHome.Dir dir : TidalHome.Dir.values()) {
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
    for (TidalHome.Dir dir : TidalHome.Dir.values()) {
      Path path = home.path(dir);
      try {
        Files.createDirectories(path);
      } catch (IOException e) {
        lock.close();
        throw new ConfigException(origin(home, dir) + ": cannot create " + path + ": " + StorageException.describe(e), e);
      }
    }
    return lock;
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
   * The settings this database was opened with.
   *
   * @return the resolved settings
   */
  public Config config() {
    return config;
  }

  /**
   * The directory layout of a persistent database.
   *
   * @return the layout, or empty for an ephemeral database
   */
  public Optional<TidalHome> home() {
    return config.home();
  }

  /**
   * The time since {@code open()}, by the configured clock.
   *
   * @return the uptime, never negative
   */
  public Duration uptime() {
    Duration uptime = Duration.between(openedAt, config.clock().instant());
    return uptime.isNegative() ? Duration.ZERO : uptime;
  }

  /**
   * Checks that the database can do its work: it is open, and for a persistent database the home
   * directory is still there and its lock still held.
   *
   * @throws DatabaseClosedException if the database is closed
   * @throws TidalDbException naming what is wrong, if it is not healthy
   */
  public void healthCheck() {
    requireOpen();
    if (lock != null) {
      TidalHome home = config.home().orElseThrow();
      if (!Files.isDirectory(home.base())) {
        throw new TidalDbException("unhealthy: the home directory " + home.base() + " is gone");
      }
      if (!lock.isValid()) {
        throw new TidalDbException("unhealthy: the lock on " + home.lockFile() + " was lost");
      }
    }
  }

  /**
   * Where {@code /metrics} and {@code /healthz} listen, with the port chosen for port 0. The address
   * stays readable after {@code close()}, which closes the port.
   *
   * @return the endpoint's address, or empty without {@link TidalDbBuilder#enableMetrics(String)}
   */
  public Optional<InetSocketAddress> metricsAddress() {
    return metricsAddress;
  }

  /**
   * Whether {@link #close()} has been called.
   *
   * @return true once the database is closed or closing
   */
  public boolean isClosed() {
    return resources.isClosing();
  }

  private void requireOpen() {
    if (resources.isClosing()) {
      throw new DatabaseClosedException(resources.description());
    }
  }

  /**
   * Releases everything the database holds: its lock, files and threads. Idempotent, and safe to
   * call from any thread; every call returns only once the release is complete.
   */
  @Override
  public void close() {
    boolean first = resources.markClosedByUser();
    cleanable.clean();
    resources.awaitReleased(first);
  }

  @Override
  public String toString() {
    return resources.description() + (isClosed() ? " [closed]" : "");
  }
}

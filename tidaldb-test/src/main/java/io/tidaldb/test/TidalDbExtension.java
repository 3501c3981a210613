package io.tidaldb.test;

import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbBuilder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that opens a fresh {@link TidalDb} before each test and closes it after, so
 * no test sees another's data.
 *
 * <pre>{@code
 * class ScoresTest {
 *   static final Schema SCHEMA = Schema.builder()
 *       .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
 *       .build();
 *   static final ManualClock CLOCK = ManualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 *
 *   @RegisterExtension
 *   final TidalDbExtension tidal = TidalDbExtension.ephemeral(SCHEMA).configure(b -> b.clock(CLOCK));
 *
 *   @Test
 *   void aViewCounts(TidalDb db) {            // injected, or tidal.db()
 *     db.signal("view", 42L, 1.0, CLOCK.instant());
 *     assertEquals(1.0, db.decayScore("view", 42L, CLOCK.instant()));
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #ephemeral(Schema)} keeps everything in memory; {@link #temporaryHome(Schema)} opens the
 * database in a {@link TempTidalHome}, deleted with everything in it after the test (kept, and its
 * path printed, with {@code -Dtidaldb.test.keepHomes=true}), and {@link #reopen()} closes and opens
 * it again in the same home to test what survives a restart.
 *
 * <p>Register it on a non-private field with {@code @RegisterExtension}. A test method may declare a
 * {@link TidalDb} parameter to receive the test's database; {@link #db()} returns the same one. An
 * extension is immutable in its settings and may be {@code static}, but {@link #db()} then refers
 * to the test running last: with tests running in parallel use an instance field or the parameter.
 */
public final class TidalDbExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TidalDbExtension.class);

  private final Schema schema;
  private final boolean onDisk;
  private final Consumer<? super TidalDbBuilder> settings;
  private volatile Opened current;

  private TidalDbExtension(Schema schema, boolean onDisk, Consumer<? super TidalDbBuilder> settings) {
    this.schema = schema;
    this.onDisk = onDisk;
    this.settings = settings;
  }

  /**
   * An in-memory database per test ({@link TidalDbBuilder#ephemeral()}): nothing touches the disk.
   *
   * @param schema the signals each test's database declares
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static TidalDbExtension ephemeral(Schema schema) {
    return new TidalDbExtension(Objects.requireNonNull(schema, "schema"), false, builder -> {});
  }

  /**
   * A database per test in a fresh temporary home, deleted after the test: for code that reads the
   * home, takes checkpoints, or must survive a {@link #reopen()}.
   *
   * @param schema the signals each test's database declares
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static TidalDbExtension temporaryHome(Schema schema) {
    return new TidalDbExtension(Objects.requireNonNull(schema, "schema"), true, builder -> {});
  }

  /**
   * More settings for each test's database, applied after the storage and the schema, for example
   * {@code configure(b -> b.clock(clock).maxEntries(100))}. Storage and schema are the extension's:
   * setting them again fails when the test starts, as the builder accepts each setting once.
   *
   * @param more the settings, applied to the builder of every database this extension opens
   * @return a new extension with these settings after the ones already given
   */
  public TidalDbExtension configure(Consumer<? super TidalDbBuilder> more) {
    Objects.requireNonNull(more, "more");
    Consumer<? super TidalDbBuilder> before = settings;
    return new TidalDbExtension(schema, onDisk, builder -> {
      before.accept(builder);
      more.accept(builder);
    });
  }

  /**
   * The running test's database.
   *
   * @return the database opened for the running test
   * @throws IllegalStateException outside a test (for example in a {@code @BeforeAll} method)
   */
  public TidalDb db() {
    return opened("db()").db;
  }

  /**
   * The running test's home directory.
   *
   * @return the base directory of the temporary home
   * @throws IllegalStateException outside a test, or if the database is ephemeral
   */
  public Path home() {
    Opened now = opened("home()");
    if (now.home == null) {
      throw new IllegalStateException("an ephemeral database has no home: register TidalDbExtension.temporaryHome(schema) to get one");
    }
    return now.home.path();
  }

  /**
   * Closes the running test's database and opens it again in the same home, as a restart would:
   * what was written before comes back from the home's checkpoint and log.
   *
   * @return the reopened database, which {@link #db()} and the extension's cleanup now refer to
   * @throws IllegalStateException outside a test, or if the database is ephemeral (a restart loses everything)
   */
  public TidalDb reopen() {
    Opened now = opened("reopen()");
    if (now.home == null) {
      throw new IllegalStateException("an ephemeral database cannot be reopened (its data is gone on close): register TidalDbExtension.temporaryHome(schema)");
    }
    now.db.close();
    now.db = open(now.home);
    return now.db;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    TempTidalHome home = onDisk ? TempTidalHome.create() : null;
    Opened opened;
    try {
      opened = new Opened(open(home), home);
    } catch (RuntimeException e) {
      if (home != null) {
        home.close();
      }
      throw e;
    }
    context.getStore(NAMESPACE).put(this, opened);
    current = opened;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Opened opened = context.getStore(NAMESPACE).remove(this, Opened.class);
    if (current == opened) {
      current = null;
    }
    if (opened != null) {
      opened.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TidalDb.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Opened opened = context.getStore(NAMESPACE).get(this, Opened.class);
    if (opened == null) {
      throw new IllegalStateException("no TidalDb is open here: TidalDbExtension injects one into test methods"
          + " (and @BeforeEach/@AfterEach methods), not into constructors or @BeforeAll methods");
    }
    return opened.db;
  }

  private TidalDb open(TempTidalHome home) {
    TidalDbBuilder builder = TidalDb.builder();
    if (home == null) {
      builder.ephemeral();
    } else {
      builder.dataDir(home.path());
    }
    builder.schema(schema);
    settings.accept(builder);
    return builder.open();
  }

  private Opened opened(String what) {
    Opened now = current;
    if (now == null) {
      throw new IllegalStateException(what + " is only available while a test runs: the database opens before each test and closes after it");
    }
    return now;
  }

  @Override
  public String toString() {
    return "TidalDbExtension(" + (onDisk ? "temporary home" : "ephemeral") + ", " + schema.signals().size() + " signals)";
  }

  /** One test's database and, for a database on disk, its home. */
  private static final class Opened {
    private volatile TidalDb db;
    private final TempTidalHome home;

    Opened(TidalDb db, TempTidalHome home) {
      this.db = db;
      this.home = home;
    }

    void close() {
      try {
        db.close();
      } finally {
        if (home != null) {
          home.close();
        }
      }
    }
  }
}

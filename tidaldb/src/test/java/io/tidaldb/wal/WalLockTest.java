package io.tidaldb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.HomeInUseException;
import io.tidaldb.TidalDb;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A log has one writer, across processes: a raw {@code Wal} takes the directory's lock as a database does. */
class WalLockTest {

  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
  private static final long PID = ProcessHandle.current().pid();

  /** Child process: opens the log in the directory given; exit 0 if it could, 3 if in use. */
  public static final class TryOpenWal {
    public static void main(String[] args) {
      try (Wal wal = Wal.open(WalConfig.of(Path.of(args[0])))) {
        System.out.println("OPENED " + wal.recovery().nextSequence());
      } catch (HomeInUseException e) {
        System.out.println("IN_USE " + e.getMessage());
        System.exit(3);
      }
    }
  }

  /** Child process: opens the home given; exit 0 if it could, 3 if in use. */
  public static final class TryOpenDb {
    public static void main(String[] args) {
      try (TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).open()) {
        System.out.println("OPENED");
      } catch (HomeInUseException e) {
        System.out.println("IN_USE " + e.getMessage());
        System.exit(3);
      }
    }
  }

  @Test
  void walOpen_onTheLogOfADatabaseOpenInAnotherProcess_isRefusedNamingThatProcess() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        ChildJvm.Result refused = ChildJvm.run(CHILD_TIMEOUT, TryOpenWal.class, temp.home().wal().toString());
        assertEquals(3, refused.exitCode(), refused.stdout() + refused.stderr());
        assertTrue(refused.stdout().contains("the WAL directory " + temp.home().wal()), refused.stdout());
        assertTrue(refused.stdout().contains("process " + PID + " holds it"), refused.stdout());
      }
      ChildJvm.Result opened = ChildJvm.run(CHILD_TIMEOUT, TryOpenWal.class, temp.home().wal().toString());
      assertEquals(0, opened.exitCode(), opened.stdout() + opened.stderr());
    }
  }

  @Test
  void openWal_keepsADatabaseInAnotherProcessOutOfItsLog_untilClosed() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (Wal wal = Wal.open(WalConfig.of(temp.home().wal()))) {
        ChildJvm.Result refused = ChildJvm.run(CHILD_TIMEOUT, TryOpenDb.class, temp.path().toString());
        assertEquals(3, refused.exitCode(), refused.stdout() + refused.stderr());
        assertTrue(refused.stdout().contains("the WAL directory " + temp.home().wal() + " is in use"), refused.stdout());
      }
      ChildJvm.Result opened = ChildJvm.run(CHILD_TIMEOUT, TryOpenDb.class, temp.path().toString());
      assertEquals(0, opened.exitCode(), opened.stdout() + opened.stderr());
    }
  }
}

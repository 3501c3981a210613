package io.tidaldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.inspect.LockStatus;
import io.tidaldb.test.TempTidalHome;
import io.tidaldb.testing.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HomeLockTest {

  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
  private static final long PID = ProcessHandle.current().pid();

  /** Child process: tries to open the home given as argument; exit 0 if it could, 3 if in use. */
  public static final class TryOpen {
    public static void main(String[] args) {
      try (TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).open()) {
        System.out.println("OPENED");
      } catch (HomeInUseException e) {
        System.out.println("IN_USE " + e.getMessage());
        System.exit(3);
      }
    }
  }

  /** Child process: opens the home given as argument, says so, and holds it until killed. */
  public static final class Hold {
    public static void main(String[] args) throws InterruptedException {
      TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).open();
      System.out.println("HOLDING " + db);
      new java.util.concurrent.CountDownLatch(1).await();
    }
  }

  /** Child process: tries to open the home given as first argument with the WAL in the second. */
  public static final class TryOpenWithWal {
    public static void main(String[] args) {
      try (TidalDb db = TidalDb.builder().dataDir(Path.of(args[0])).walDir(Path.of(args[1])).open()) {
        System.out.println("OPENED");
      } catch (HomeInUseException e) {
        System.out.println("IN_USE " + e.getMessage());
        System.exit(3);
      }
    }
  }

  /** Child process: prints the home's lock status as {@code inUse pid}. */
  public static final class Probe {
    public static void main(String[] args) {
      LockStatus status = HomeChecks.lockStatus(TidalHome.at(Path.of(args[0])));
      System.out.println(status.inUse() + " " + status.ownerPid().map(String::valueOf).orElse("-"));
    }
  }

  @Test
  void secondOpen_inTheSameJvm_failsAtOnceAndSaysTheHomeIsInUse() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb first = TidalDb.builder().dataDir(temp.path()).open()) {
      HomeInUseException e = assertThrows(HomeInUseException.class, () -> TidalDb.builder().dataDir(temp.path()).open());
      assertTrue(e.getMessage().contains("is in use"), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + PID), e.getMessage());
      assertEquals(temp.path(), e.home());
      first.healthCheck();
    }
  }

  @Test
  void open_afterTheHolderCloses_succeeds() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb first = TidalDb.builder().dataDir(temp.path()).open();
      assertThrows(HomeInUseException.class, () -> TidalDb.builder().dataDir(temp.path()).open());
      first.close();
      try (TidalDb second = TidalDb.builder().dataDir(temp.path()).open()) {
        second.healthCheck();
      }
    }
  }

  @Test
  void secondOpen_fromAnotherProcess_failsNamingThisProcess_andSucceedsAfterClose() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        ChildJvm.Result refused = ChildJvm.run(CHILD_TIMEOUT, TryOpen.class, temp.path().toString());
        assertEquals(3, refused.exitCode(), refused.stdout() + refused.stderr());
        assertTrue(refused.stdout().contains("process " + PID + " holds it"), refused.stdout());
      }
      ChildJvm.Result opened = ChildJvm.run(CHILD_TIMEOUT, TryOpen.class, temp.path().toString());
      assertEquals(0, opened.exitCode(), opened.stdout() + opened.stderr());
      assertTrue(opened.stdout().contains("OPENED"));
    }
  }

  @Test
  void secondOpen_whileAnotherProcessHoldsAHugeLockFile_failsAsInUse_withoutReadingItWhole() throws Exception {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path stderr = temp.path().resolveSibling(temp.path().getFileName() + "-holder.err");
      try (ChildJvm.Watched holder = ChildJvm.watch(ChildJvm.builder(Hold.class, List.of(), temp.path().toString()),
          stderr)) {
        holder.awaitOutput(CHILD_TIMEOUT, lines -> !lines.isEmpty(), "the holder opened the home");
        try (FileChannel lock = FileChannel.open(temp.home().lockFile(), StandardOpenOption.WRITE)) {
          lock.write(ByteBuffer.wrap(new byte[] {'\n'}), 3L << 30);   // sparse: 3 GiB of junk after the stamp
        }
        HomeInUseException e = assertThrows(HomeInUseException.class,
            () -> TidalDb.builder().dataDir(temp.path()).open());
        assertTrue(e.getMessage().contains(temp.path().toString()), e.getMessage());
        holder.kill();
      } finally {
        Files.deleteIfExists(stderr);
      }
    }
  }

  @Test
  void refusedOpenInThisJvm_doesNotReleaseTheLockForOtherProcesses() {
    // POSIX locks are dropped when any descriptor of the file closes; a refused open must not open one.
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
      assertThrows(HomeInUseException.class, () -> TidalDb.builder().dataDir(temp.path()).open());
      assertTrue(HomeChecks.lockStatus(temp.home()).inUse());
      ChildJvm.Result refused = ChildJvm.run(CHILD_TIMEOUT, TryOpen.class, temp.path().toString());
      assertEquals(3, refused.exitCode(), "the lock must still hold against other processes: " + refused.stdout());
    }
  }

  @Test
  void lockStatus_tellsWhetherAndByWhomTheHomeIsHeld() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      assertEquals(new LockStatus(false, Optional.empty()), HomeChecks.lockStatus(temp.home()));
      try (TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
        assertEquals(new LockStatus(true, Optional.of(PID)), HomeChecks.lockStatus(temp.home()));
        ChildJvm.Result seen = ChildJvm.run(CHILD_TIMEOUT, Probe.class, temp.path().toString());
        assertEquals("true " + PID, seen.stdout().trim(), seen.stderr());
        db.healthCheck();
      }
      assertFalse(HomeChecks.lockStatus(temp.home()).inUse());
      ChildJvm.Result free = ChildJvm.run(CHILD_TIMEOUT, Probe.class, temp.path().toString());
      assertEquals("false -", free.stdout().trim(), free.stderr());
    }
  }

  @Test
  void lockStatus_ofAHomeWithoutLockFile_isFreeAndCreatesNothing() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path missing = temp.path().resolve("never-opened");
      assertFalse(HomeChecks.lockStatus(TidalHome.at(missing)).inUse());
      assertFalse(java.nio.file.Files.exists(missing));
    }
  }

  @Test
  void healthCheck_failsWhenTheLockFileIsDeleted() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
      db.healthCheck();
      Files.delete(temp.home().lockFile());
      TidalDbException e = assertThrows(TidalDbException.class, db::healthCheck);
      assertTrue(e.getMessage().contains(temp.home().lockFile() + " was deleted"), e.getMessage());
    }
  }

  @Test
  void healthCheck_failsWhenTheLockFileIsReplaced() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path()).open()) {
      Path lock = temp.home().lockFile();
      Path other = temp.path().resolve("other");
      Files.write(other, Files.readAllBytes(lock));
      Files.move(other, lock, StandardCopyOption.REPLACE_EXISTING);
      TidalDbException e = assertThrows(TidalDbException.class, db::healthCheck);
      assertTrue(e.getMessage().contains(lock + " was replaced"), e.getMessage());
    }
  }

  @Test
  void healthCheck_failsWhenTheWalDirectorysLockFileIsDeleted() throws IOException {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb db = TidalDb.builder().dataDir(temp.path().resolve("home")).walDir(temp.path().resolve("fast-wal")).open()) {
      Path walLock = db.home().orElseThrow().walLockFile();
      assertEquals(temp.path().resolve("fast-wal").resolve(TidalHome.LOCK_FILE_NAME), walLock);
      db.healthCheck();
      Files.delete(walLock);
      TidalDbException e = assertThrows(TidalDbException.class, db::healthCheck);
      assertTrue(e.getMessage().contains(walLock + " was deleted"), e.getMessage());
    }
  }

  @Test
  void twoHomes_sharingAWalDir_inTheSameJvm_secondFailsNamingTheWalDirectory() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path wal = temp.path().resolve("shared-wal");
      try (TidalDb first = TidalDb.builder().dataDir(temp.path().resolve("a")).walDir(wal).open()) {
        HomeInUseException e = assertThrows(HomeInUseException.class,
            () -> TidalDb.builder().dataDir(temp.path().resolve("b")).walDir(wal).open());
        assertTrue(e.getMessage().contains("the WAL directory " + wal + " is in use"), e.getMessage());
        assertEquals(wal, e.home());
        assertFalse(HomeChecks.lockStatus(TidalHome.at(temp.path().resolve("b"))).inUse(), "the refused open let go of its home");
        first.healthCheck();
      }
    }
  }

  @Test
  void twoHomes_sharingAWalDir_inTwoProcesses_secondFailsNamingTheWalDirectory_andSucceedsAfterClose() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      Path wal = temp.path().resolve("shared-wal");
      String other = temp.path().resolve("b").toString();
      try (TidalDb first = TidalDb.builder().dataDir(temp.path().resolve("a")).walDir(wal).open()) {
        ChildJvm.Result refused = ChildJvm.run(CHILD_TIMEOUT, TryOpenWithWal.class, other, wal.toString());
        assertEquals(3, refused.exitCode(), refused.stdout() + refused.stderr());
        assertTrue(refused.stdout().contains("the WAL directory " + wal + " is in use: process " + PID + " holds it"),
            refused.stdout());
        first.healthCheck();
      }
      ChildJvm.Result opened = ChildJvm.run(CHILD_TIMEOUT, TryOpenWithWal.class, other, wal.toString());
      assertEquals(0, opened.exitCode(), opened.stdout() + opened.stderr());
    }
  }

  @Test
  void aHome_whoseWalDirIsAnOpenHomesDefaultWal_isRefused() {
    try (TempTidalHome temp = TempTidalHome.create();
        TidalDb first = TidalDb.builder().dataDir(temp.path().resolve("a")).open()) {
      Path wal = first.home().orElseThrow().wal();
      HomeInUseException e = assertThrows(HomeInUseException.class,
          () -> TidalDb.builder().dataDir(temp.path().resolve("b")).walDir(wal).open());
      assertTrue(e.getMessage().contains("the WAL directory " + wal + " is in use"), e.getMessage());
    }
  }
}

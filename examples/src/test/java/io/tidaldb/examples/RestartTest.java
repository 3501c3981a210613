package io.tidaldb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.Window;
import io.tidaldb.test.TidalDbExtension;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The user guide's testing example (section 13): a database in a temporary home, restarted in a test. */
class RestartTest {

  @RegisterExtension
  final TidalDbExtension tidal = TidalDbExtension.temporaryHome(HourlyViewsTest.SCHEMA);

  @Test
  void views_surviveARestart() {
    tidal.db().signal("view", 7L, 1.0, Instant.now());

    TidalDb restarted = tidal.reopen();

    assertEquals(1, restarted.windowCount("view", 7L, Window.TWENTY_FOUR_HOURS));
    assertTrue(Files.exists(TidalHome.at(tidal.home()).schemaFile()), "the database keeps its files in the test's home");
  }
}

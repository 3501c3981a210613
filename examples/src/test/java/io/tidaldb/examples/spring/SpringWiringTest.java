package io.tidaldb.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalHome;
import io.tidaldb.inspect.HomeChecks;
import io.tidaldb.metrics.MeterNames;
import io.tidaldb.test.TempTidalHome;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** The user guide's Spring configuration, in a minimal Spring context. */
class SpringWiringTest {

  private static AnnotationConfigApplicationContext contextOn(TempTidalHome temp) {
    AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
    context.getEnvironment().getPropertySources()
        .addFirst(new MapPropertySource("test", Map.of("tidaldb.data-dir", temp.path().toString())));
    context.register(TidalDbConfiguration.class);
    context.refresh();
    return context;
  }

  @Test
  void context_opensTheDatabaseAndItsCloseClosesIt() {
    try (TempTidalHome temp = TempTidalHome.create()) {
      TidalDb db;
      try (AnnotationConfigApplicationContext context = contextOn(temp)) {
        db = context.getBean(TidalDb.class);
        db.signal("view", 42L, 1.0, Instant.now());
        assertTrue(HomeChecks.lockStatus(TidalHome.at(temp.path())).inUse(), "the bean holds the home");
      }
      assertTrue(db.isClosed(), "closing the context closes the database");
      assertFalse(HomeChecks.lockStatus(TidalHome.at(temp.path())).inUse(), "and releases the home");
    }
  }

  @Test
  void healthIndicator_isUpWhileTheDatabaseIsHealthyAndDownOnceItIsNot() {
    try (TempTidalHome temp = TempTidalHome.create();
         AnnotationConfigApplicationContext context = contextOn(temp)) {
      HealthIndicator health = context.getBean(HealthIndicator.class);
      assertEquals(Status.UP, health.health().getStatus());

      context.getBean(TidalDb.class).close();

      Health down = health.health();
      assertEquals(Status.DOWN, down.getStatus());
      assertNotNull(down.getDetails().get("error"), "the reason: " + down.getDetails());
    }
  }

  @Test
  void meterBinder_addsTheMetersToTheHostRegistryAndRemovesThemOnClose() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TempTidalHome temp = TempTidalHome.create()) {
      try (AnnotationConfigApplicationContext context = contextOn(temp)) {
        // What Spring Boot's metrics auto-configuration does with every MeterBinder bean.
        context.getBeansOfType(MeterBinder.class).values().forEach(binder -> binder.bindTo(registry));
        assertNotNull(registry.find(MeterNames.UPTIME).meter(), "tidalDB's meters are in the host's registry");
      }
      assertNull(registry.find(MeterNames.UPTIME).meter(), "closing the context removes them");
    }
  }
}

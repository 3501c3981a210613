package io.tidaldb.examples.spring;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.TidalDb;
import io.tidaldb.TidalDbException;
import io.tidaldb.Window;
import io.tidaldb.metrics.TidalDbMetrics;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The user guide's Spring example: tidalDB as a bean, its meters, and its health. */
@Configuration(proxyBeanMethods = false)
public class TidalDbConfiguration {

  /** The database: opened once, closed (WAL flushed, home unlocked) when the context closes. */
  @Bean(destroyMethod = "close")
  public TidalDb tidalDb(Environment environment) {
    return TidalDb.builder()
        .dataDir(Path.of(environment.getRequiredProperty("tidaldb.data-dir")))
        .schema(Schema.builder()
            .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7))).windows(Window.ALL_TIME).add()
            .build())
        .open();
  }

  /** tidalDB's meters: Spring Boot binds every MeterBinder bean to its MeterRegistry. */
  @Bean(destroyMethod = "close")
  public TidalDbMetrics tidalDbMetrics(TidalDb tidalDb) {
    return new TidalDbMetrics(tidalDb);
  }

  /** {@code /actuator/health} reports DOWN, with the reason, when tidalDB is not healthy. */
  @Bean
  public HealthIndicator tidalDbHealth(TidalDb tidalDb) {
    return () -> {
      try {
        tidalDb.healthCheck();
        return Health.up().build();
      } catch (TidalDbException e) {
        return Health.down(e).build();
      }
    };
  }
}

package io.tidaldb.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.ScoredEntity;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoredEntitiesTest {

  @Test
  void merge_keepsTheBestKOfAllAnswers_tiesToTheSmallerId() {
    List<ScoredEntity> a = List.of(new ScoredEntity(5, 9.0), new ScoredEntity(7, 3.0));
    List<ScoredEntity> b = List.of(new ScoredEntity(4, 9.0), new ScoredEntity(1, 8.0), new ScoredEntity(2, 1.0));
    assertEquals(List.of(new ScoredEntity(4, 9.0), new ScoredEntity(5, 9.0), new ScoredEntity(1, 8.0)),
        ScoredEntities.merge(3, List.of(a, b)));
  }
}

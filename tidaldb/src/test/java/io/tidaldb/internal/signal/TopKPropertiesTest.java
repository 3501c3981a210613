package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidaldb.ScoredEntity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The heap that keeps a query's best k holds exactly the best k of what it was offered, best first
 * (higher score, then smaller id): a distinct heap each entity once at its best score, whatever order
 * and however often the entities come; a plain heap every offer.
 */
class TopKPropertiesTest {

  private static final Comparator<ScoredEntity> BEST_FIRST =
      Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId);

  @Property(tries = 300)
  void aDistinctHeap_keepsEachEntityOnceAtItsBestScore_theBestKOfThem(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 300) int k, @ForAll @IntRange(min = 0, max = 3000) int offers,
      @ForAll @IntRange(min = 1, max = 2000) int entities) {
    SplittableRandom random = new SplittableRandom(seed);
    TopK top = new TopK(k, true);
    Map<Long, Double> best = new HashMap<>();
    for (int i = 0; i < offers; i++) {
      long id = random.nextInt(entities) * 0x9E3779B97F4A7C15L;   // spread over the whole long range
      double score = random.nextInt(50) / 4.0;                       // many equal scores
      top.offer(id, score);
      best.merge(id, score, Math::max);
    }
    List<ScoredEntity> expected = new ArrayList<>();
    best.forEach((id, score) -> expected.add(new ScoredEntity(id, score)));
    expected.sort(BEST_FIRST);
    assertEquals(expected.subList(0, Math.min(k, expected.size())), top.drainBestFirst());
  }

  @Property(tries = 200)
  void aPlainHeap_keepsTheBestKOffers(@ForAll long seed, @ForAll @IntRange(min = 1, max = 200) int k,
      @ForAll @IntRange(min = 0, max = 2000) int offers) {
    SplittableRandom random = new SplittableRandom(seed);
    TopK top = new TopK(k);
    List<ScoredEntity> all = new ArrayList<>();
    for (int i = 0; i < offers; i++) {
      ScoredEntity offered = new ScoredEntity(random.nextLong(), random.nextInt(40) - 20.0);
      top.offer(offered.entityId(), offered.score());
      all.add(offered);
    }
    all.sort(BEST_FIRST);
    assertEquals(all.subList(0, Math.min(k, all.size())), top.drainBestFirst());
  }
}

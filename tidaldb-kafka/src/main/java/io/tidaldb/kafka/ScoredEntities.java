package io.tidaldb.kafka;

import io.tidaldb.ScoredEntity;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Merges {@code top} answers of disjoint partitions into the answer over all of them: each entity
 * lives in exactly one partition, so the best {@code k} overall are the best {@code k} of the union
 * of every partition's best {@code k}.
 *
 * <pre>{@code
 * List<List<ScoredEntity>> answers = instances.stream().map(i -> i.top(profile, 10, at)).toList();
 * List<ScoredEntity> top = ScoredEntities.merge(10, answers);
 * }</pre>
 */
public final class ScoredEntities {

  /** The order of {@code top}: higher score first, then the smaller entity id. */
  public static final Comparator<ScoredEntity> BEST_FIRST =
      Comparator.comparingDouble(ScoredEntity::score).reversed().thenComparingLong(ScoredEntity::entityId);

  private ScoredEntities() {}

  /**
   * The best {@code k} of several {@code top} answers over disjoint sets of entities, best first.
   *
   * @param k how many to keep, at least 1
   * @param answers each partition's or each instance's answer, each of at least {@code k} entries or
   *     all it has
   * @return at most {@code k} entities, in the order of {@link #BEST_FIRST}
   */
  public static List<ScoredEntity> merge(int k, Collection<? extends List<ScoredEntity>> answers) {
    if (k < 1) {
      throw new IllegalArgumentException("merge(k = " + k + "): k is at least 1");
    }
    List<ScoredEntity> all = new ArrayList<>();
    answers.forEach(all::addAll);
    all.sort(BEST_FIRST);
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }
}

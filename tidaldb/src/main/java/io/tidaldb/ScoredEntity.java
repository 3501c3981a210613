package io.tidaldb;

/**
 * One answer of a ranking query: an entity and its score.
 *
 * <pre>{@code
 * for (ScoredEntity hit : db.top(trending, 10, Instant.now())) {
 *   System.out.println(hit.entityId() + " " + hit.score());
 * }
 * }</pre>
 *
 * @param entityId the entity
 * @param score its score under the profile at the query's time: exactly what
 *     {@link TidalDb#score(RankingProfile, long, java.time.Instant)} returns for it
 */
public record ScoredEntity(long entityId, double score) {}

package io.tidaldb;

/**
 * What a signal is recorded against. Every signal in a {@link Schema} targets one kind, and its
 * entity ids are numbered within that kind.
 *
 * <pre>{@code
 * Schema.builder()
 *     .signal("view", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(7)))
 *         .windows(Window.ONE_HOUR)
 *         .add()
 *     .signal("follow", EntityKind.CREATOR, DecaySpec.permanent())
 *         .add()
 *     .build();
 * }</pre>
 */
public enum EntityKind {
  /** A piece of content: a post, a video, a listing. */
  ITEM,
  /** A person using the platform. */
  USER,
  /** A person or account that publishes items. */
  CREATOR
}

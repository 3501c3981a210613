package io.tidaldb.internal.signal;

import java.util.function.IntToLongFunction;

/**
 * The open-addressing index from an entity id to its dense number, shared by {@link EntryTable} and
 * {@link ProfileIndex}: an {@code int[]} of a power-of-two length, linear probing from the id's
 * {@link EntryTable#hash}; a used slot holds {@code tag << 24 | (number + 1)}, the tag being the
 * hash's top 8 bits, so that a probe loads an entity's record only when the tag matches; 0 is an
 * empty slot, so every long is a usable id. Deletion shifts the probe chain back (no tombstones).
 * The caller's lookup compares ids in its own records; these are the changes of the slots, under
 * the caller's lock. {@code keyAt} gives the id of a number.
 */
final class TaggedSlots {

  /** Numbers a slot can hold in its 24 bits. */
  static final int MAX_ENTRIES = (1 << 24) - 1;

  private TaggedSlots() {}

  static int tag(long hash) {
    return (int) (hash >>> 56);
  }

  static int ref(long hash, int d) {
    return tag(hash) << 24 | (d + 1);
  }

  /** The number in a used slot's {@code ref}. */
  static int entryOf(int ref) {
    return (ref & MAX_ENTRIES) - 1;
  }

  /** Puts {@code ref} in the first empty slot from {@code hash}'s home. */
  static void place(int[] slots, long hash, int ref) {
    int mask = slots.length - 1;
    int i = (int) hash & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = ref;
  }

  /** {@return a copy of {@code slots} with {@code capacity} slots (a power of two), every ref placed anew} */
  static int[] rehash(int[] slots, int capacity, IntToLongFunction keyAt) {
    int[] grown = new int[capacity];
    for (int ref : slots) {
      if (ref != 0) {
        place(grown, EntryTable.hash(keyAt.applyAsLong(entryOf(ref))), ref);
      }
    }
    return grown;
  }

  /** The slot of number {@code d}, whose id hashes to {@code hash}. */
  private static int slotOf(int[] slots, int d, long hash) {
    int mask = slots.length - 1;
    int i = (int) hash & mask;
    while (slots[i] == 0 || entryOf(slots[i]) != d) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** Deletes number {@code d} (its id hashes to {@code hash}) by shifting its probe chain back. */
  static void unplace(int[] slots, int d, long hash, IntToLongFunction keyAt) {
    int mask = slots.length - 1;
    int i = slotOf(slots, d, hash);
    for (int j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
      int home = (int) EntryTable.hash(keyAt.applyAsLong(entryOf(slots[j]))) & mask;
      boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = 0;
  }

  /** Number {@code from} (its id hashes to {@code hash}) is now number {@code to}. */
  static void renumber(int[] slots, long hash, int from, int to) {
    slots[slotOf(slots, from, hash)] = ref(hash, to);
  }
}

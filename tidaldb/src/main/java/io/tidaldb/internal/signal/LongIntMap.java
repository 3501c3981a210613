package io.tidaldb.internal.signal;

import java.util.Arrays;

/**
 * A map from long to a non-negative int by open addressing over primitives: linear probing from
 * {@link EntryTable#hash}, at most half full, deletion by shifting the probe chain back. The set of
 * entities a distinct {@link TopK} keeps, and the entities a filtered threshold walk has met
 * ({@link IndexWalk}).
 */
final class LongIntMap {

  private long[] keys;
  /** The value + 1; 0 for an empty slot. */
  private int[] values;
  private int size;

  LongIntMap() {
    this(64);
  }

  /** A map with room for {@code expected} keys before it grows. */
  LongIntMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(64, expected) * 2 - 1) << 1;
    keys = new long[capacity];
    values = new int[capacity];
  }

  /** {@return the value of {@code id}, or -1} */
  int get(long id) {
    int mask = keys.length - 1;
    for (int i = (int) EntryTable.hash(id) & mask; values[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == id) {
        return values[i] - 1;
      }
    }
    return -1;
  }

  /** Maps {@code id} to {@code value} (>= 0). */
  void put(long id, int value) {
    int mask = keys.length - 1;
    int i = (int) EntryTable.hash(id) & mask;
    while (values[i] != 0) {
      if (keys[i] == id) {
        values[i] = value + 1;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = id;
    values[i] = value + 1;
    if (2 * ++size > keys.length) {
      grow();
    }
  }

  void remove(long id) {
    int mask = keys.length - 1;
    int i = (int) EntryTable.hash(id) & mask;
    while (values[i] != 0 && keys[i] != id) {
      i = (i + 1) & mask;
    }
    if (values[i] == 0) {
      return;
    }
    size--;
    for (int j = (i + 1) & mask; values[j] != 0; j = (j + 1) & mask) {
      int home = (int) EntryTable.hash(keys[j]) & mask;
      boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        keys[i] = keys[j];
        values[i] = values[j];
        i = j;
      }
    }
    values[i] = 0;
  }

  void clear() {
    Arrays.fill(values, 0);
    size = 0;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] != 0) {
        put(oldKeys[i], oldValues[i] - 1);
      }
    }
  }

  /** {@return whether {@code id} was absent} (it is now mapped to 0 if it was) */
  boolean add(long id) {
    if (get(id) >= 0) {
      return false;
    }
    put(id, 0);
    return true;
  }
}

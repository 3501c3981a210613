package io.tidaldb.internal.signal;

/** A set of longs by open addressing: the entities a threshold walk has met ({@link IndexWalk}). */
final class LongSet {
  private long[] keys = new long[1024];
  private boolean[] used = new boolean[1024];
  private int size;

  /** {@return whether {@code id} was not in the set} (it is now) */
  boolean add(long id) {
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = (int) EntryTable.hash(id) & mask;
    while (used[i]) {
      if (keys[i] == id) {
        return false;
      }
      i = (i + 1) & mask;
    }
    used[i] = true;
    keys[i] = id;
    size++;
    return true;
  }

  private void grow() {
    long[] oldKeys = keys;
    boolean[] oldUsed = used;
    keys = new long[oldKeys.length * 2];
    used = new boolean[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldUsed[i]) {
        add(oldKeys[i]);
      }
    }
  }
}

package org.sonicmigration.sim;

import java.util.Arrays;

/** A growable stack of longs (pfns), without boxing. */
final class LongStack {
    private long[] a = new long[16];
    private int size;

    void push(long v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        a[size++] = v;
    }

    long pop() {
        return a[--size];
    }

    long get(int i) {
        return a[i];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }
}

package org.sonicmigration.sim.kernel;

import java.util.Arrays;

/** A growable stack of longs (pfns), without boxing. */
public final class LongStack {
    private long[] a = new long[16];
    private int size;

    public void push(long v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, size * 2);
        }
        a[size++] = v;
    }

    public long pop() {
        return a[--size];
    }

    public long get(int i) {
        return a[i];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }
}

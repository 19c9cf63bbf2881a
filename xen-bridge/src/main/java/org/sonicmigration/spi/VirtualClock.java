package org.sonicmigration.spi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * A clock that moves only when told to. Listeners see every advance, which is how a simulated guest's
 * workloads run "during" a transfer that in fact took no wall time. Advances are serialised, so the
 * guest sees one consistent timeline whichever thread sleeps.
 */
public final class VirtualClock implements Clock {
    private long now;
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();

    /** Registers a callback that receives each advance in nanoseconds. */
    public void onAdvance(LongConsumer listener) {
        listeners.add(listener);
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public void sleepNanos(long nanos) {
        advance(nanos);
    }

    public synchronized void advance(long nanos) {
        if (nanos <= 0) {
            return;
        }
        now += nanos;
        for (LongConsumer l : listeners) {
            l.accept(nanos);
        }
    }

    @Override
    public boolean isVirtual() {
        return true;
    }
}

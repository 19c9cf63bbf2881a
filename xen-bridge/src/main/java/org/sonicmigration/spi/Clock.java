package org.sonicmigration.spi;

/**
 * The engine's notion of time. Real runs use the system clock; experiments use a virtual clock in
 * which only modelled costs (bytes over a capped link) take time, so sweeps finish in seconds and are
 * repeatable.
 */
public interface Clock {

    long nanoTime();

    /** Lets {@code nanos} pass: sleeps on a real clock, advances a virtual one. */
    void sleepNanos(long nanos) throws InterruptedException;

    /** True when time only moves through {@link #sleepNanos}. */
    boolean isVirtual();

    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) {
                Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
            }
        }

        @Override
        public boolean isVirtual() {
            return false;
        }
    };
}

package org.sonicmigration.spi;

import java.lang.foreign.MemorySegment;

/**
 * The destination domain a receiver restores into. It is created paused and stays paused until
 * {@link #unpause()}; {@link #destroy()} discards it after a failed migration.
 */
public interface TargetDomain extends AutoCloseable {

    DomainInfo info();

    /** Populates frames and copies their content: frame {@code pfns[i]} from offset {@code i * pageSize}. */
    void writeFrames(long[] pfns, int count, MemorySegment src);

    /** Populates frames without content (a stream's "allocate, no data" pages). */
    void populate(long[] pfns, int count);

    /** Installs vCPU and platform state; called once, after all pages. */
    void restoreState(PlatformState state);

    void unpause();

    /**
     * Gives the domain another name, e.g. its real one once the domain it replaces is gone.
     *
     * @throws BackendException if the backend cannot rename domains, or the name is taken
     */
    default void rename(String name) {
        throw new BackendException("the " + info().name() + " domain cannot be renamed on this backend");
    }

    /**
     * Takes the device model's part of an HVM guest, after {@link #restoreState}, before {@link #unpause}.
     *
     * @throws BackendException if this destination cannot run a device model (the default)
     */
    default void restoreDeviceModel(DeviceModelState state) {
        throw new BackendException("this destination cannot start an HVM guest's device model: receive the stream "
                + "with xl migrate-receive or xl restore");
    }

    /** Throws the half-built domain away. */
    void destroy();

    @Override
    void close();
}

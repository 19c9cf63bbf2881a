package org.sonicmigration.spi;

/**
 * Log-dirty mode of one domain. While open, every guest write (and device write) to a frame sets its
 * bit; {@link #fetchAndClean} reads and resets the bits atomically with respect to guest writes.
 * Closing disables log-dirty mode, also after a failed migration.
 */
public interface DirtyLog extends AutoCloseable {

    /** Copies the dirty bits into {@code into} (replacing its content) and clears them in the hypervisor. */
    void fetchAndClean(PageBitmap into);

    /**
     * The last {@link #fetchAndClean}, once the guest is suspended: a backend may tell the hypervisor
     * that no further rounds follow (Xen's {@code XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL}).
     */
    default void fetchFinal(PageBitmap into) {
        fetchAndClean(into);
    }

    /** Copies the dirty bits into {@code into} without clearing them. */
    void peek(PageBitmap into);

    @Override
    void close();
}

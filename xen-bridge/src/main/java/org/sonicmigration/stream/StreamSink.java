package org.sonicmigration.stream;

import java.lang.foreign.MemorySegment;
import org.sonicmigration.spi.PlatformState;

/**
 * Receives what a {@link StreamReader} finds, in stream order. Arrays and segments handed to a
 * callback belong to the reader and are reused once the callback returns: copy what must outlive it.
 */
public interface StreamSink {

    /** The xl save-file header (only for {@link Framing#XL}). */
    default void onXlHeader(XlHeader h) {}

    /** The libxc image and domain headers, before any libxc record. */
    default void onImage(ImageHeader image, DomainHeader domain) {}

    /**
     * Every record header as it is read, before its body is checked: for statistics and tracing.
     *
     * @param offset     byte offset of the record header in the stream
     * @param bodyLength body length from the header, padding excluded
     */
    default void onRecord(RecordLayer layer, int type, long offset, int bodyLength) {}

    /**
     * One PAGE_DATA record.
     *
     * @param pfns  pfns (type bits stripped), valid from 0 to count-1
     * @param types page type of each pfn
     * @param data  the 4096-byte pages of the pfns whose type {@link PageType#hasData()}, packed in pfn
     *              order; {@code data.byteSize()} is exactly 4096 times their number
     */
    void onPages(long[] pfns, PageType[] types, int count, MemorySegment data);

    /** A libxc record with bit 31 set (ours, or any other optional record). */
    default void onOptionalRecord(int type, byte[] body) {}

    /** A libxl EMULATOR_XENSTORE_DATA or EMULATOR_CONTEXT record (device-model state of an HVM guest), decoded. */
    default void onEmulatorRecord(EmulatorRecord record) {}

    /**
     * The domain's non-memory state, assembled from X86_CPUID_POLICY, X86_MSR_POLICY (empty when the
     * stream has none), X86_TSC_INFO, HVM_CONTEXT and HVM_PARAMS; delivered once, at the libxc END.
     */
    void onPlatformState(PlatformState s);

    /** The outermost END of the framing was read: the stream is complete. */
    default void onEnd() {}
}

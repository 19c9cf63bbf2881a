package org.sonicmigration.stream;

/**
 * Bounds a {@link StreamReader} enforces on untrusted input, so that no length read from a stream can
 * make it allocate more than these allow.
 *
 * @param maxPfn            largest pfn a PAGE_DATA record may name
 * @param maxPagesPerRecord largest PAGE_DATA count (sizes the reader's reusable page buffer)
 * @param maxRecordBytes    largest record body, at most 128 MiB as in Xen's restorer
 * @param maxConfigBytes    largest xl configuration text
 */
public record StreamLimits(long maxPfn, int maxPagesPerRecord, int maxRecordBytes, int maxConfigBytes) {

    /** Xen's restorer refuses record bodies above this size. */
    public static final int XEN_MAX_RECORD_BYTES = 128 << 20;
    /** Xen's saver sends at most this many pfns per PAGE_DATA record. */
    public static final int XEN_BATCH_PAGES = 1024;

    public StreamLimits {
        if (maxPfn < 0 || maxPfn > PfnWord.MAX_PFN) {
            throw new IllegalArgumentException("maxPfn must be within 0..2^52-1, got " + maxPfn);
        }
        if (maxRecordBytes < 0 || maxRecordBytes > XEN_MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("maxRecordBytes must be within 0..128 MiB, got " + maxRecordBytes);
        }
        if (maxPagesPerRecord < 1 || 8L + 8L * maxPagesPerRecord + 4096L * maxPagesPerRecord > maxRecordBytes) {
            throw new IllegalArgumentException("maxPagesPerRecord " + maxPagesPerRecord
                    + " must be positive and its full PAGE_DATA record fit in maxRecordBytes " + maxRecordBytes);
        }
        if (maxConfigBytes < 0) {
            throw new IllegalArgumentException("maxConfigBytes must not be negative, got " + maxConfigBytes);
        }
    }

    /** Any pfn, Xen's batch size, Xen's record size limit and 1 MiB of xl configuration. */
    public static StreamLimits defaults() {
        return new StreamLimits(PfnWord.MAX_PFN, XEN_BATCH_PAGES, XEN_MAX_RECORD_BYTES, 1 << 20);
    }

    /** These limits with a different largest pfn, e.g. the receiving domain's max gpfn. */
    public StreamLimits withMaxPfn(long pfn) {
        return new StreamLimits(pfn, maxPagesPerRecord, maxRecordBytes, maxConfigBytes);
    }
}

package org.sonicmigration.engine;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamWriter;

/**
 * Moves pages from a source domain into PAGE_DATA records, one batch at a time: map (read) the
 * frames, send holes and broken pages as such, write one record. A page of guest RAM that cannot be
 * read stops the migration: sent as a hole it would arrive missing. It owns the batch buffers,
 * so a pass allocates nothing per page.
 */
final class PageSender implements AutoCloseable {
    private final SourceDomain domain;
    private final StreamWriter writer;
    private final int batch;
    private final int pageSize;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer;
    private final long[] pfns;
    private final PageType[] types;
    private final int[] errors;
    private final PageType[] noData;
    private int fill;

    /** Counters of the pass in progress. */
    long sent;
    long sentNoData;

    /** Frames that are not readable guest RAM (holes, broken pages): never to be allocated for it. */
    final PageBitmap holes;

    PageSender(SourceDomain domain, StreamWriter writer, int batch) {
        this.domain = domain;
        this.holes = new PageBitmap(domain.info().pfnLimit());
        this.writer = writer;
        this.batch = batch;
        this.pageSize = domain.info().pageSize();
        this.buffer = arena.allocate((long) batch * pageSize, 4096);
        this.pfns = new long[batch];
        this.types = new PageType[batch];
        this.errors = new int[batch];
        this.noData = new PageType[batch];
    }

    void resetCounters() {
        sent = 0;
        sentNoData = 0;
    }

    /** Queues one page to be sent with its content; sends a record when the batch is full. */
    void add(long pfn) throws IOException {
        pfns[fill++] = pfn;
        if (fill == batch) {
            flush();
        }
    }

    /** Sends the queued pages. */
    void flush() throws IOException {
        if (fill == 0) {
            return;
        }
        int n = fill;
        fill = 0;
        domain.readFrames(pfns, n, buffer, errors);
        int withData = 0;
        for (int i = 0; i < n; i++) {
            if (errors[i] == 0) {
                if (withData != i) {
                    // Keep data pages packed in entry order, as PAGE_DATA requires.
                    MemorySegment.copy(buffer, (long) i * pageSize, buffer, (long) withData * pageSize, pageSize);
                }
                types[i] = PageType.NOTAB;
                withData++;
            } else if (errors[i] == SourceDomain.FRAME_HOLE || errors[i] == SourceDomain.FRAME_BROKEN) {
                types[i] = errors[i] == SourceDomain.FRAME_HOLE ? PageType.XTAB : PageType.BROKEN;
                holes.set(pfns[i]);
            } else {
                throw new FrameReadException(pfns[i], errors[i]);
            }
        }
        writer.writePages(pfns, types, n, buffer.asSlice(0, (long) withData * pageSize));
        sent += withData;
        sentNoData += n - withData;
    }

    /** Sends pages as entries without content of the given type (XALLOC: allocate only). */
    long sendWithoutData(PageBitmap pages, PageType type) throws IOException {
        flush();
        long count = 0;
        int k = 0;
        for (long pfn = pages.nextSetBit(0); pfn >= 0; pfn = pages.nextSetBit(pfn + 1)) {
            pfns[k] = pfn;
            noData[k] = type;
            if (++k == batch) {
                writer.writePages(pfns, noData, k, MemorySegment.NULL);
                count += k;
                k = 0;
            }
        }
        if (k > 0) {
            writer.writePages(pfns, noData, k, MemorySegment.NULL);
            count += k;
        }
        sentNoData += count;
        return count;
    }

    @Override
    public void close() {
        arena.close();
    }
}

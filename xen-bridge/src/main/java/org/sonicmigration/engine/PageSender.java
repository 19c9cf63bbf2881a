package org.sonicmigration.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamWriter;

/**
 * Moves pages from a source domain into PAGE_DATA records, one batch at a time: map (read) the
 * frames, send holes and broken pages as such, write one record. A page of guest RAM that cannot be
 * read stops the migration: sent as a hole it would arrive missing. Reading and writing overlap: the
 * engine's thread reads batch n+1 while a writer thread writes batch n from the other of two direct
 * buffers, and records leave in the order they were read. {@link #flush} waits until everything read
 * has been written, so a pass, the dirty log's fetch that follows it and any other record see the
 * stream as the engine left it. It owns the batch buffers, so a pass allocates nothing per page.
 */
final class PageSender implements AutoCloseable {
    private static final int SLOTS = 2;

    /** One batch's buffers; a slot is either being filled by the engine or written by the writer thread. */
    private static final class Slot {
        final MemorySegment buffer;
        final long[] pfns;
        final PageType[] types;
        final int[] errors;
        int count;
        int withData;

        Slot(Arena arena, int batch, int pageSize) {
            buffer = arena.allocate((long) batch * pageSize, 4096);
            pfns = new long[batch];
            types = new PageType[batch];
            errors = new int[batch];
        }

        /** The marker that ends the writer thread. */
        Slot() {
            buffer = MemorySegment.NULL;
            pfns = new long[0];
            types = new PageType[0];
            errors = new int[0];
        }
    }

    private final Slot stop = new Slot();

    private final SourceDomain domain;
    private final StreamWriter writer;
    private final int batch;
    private final int pageSize;
    private final Arena arena = Arena.ofShared();
    private final BlockingQueue<Slot> free = new ArrayBlockingQueue<>(SLOTS);
    private final BlockingQueue<Slot> full = new ArrayBlockingQueue<>(SLOTS + 1);
    private final PageType[] noData;
    private final long[] noDataPfns;
    private final Thread writerThread;
    private volatile Throwable failure;
    private Slot current;
    private int fill;
    private boolean closed;

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
        for (int i = 0; i < SLOTS; i++) {
            free.add(new Slot(arena, batch, pageSize));
        }
        this.noData = new PageType[batch];
        this.noDataPfns = new long[batch];
        this.writerThread = Thread.ofPlatform().daemon().name("sonic-pages-writer").start(this::writeLoop);
    }

    void resetCounters() {
        sent = 0;
        sentNoData = 0;
    }

    /** Queues one page to be sent with its content; reads a batch and hands it to the writer when full. */
    void add(long pfn) throws IOException {
        if (current == null) {
            current = take();
        }
        current.pfns[fill++] = pfn;
        if (fill == batch) {
            submit();
        }
    }

    /** Sends the queued pages and waits until every page read so far is in the stream. */
    void flush() throws IOException {
        submit();
        // All slots back in the free queue: the writer has nothing left in hand.
        Slot[] back = new Slot[SLOTS];
        for (int i = 0; i < SLOTS; i++) {
            back[i] = take();
        }
        for (Slot s : back) {
            free.add(s);
        }
        rethrow();
    }

    /** Reads the current batch (on this thread: a frame that cannot be read stops the engine here) and hands it over. */
    private void submit() throws IOException {
        rethrow();
        if (current == null || fill == 0) {
            return;
        }
        Slot s = current;
        int n = fill;
        current = null;
        fill = 0;
        boolean handed = false;
        try {
            domain.readFrames(s.pfns, n, s.buffer, s.errors);
            int withData = 0;
            for (int i = 0; i < n; i++) {
                if (s.errors[i] == 0) {
                    if (withData != i) {
                        // Keep data pages packed in entry order, as PAGE_DATA requires.
                        MemorySegment.copy(s.buffer, (long) i * pageSize, s.buffer, (long) withData * pageSize, pageSize);
                    }
                    s.types[i] = PageType.NOTAB;
                    withData++;
                } else if (s.errors[i] == SourceDomain.FRAME_HOLE || s.errors[i] == SourceDomain.FRAME_BROKEN) {
                    s.types[i] = s.errors[i] == SourceDomain.FRAME_HOLE ? PageType.XTAB : PageType.BROKEN;
                    holes.set(s.pfns[i]);
                } else {
                    throw new FrameReadException(s.pfns[i], s.errors[i]);
                }
            }
            s.count = n;
            s.withData = withData;
            sent += withData;
            sentNoData += n - withData;
            full.add(s);
            handed = true;
        } finally {
            if (!handed) {
                free.add(s);
            }
        }
    }

    /** The writer thread: writes batches in the order they were read; after a failure it only hands slots back. */
    private void writeLoop() {
        while (true) {
            Slot s;
            try {
                s = full.take();
            } catch (InterruptedException e) {
                return;
            }
            if (s == stop) {
                return;
            }
            try {
                if (failure == null) {
                    writer.writePages(s.pfns, s.types, s.count, s.buffer.asSlice(0, (long) s.withData * pageSize));
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                free.add(s);
            }
        }
    }

    /** A write that failed on the writer thread fails the engine's next call, as if it had written itself. */
    private void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new UncheckedIOException(new IOException(t));
        }
    }

    private Slot take() throws IOException {
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the page writer was busy");
        }
    }

    /** Sends pages as entries without content of the given type (XALLOC: allocate only). */
    long sendWithoutData(PageBitmap pages, PageType type) throws IOException {
        flush();
        long count = 0;
        int k = 0;
        for (long pfn = pages.nextSetBit(0); pfn >= 0; pfn = pages.nextSetBit(pfn + 1)) {
            noDataPfns[k] = pfn;
            noData[k] = type;
            if (++k == batch) {
                writer.writePages(noDataPfns, noData, k, MemorySegment.NULL);
                count += k;
                k = 0;
            }
        }
        if (k > 0) {
            writer.writePages(noDataPfns, noData, k, MemorySegment.NULL);
            count += k;
        }
        sentNoData += count;
        return count;
    }

    /** Stops the writer thread once it has finished what it holds, then frees the buffers. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        full.add(stop);
        boolean interrupted = false;
        while (true) {
            try {
                writerThread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        arena.close();
    }
}

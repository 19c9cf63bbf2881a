package org.sonicmigration.sim.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sonicmigration.sim.kernel.LongStack;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.ProcessKernel;
import org.sonicmigration.sim.kernel.SimFile;
import org.sonicmigration.sim.kernel.SimulatorException;

/**
 * A running program in the simulated guest: a deterministic step function over the guest kernel. Steps run
 * on the guest's vCPU context only. A workload is "ready" when its finite part is done (file read, memory
 * allocated); it ends when stopped, which frees its process memory as an exit would.
 */
public abstract sealed class Workload permits Workload.CacheFill, Workload.Anon, Workload.Writer, Workload.Churn,
        Workload.Recycler, Workload.HotReader {

    final WorkloadSpec spec;
    final SplittableRandom random;
    long pagesTouched;
    long stalls;
    private boolean stopped;

    Workload(WorkloadSpec spec, long seed) {
        this.spec = spec;
        this.random = new SplittableRandom(seed);
    }

    /** The program {@code spec} describes, its random choices drawn from {@code seed}. */
    public static Workload create(WorkloadSpec spec, long seed, ProcessKernel k) {
        return switch (spec) {
            case WorkloadSpec.FillCache f -> new CacheFill(f, seed, k);
            case WorkloadSpec.AllocateAnon a -> new Anon(a, seed);
            case WorkloadSpec.RandomWriter w -> new Writer(w, seed);
            case WorkloadSpec.FileChurn c -> new Churn(c, seed, k);
            case WorkloadSpec.MemoryChurn m -> new Recycler(m, seed);
            case WorkloadSpec.HotReread h -> new HotReader(h, seed, k);
        };
    }

    /** Runs the program for {@code dtNanos} of guest time. */
    public abstract void step(ProcessKernel k, long dtNanos);

    /** The finite part is done. */
    public abstract boolean ready();

    /** Ends the program; process memory is freed. */
    public void stop(ProcessKernel k) {
        stopped = true;
    }

    public WorkloadSpec spec() {
        return spec;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Pages read, allocated or written so far. */
    public long pagesTouched() {
        return pagesTouched;
    }

    /** Steps in which the program waited for memory that could not be found. */
    public long stalls() {
        return stalls;
    }

    /** Pages of the hot set this program keeps cached that are not in the page cache now; 0 if it keeps none. */
    public long coldPages() {
        return 0;
    }

    /** Creates {@code bytes} of files of {@code fileBytes} each (the last one shorter) into {@code files}. */
    static void createFiles(ProcessKernel k, long bytes, long fileBytes, List<SimFile> files) {
        long pages = Math.ceilDiv(bytes, 4096);
        long per = Math.max(1, fileBytes / 4096);
        for (long done = 0; done < pages; done += per) {
            files.add(k.createFile(Math.min(per, pages - done)));
        }
    }

    /** Reads files sequentially through the page cache. */
    static final class CacheFill extends Workload {
        private final List<SimFile> files = new ArrayList<>();
        private final Rate rate;
        private int file;
        private long offset;

        CacheFill(WorkloadSpec.FillCache f, long seed, ProcessKernel k) {
            super(f, seed);
            createFiles(k, f.bytes(), f.fileBytes(), files);
            this.rate = new Rate(Math.max(1, f.bytesPerSecond() / 4096));
        }

        @Override
        public void step(ProcessKernel k, long dtNanos) {
            long budget = rate.take(dtNanos);
            while (budget-- > 0 && !ready()) {
                SimFile f = files.get(file);
                if (!k.readPage(f, offset)) {
                    stalls++;
                    return;
                }
                pagesTouched++;
                if (++offset == f.pages()) {
                    offset = 0;
                    file++;
                }
            }
        }

        @Override
        public boolean ready() {
            return file == files.size();
        }
    }

    /**
     * Re-reads a hot set of files in a loop. It pays for each page in guest time: a cached page at memory speed,
     * a missing one at disk speed (and the read goes through the page cache, so the page is cached again).
     * {@link #pagesTouched} counts the pages it read from the disk, its first read of the set included.
     */
    static final class HotReader extends Workload {
        private final List<SimFile> files = new ArrayList<>();
        private final long hitNanos;
        private final long missNanos;
        private long credit;
        private int file;
        private long offset;
        private boolean firstPassDone;

        HotReader(WorkloadSpec.HotReread h, long seed, ProcessKernel k) {
            super(h, seed);
            createFiles(k, h.hotBytes(), h.fileBytes(), files);
            this.hitNanos = Math.max(1, 4096L * 1_000_000_000L / h.cachedBytesPerSecond());
            this.missNanos = Math.max(1, 4096L * 1_000_000_000L / h.diskBytesPerSecond());
        }

        @Override
        public void step(ProcessKernel k, long dtNanos) {
            credit += dtNanos;
            while (true) {
                SimFile f = files.get(file);
                boolean cached = f.isCached(offset);
                long cost = cached ? hitNanos : missNanos;
                if (credit < cost) {
                    return;
                }
                if (!cached) {
                    if (!k.readPage(f, offset)) {
                        stalls++;
                        // no memory now: the time is spent waiting, not saved for a burst later
                        credit = 0;
                        return;
                    }
                    pagesTouched++;
                }
                credit -= cost;
                if (++offset == f.pages()) {
                    offset = 0;
                    if (++file == files.size()) {
                        file = 0;
                        firstPassDone = true;
                    }
                }
            }
        }

        @Override
        public boolean ready() {
            return firstPassDone;
        }

        @Override
        public long coldPages() {
            long cold = 0;
            for (SimFile f : files) {
                for (int i = 0; i < f.pages(); i++) {
                    if (!f.isCached(i)) {
                        cold++;
                    }
                }
            }
            return cold;
        }
    }

    /** Process memory: anon pages plus the page tables that map them. */
    static class Process {
        final LongStack pages = new LongStack();
        long anon;

        /**
         * Allocates and touches one anon page; one page-table page per 512 (THP deposits a table per 2 MiB).
         *
         * @return the anon page's pfn, or -1 when memory ran out
         */
        long touchNew(ProcessKernel k) {
            if (anon % 512 == 0) {
                long pt = k.allocate(PageState.PAGE_TABLE);
                if (pt < 0) {
                    return -1;
                }
                k.cpuWrite(pt, PageState.PAGE_TABLE);
                pages.push(pt);
            }
            long pfn = k.allocate(PageState.ANON);
            if (pfn < 0) {
                return -1;
            }
            k.cpuWrite(pfn, PageState.ANON);
            pages.push(pfn);
            anon++;
            return pfn;
        }

        void exit(ProcessKernel k) {
            while (!pages.isEmpty()) {
                k.free(pages.pop());
            }
            anon = 0;
        }
    }

    /** Allocates and touches memory, then holds it. */
    static final class Anon extends Workload {
        private final Process process = new Process();
        private final long target;
        private final Rate rate;

        Anon(WorkloadSpec.AllocateAnon a, long seed) {
            super(a, seed);
            this.target = Math.ceilDiv(a.bytes(), 4096);
            this.rate = new Rate(Math.max(1, a.bytesPerSecond() / 4096));
        }

        @Override
        public void step(ProcessKernel k, long dtNanos) {
            long budget = rate.take(dtNanos);
            while (budget-- > 0 && process.anon < target) {
                if (process.touchNew(k) < 0) {
                    stalls++;
                    return;
                }
                pagesTouched++;
            }
        }

        @Override
        public boolean ready() {
            return process.anon >= target;
        }

        @Override
        public void stop(ProcessKernel k) {
            super.stop(k);
            process.exit(k);
        }
    }

    /** Rewrites random pages of a hot set. */
    static final class Writer extends Workload {
        private final Process process = new Process();
        private final long[] hot;
        private int allocated;
        private final Rate allocRate = new Rate(262144);
        private final Rate writeRate;

        Writer(WorkloadSpec.RandomWriter w, long seed) {
            super(w, seed);
            long n = Math.ceilDiv(w.hotSetBytes(), 4096);
            if (n > Integer.MAX_VALUE - 8) {
                throw new SimulatorException("hot set too large: " + w.hotSetBytes() + " bytes");
            }
            this.hot = new long[(int) n];
            this.writeRate = new Rate(w.pagesPerSecond());
        }

        @Override
        public void step(ProcessKernel k, long dtNanos) {
            if (allocated < hot.length) {
                long budget = allocRate.take(dtNanos);
                while (budget-- > 0 && allocated < hot.length) {
                    long pfn = process.touchNew(k);
                    if (pfn < 0) {
                        stalls++;
                        return;
                    }
                    hot[allocated++] = pfn;
                    pagesTouched++;
                }
                return;
            }
            long writes = writeRate.take(dtNanos);
            for (long i = 0; i < writes; i++) {
                k.cpuWrite(hot[random.nextInt(hot.length)], PageState.ANON);
                pagesTouched++;
            }
        }

        @Override
        public boolean ready() {
            return allocated == hot.length;
        }

        @Override
        public void stop(ProcessKernel k) {
            super.stop(k);
            process.exit(k);
        }
    }

    /** Memory churn: a pool of anon pages, recycled one fresh page at a time. */
    static final class Recycler extends Workload {
        private final long[] pool;
        private final LongStack tables = new LongStack();
        private int allocated;
        private final Rate allocRate = new Rate(262144);
        private final Rate churnRate;

        Recycler(WorkloadSpec.MemoryChurn m, long seed) {
            super(m, seed);
            this.pool = new long[(int) Math.ceilDiv(m.poolBytes(), 4096)];
            this.churnRate = new Rate(m.pagesPerSecond());
        }

        @Override
        public void step(ProcessKernel k, long dtNanos) {
            if (allocated < pool.length) {
                long budget = allocRate.take(dtNanos);
                while (budget-- > 0 && allocated < pool.length) {
                    long pfn = touchNew(k);
                    if (pfn < 0) {
                        stalls++;
                        return;
                    }
                    pool[allocated++] = pfn;
                    pagesTouched++;
                }
                return;
            }
            long n = churnRate.take(dtNanos);
            for (long i = 0; i < n; i++) {
                // allocate before freeing: the allocator's cursor moves on, so the fresh page is one that was
                // free, not the page just given back
                long fresh = k.allocate(PageState.ANON);
                if (fresh < 0) {
                    stalls++;
                    return;
                }
                k.cpuWrite(fresh, PageState.ANON);
                int victim = random.nextInt(pool.length);
                k.free(pool[victim]);
                pool[victim] = fresh;
                pagesTouched++;
            }
        }

        private long touchNew(ProcessKernel k) {
            if (tables.size() <= allocated / 512) {
                long pt = k.allocate(PageState.PAGE_TABLE);
                if (pt < 0) {
                    return -1;
                }
                k.cpuWrite(pt, PageState.PAGE_TABLE);
                tables.push(pt);
            }
            long pfn = k.allocate(PageState.ANON);
            if (pfn >= 0) {
                k.cpuWrite(pfn, PageState.ANON);
            }
            return pfn;
        }

        @Override
        public boolean ready() {
            return allocated == pool.length;
        }

        @Override
        public void stop(ProcessKernel k) {
            super.stop(k);
            for (int i = 0; i < allocated; i++) {
                k.free(pool[i]);
            }
            allocated = 0;
            while (!tables.isEmpty()) {
                k.free(tables.pop());
            }
        }
    }

    /** Postmark-like small-file churn. */
    static final class Churn extends Workload {
        private final WorkloadSpec.FileChurn c;
        private final List<SimFile> pool = new ArrayList<>();
        private final Rate rate;

        Churn(WorkloadSpec.FileChurn c, long seed, ProcessKernel k) {
            super(c, seed);
            this.c = c;
            this.rate = new Rate(c.transactionsPerSecond());
        }

        @Override
        public void step(ProcessKernel k, long dtNanos) {
            long tx = rate.take(dtNanos);
            for (long i = 0; i < tx; i++) {
                if (!transaction(k)) {
                    stalls++;
                    return;
                }
            }
        }

        private boolean transaction(ProcessKernel k) {
            if (pool.size() < c.files()) {
                return create(k);
            }
            switch (random.nextInt(4)) {
                case 0 -> {
                    k.deleteFile(pool.remove(random.nextInt(pool.size())));
                    return create(k);
                }
                case 1 -> {
                    k.deleteFile(pool.remove(random.nextInt(pool.size())));
                    return true;
                }
                case 2 -> {
                    SimFile f = pool.get(random.nextInt(pool.size()));
                    for (long off = 0; off < f.pages(); off++) {
                        if (!k.readPage(f, off)) {
                            return false;
                        }
                        pagesTouched++;
                    }
                    return true;
                }
                default -> {
                    SimFile f = pool.get(random.nextInt(pool.size()));
                    pagesTouched++;
                    return k.writePage(f, random.nextLong(f.pages()));
                }
            }
        }

        private boolean create(ProcessKernel k) {
            long bytes = c.minFileBytes() + random.nextLong(c.maxFileBytes() - c.minFileBytes() + 1);
            SimFile f = k.createFile(Math.ceilDiv(bytes, 4096));
            pool.add(f);
            for (long off = 0; off < f.pages(); off++) {
                if (!k.writePage(f, off)) {
                    return false;
                }
                pagesTouched++;
            }
            return true;
        }

        @Override
        public boolean ready() {
            return pool.size() >= c.files();
        }

        @Override
        public void stop(ProcessKernel k) {
            super.stop(k);
        }
    }
}

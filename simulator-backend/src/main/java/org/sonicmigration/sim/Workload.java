package org.sonicmigration.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A running program in the simulated guest: a deterministic step function over the guest kernel. Steps run
 * on the guest's vCPU context only. A workload is "ready" when its finite part is done (file read, memory
 * allocated); it ends when stopped, which frees its process memory as an exit would.
 */
abstract sealed class Workload permits Workload.CacheFill, Workload.Anon, Workload.Writer, Workload.Churn {

    final WorkloadSpec spec;
    final SplittableRandom random;
    long pagesTouched;
    long stalls;
    boolean stopped;

    Workload(WorkloadSpec spec, long seed) {
        this.spec = spec;
        this.random = new SplittableRandom(seed);
    }

    static Workload create(WorkloadSpec spec, long seed, GuestKernel k) {
        return switch (spec) {
            case WorkloadSpec.FillCache f -> new CacheFill(f, seed, k);
            case WorkloadSpec.AllocateAnon a -> new Anon(a, seed);
            case WorkloadSpec.RandomWriter w -> new Writer(w, seed);
            case WorkloadSpec.FileChurn c -> new Churn(c, seed, k);
        };
    }

    abstract void step(GuestKernel k, long dtNanos);

    abstract boolean ready();

    /** Ends the program; process memory is freed. */
    void stop(GuestKernel k) {
        stopped = true;
    }

    /** Reads files sequentially through the page cache. */
    static final class CacheFill extends Workload {
        private final List<SimFile> files = new ArrayList<>();
        private final Rate rate;
        private int file;
        private long offset;

        CacheFill(WorkloadSpec.FillCache f, long seed, GuestKernel k) {
            super(f, seed);
            long pages = Math.ceilDiv(f.bytes(), 4096);
            long per = Math.max(1, f.fileBytes() / 4096);
            for (long done = 0; done < pages; done += per) {
                files.add(k.disk.create(Math.min(per, pages - done)));
            }
            this.rate = new Rate(Math.max(1, f.bytesPerSecond() / 4096));
        }

        @Override
        void step(GuestKernel k, long dtNanos) {
            long budget = rate.take(dtNanos);
            while (budget-- > 0 && !ready()) {
                SimFile f = files.get(file);
                if (!k.readPage(f, offset)) {
                    stalls++;
                    return;
                }
                pagesTouched++;
                if (++offset == f.pages) {
                    offset = 0;
                    file++;
                }
            }
        }

        @Override
        boolean ready() {
            return file == files.size();
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
        long touchNew(GuestKernel k) {
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

        void exit(GuestKernel k) {
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
        void step(GuestKernel k, long dtNanos) {
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
        boolean ready() {
            return process.anon >= target;
        }

        @Override
        void stop(GuestKernel k) {
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
        void step(GuestKernel k, long dtNanos) {
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
        boolean ready() {
            return allocated == hot.length;
        }

        @Override
        void stop(GuestKernel k) {
            super.stop(k);
            process.exit(k);
        }
    }

    /** Postmark-like small-file churn. */
    static final class Churn extends Workload {
        private final WorkloadSpec.FileChurn c;
        private final List<SimFile> pool = new ArrayList<>();
        private final Rate rate;

        Churn(WorkloadSpec.FileChurn c, long seed, GuestKernel k) {
            super(c, seed);
            this.c = c;
            this.rate = new Rate(c.transactionsPerSecond());
        }

        @Override
        void step(GuestKernel k, long dtNanos) {
            long tx = rate.take(dtNanos);
            for (long i = 0; i < tx; i++) {
                if (!transaction(k)) {
                    stalls++;
                    return;
                }
            }
        }

        private boolean transaction(GuestKernel k) {
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
                    for (long off = 0; off < f.pages; off++) {
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
                    return k.writePage(f, random.nextLong(f.pages));
                }
            }
        }

        private boolean create(GuestKernel k) {
            long bytes = c.minFileBytes() + random.nextLong(c.maxFileBytes() - c.minFileBytes() + 1);
            SimFile f = k.disk.create(Math.ceilDiv(bytes, 4096));
            pool.add(f);
            for (long off = 0; off < f.pages; off++) {
                if (!k.writePage(f, off)) {
                    return false;
                }
                pagesTouched++;
            }
            return true;
        }

        @Override
        boolean ready() {
            return pool.size() >= c.files();
        }

        @Override
        void stop(GuestKernel k) {
            super.stop(k);
        }
    }
}

package org.sonicmigration.sim.kernel;

/**
 * The guest kernel as a program sees it: allocate, write and free pages, create files and read or write
 * them through the page cache, delete them. Workloads reach the kernel only through this; calls run on the
 * guest's vCPU context.
 */
public interface ProcessKernel {

    /**
     * Allocates one frame in state {@code s}; its content is the caller's to write.
     *
     * @return the pfn, or -1 when nothing is free and nothing can be reclaimed
     */
    long allocate(PageState s);

    /** The CPU writes a whole page with new content and leaves it in state {@code s}. */
    void cpuWrite(long pfn, PageState s);

    /** Returns a frame to the allocator. */
    void free(long pfn);

    /** Creates a file of {@code pages} pages on the guest's disk. */
    SimFile createFile(long pages);

    /**
     * Starts reading a page of {@code f} into the page cache.
     *
     * @return false if no frame could be allocated
     */
    boolean readPage(SimFile f, long offset);

    /**
     * Writes a whole page of {@code f} through the page cache.
     *
     * @return false if no frame could be allocated
     */
    boolean writePage(SimFile f, long offset);

    /** Deletes a file and frees its cached pages. */
    void deleteFile(SimFile f);
}

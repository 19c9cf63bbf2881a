package org.sonicmigration.sim.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * The guest's virtual disk: files whose page content is a pure function of (disk seed, file id, page offset,
 * page version), so that a clean page-cache page equals what re-reading its file offset gives, on this host
 * or on another that knows the disk seed. Writes made durable by writeback raise a page's disk version.
 * File ids are never reused, so stale copies of deleted files can never look like live data.
 */
final class DiskModel {
    private final Map<Long, SimFile> files = new HashMap<>();
    private long nextId = 1;

    SimFile create(long pages) {
        if (pages <= 0 || pages > Meta.MAX_FILE_PAGES) {
            throw new SimulatorException("file size must be 1.." + Meta.MAX_FILE_PAGES + " pages, got " + pages);
        }
        if (nextId > Meta.MAX_FILE_ID) {
            throw new SimulatorException("the simulated disk ran out of file ids (" + Meta.MAX_FILE_ID + ")");
        }
        SimFile f = new SimFile(nextId++, (int) pages);
        files.put(f.id, f);
        return f;
    }

    SimFile file(long id) {
        return files.get(id);
    }

    void delete(SimFile f) {
        f.deleted = true;
        files.remove(f.id);
    }

    int fileCount() {
        return files.size();
    }
}

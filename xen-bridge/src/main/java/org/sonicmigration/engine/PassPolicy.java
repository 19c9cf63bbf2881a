package org.sonicmigration.engine;

import java.util.Optional;

/**
 * When the live passes end: Xen's saver's rule (stop when fewer than {@code dirtyThreshold} pages are
 * dirty, or once {@code maxPasses} live passes have been sent, the first full pass included), plus the
 * optional "stopped shrinking" rule of our own. The engine and the planner both ask this one rule, so a
 * plan predicts the passes a migration runs.
 *
 * @param maxPasses            live passes in all, the first full pass included (Xen: 5)
 * @param dirtyThreshold       stop once fewer pages than this are dirty (Xen: 50)
 * @param stopWhenNotShrinking also stop once a pass leaves at least as many dirty pages as the one before
 */
record PassPolicy(int maxPasses, long dirtyThreshold, boolean stopWhenNotShrinking) {

    static PassPolicy of(MigrationOptions options) {
        return new PassPolicy(options.maxIterations(), options.dirtyThreshold(), options.stopWhenNotShrinking());
    }

    /**
     * Whether to stop after live pass {@code pass} (0 = the first, full pass) left {@code dirtyCount}
     * pages dirty, the pass before it {@code previousDirty}.
     *
     * @return why to stop, or empty to run another live pass
     */
    Optional<String> stopAfter(int pass, long dirtyCount, long previousDirty) {
        if (dirtyCount < dirtyThreshold) {
            return Optional.of(dirtyCount + " dirty pages, under the threshold of " + dirtyThreshold);
        }
        if (pass + 1 >= maxPasses) {
            return Optional.of("sent " + maxPasses + " live passes");
        }
        if (stopWhenNotShrinking && pass >= 1 && dirtyCount >= previousDirty) {
            return Optional.of("dirty set stopped shrinking (" + previousDirty + " -> " + dirtyCount + ")");
        }
        return Optional.empty();
    }
}

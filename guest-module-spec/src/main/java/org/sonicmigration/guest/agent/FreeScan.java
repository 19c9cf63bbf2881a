package org.sonicmigration.guest.agent;

import org.sonicmigration.guest.SoftSet;

/**
 * One flags-only pass for the suspend handshake: the frames reported free (BUDDY), among the first
 * {@code scannedPfns} frames; a pass cut short by its deadline is not {@code complete} and says nothing
 * about the frames after them.
 */
record FreeScan(SoftSet free, long scannedPfns, boolean complete) {
}

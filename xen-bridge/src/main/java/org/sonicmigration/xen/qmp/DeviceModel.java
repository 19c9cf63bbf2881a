package org.sonicmigration.xen.qmp;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The commands a migration gives an HVM guest's device model (an upstream QEMU in dom0, which libxl
 * starts with a QMP socket at {@code /var/run/xen/qmp-libxl-DOMID}): its own writes to guest memory
 * logged as dirty while the live passes run, stopped after the guest suspends, its device state saved
 * to a file for the stream's EMULATOR_CONTEXT record, and continued if the migration is called off.
 */
public final class DeviceModel implements AutoCloseable {
    private final QmpClient qmp;

    private DeviceModel(QmpClient qmp) {
        this.qmp = qmp;
    }

    /** The QMP socket libxl gives the device model of {@code domid}. */
    public static Path socketOf(int domid) {
        return Path.of("/var/run/xen", "qmp-libxl-" + domid);
    }

    /** Where libxl has the device model of {@code domid} save its state during a save or migration. */
    public static Path saveFileOf(int domid) {
        return Path.of("/var/lib/xen", "qemu-save." + domid);
    }

    /** Opens a QMP session with the device model listening on {@code socket}. */
    public static DeviceModel open(Path socket, Duration timeout) {
        return new DeviceModel(QmpClient.connect(socket, timeout));
    }

    /** Turns QEMU's logging of its own writes into guest memory on or off (it then marks them in Xen's dirty log). */
    public void globalDirtyLog(boolean on) {
        qmp.execute("xen-set-global-dirty-log", QmpClient.arguments().put("enable", on));
    }

    /** Stops the emulated machine: no device touches guest memory or its own state until {@link #resume}. */
    public void stop() {
        qmp.execute("stop", null);
    }

    /** Lets a stopped machine run on (a migration called off after {@link #stop}). */
    public void resume() {
        qmp.execute("cont", null);
    }

    /**
     * Writes the device state (not RAM) to {@code file}, which must be readable by this process once the
     * command returns.
     *
     * @param live true for a live migration: QEMU then also lets go of its disk images for the destination
     */
    public void saveDeviceState(Path file, boolean live) {
        qmp.execute("xen-save-devices-state", QmpClient.arguments().put("filename", file.toString()).put("live", live));
    }

    @Override
    public void close() {
        qmp.close();
    }
}

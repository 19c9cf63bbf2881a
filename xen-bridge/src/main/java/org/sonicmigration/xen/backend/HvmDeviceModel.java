package org.sonicmigration.xen.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DeviceModelState;
import org.sonicmigration.stream.EmulatorRecord;
import org.sonicmigration.xen.qmp.DeviceModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HVM guest's QEMU through a migration, in libxl's order: its own writes to guest memory logged
 * while the live passes run; after the guest has suspended, stopped and its device state saved (with the
 * {@code physmap} keys it keeps in xenstore) for the stream; continued if the migration is called off.
 * Each step opens a short QMP session, as libxl does, so no session outlives a step.
 */
final class HvmDeviceModel {
    private static final Logger LOG = LoggerFactory.getLogger(HvmDeviceModel.class);
    /** The keys of each physmap entry libxl carries to the destination's device model. */
    private static final String[] PHYSMAP_KEYS = {"start_addr", "size", "name"};
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

    /** What the steps need of the world: a QMP session, the device model's xenstore, and its save file. */
    interface Host {
        DeviceModel open(Path socket);

        /** The names under {@code path} (empty if none). */
        java.util.List<String> directory(String path);

        Optional<String> read(String path);

        byte[] readAndDelete(Path file) throws IOException;
    }

    private final int domid;
    private final Host host;
    private boolean stopped;
    private DeviceModelState saved;

    HvmDeviceModel(int domid, Host host) {
        this.domid = domid;
        this.host = host;
    }

    /** The device model of {@code domid} on this dom0: QMP through libxl's socket, keys through {@code store}. */
    static HvmDeviceModel of(int domid, org.sonicmigration.xen.lib.XenStore store) {
        return new HvmDeviceModel(domid, new Host() {
            @Override
            public DeviceModel open(Path socket) {
                return DeviceModel.open(socket, QMP_TIMEOUT);
            }

            @Override
            public java.util.List<String> directory(String path) {
                return store.directory(path);
            }

            @Override
            public Optional<String> read(String path) {
                return store.read(path);
            }

            @Override
            public byte[] readAndDelete(Path file) throws IOException {
                byte[] b = Files.readAllBytes(file);
                Files.deleteIfExists(file);
                return b;
            }
        });
    }

    /** The device model of {@code domid}, if libxl started one in this dom0 (its QMP socket exists). */
    static boolean presentFor(int domid) {
        return Files.exists(DeviceModel.socketOf(domid));
    }

    void dirtyLog(boolean on) {
        try (DeviceModel dm = host.open(DeviceModel.socketOf(domid))) {
            dm.globalDirtyLog(on);
        }
    }

    /** After the guest's suspend: QEMU stopped, then its device state saved and read. */
    void stopAndSave() {
        Path file = DeviceModel.saveFileOf(domid);
        try (DeviceModel dm = host.open(DeviceModel.socketOf(domid))) {
            dm.stop();
            stopped = true;
            dm.saveDeviceState(file, true);
        }
        byte[] context;
        try {
            context = host.readAndDelete(file);
        } catch (IOException e) {
            throw new BackendException("the device model of domain " + domid + " saved its state to " + file
                    + ", which cannot be read: " + e.getMessage(), e);
        }
        saved = new DeviceModelState(EmulatorRecord.QEMU_UPSTREAM, physmap(), context);
        LOG.debug("device model of domain {} stopped; {} bytes of device state, {} xenstore keys", domid,
                context.length, saved.xenstore().size());
    }

    /** The state {@link #stopAndSave} took, if it ran. */
    Optional<DeviceModelState> saved() {
        return Optional.ofNullable(saved);
    }

    /** Lets a device model {@link #stopAndSave} stopped run again (a migration called off). */
    void resumeIfStopped() {
        if (!stopped) {
            return;
        }
        try (DeviceModel dm = host.open(DeviceModel.socketOf(domid))) {
            dm.resume();
        }
        stopped = false;
        saved = null;
    }

    /** The physmap entries under libxl's device-model directory of this domain, relative to it. */
    private Map<String, String> physmap() {
        String base = "/local/domain/0/device-model/" + domid;
        Map<String, String> keys = new LinkedHashMap<>();
        for (String entry : host.directory(base + "/physmap")) {
            for (String key : PHYSMAP_KEYS) {
                String relative = "physmap/" + entry + "/" + key;
                host.read(base + "/" + relative).ifPresent(v -> keys.put(relative, v));
            }
        }
        return keys;
    }
}

package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DeviceModelState;
import org.sonicmigration.xen.qmp.DeviceModel;

/**
 * An HVM guest's QEMU through a migration, against a scripted QMP server on a real socket: the commands
 * in libxl's order, the physmap keys and the saved state the stream will carry, the rollback that lets
 * QEMU run again, and the guests whose state cannot be carried refused with the reason.
 */
class HvmDeviceModelTest {
    @TempDir
    Path dir;

    private final List<String> commands = new CopyOnWriteArrayList<>();

    /** A QMP server that answers every command it is sent, on one connection after another. */
    private Path qemu() throws IOException {
        Path socket = dir.resolve("qmp");
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            try (listener) {
                while (true) {
                    try (SocketChannel c = listener.accept()) {
                        var out = java.nio.channels.Channels.newOutputStream(c);
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(
                                java.nio.channels.Channels.newInputStream(c), StandardCharsets.UTF_8));
                        out.write("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n".getBytes(StandardCharsets.UTF_8));
                        for (String line; (line = in.readLine()) != null; ) {
                            var cmd = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                            String name = cmd.get("execute").asText();
                            if (!name.equals("qmp_capabilities")) {
                                commands.add(name + (cmd.has("arguments") ? " " + cmd.get("arguments") : ""));
                            }
                            out.write(("{\"return\": {}, \"id\": " + cmd.get("id") + "}\r\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
            } catch (IOException e) {
                // the test is over
            }
        });
        return socket;
    }

    private HvmDeviceModel model(Path socket, Map<String, String> xenstore, byte[] saved) {
        List<Path> files = new ArrayList<>();
        return new HvmDeviceModel(5, new HvmDeviceModel.Host() {
            @Override
            public DeviceModel open(Path ignored) {
                return DeviceModel.open(socket, Duration.ofSeconds(5));
            }

            @Override
            public List<String> directory(String path) {
                String prefix = path + "/";
                return xenstore.keySet().stream().filter(k -> k.startsWith(prefix))
                        .map(k -> k.substring(prefix.length()).split("/")[0]).distinct().sorted().toList();
            }

            @Override
            public Optional<String> read(String path) {
                return Optional.ofNullable(xenstore.get(path));
            }

            @Override
            public byte[] readAndDelete(Path file) throws IOException {
                files.add(file);
                if (saved == null) {
                    throw new NoSuchFileException(file.toString());
                }
                return saved;
            }
        });
    }

    private static final String DM = "/local/domain/0/device-model/5";

    @Test
    void aMigrationLogsQemusWritesThenStopsAndSavesItAfterTheSuspendAndCarriesItsPhysmap() throws IOException {
        byte[] state = "QEVM state".getBytes(StandardCharsets.US_ASCII);
        HvmDeviceModel dm = model(qemu(), Map.of(DM + "/physmap/f0000000/start_addr", "f0000000",
                DM + "/physmap/f0000000/size", "800000", DM + "/physmap/f0000000/name", "vga.vram",
                DM + "/state", "running"), state);
        dm.dirtyLog(true);
        assertThat(dm.saved()).isEmpty();
        dm.stopAndSave();
        dm.dirtyLog(false);
        assertThat(commands).containsExactly("xen-set-global-dirty-log {\"enable\":true}", "stop",
                "xen-save-devices-state {\"filename\":\"/var/lib/xen/qemu-save.5\",\"live\":true}",
                "xen-set-global-dirty-log {\"enable\":false}");
        DeviceModelState s = dm.saved().orElseThrow();
        assertThat(s.emulatorId()).isEqualTo(2);
        assertThat(s.context()).isEqualTo(state);
        assertThat(s.xenstore()).containsOnlyKeys("physmap/f0000000/start_addr", "physmap/f0000000/size",
                "physmap/f0000000/name");
    }

    @Test
    void aRollbackContinuesQemuOnlyIfTheSuspendHadStoppedIt() throws IOException {
        HvmDeviceModel dm = model(qemu(), Map.of(), new byte[8]);
        dm.resumeIfStopped();
        assertThat(commands).isEmpty();
        dm.stopAndSave();
        dm.resumeIfStopped();
        dm.resumeIfStopped();
        assertThat(commands).containsExactly("stop",
                "xen-save-devices-state {\"filename\":\"/var/lib/xen/qemu-save.5\",\"live\":true}", "cont");
        assertThat(dm.saved()).as("a state from before a rollback is never carried").isEmpty();
    }

    @Test
    void aSaveFileThatCannotBeReadLeavesQemuStoppedForTheRollbackToContinue() throws IOException {
        HvmDeviceModel dm = model(qemu(), Map.of(), null);
        assertThatThrownBy(dm::stopAndSave).isInstanceOf(BackendException.class)
                .hasMessageContaining("saved its state to /var/lib/xen/qemu-save.5, which cannot be read");
        dm.resumeIfStopped();
        assertThat(commands).endsWith("cont");
    }

    @Test
    void guestsWhoseStateCannotBeCarriedAreRefusedWithTheReason() {
        assertThatThrownBy(() -> XenHypervisor.refuseUncarriableHvm(7, false, Optional.empty()))
                .hasMessageContaining("device model is not a QEMU of this dom0").hasMessageContaining("qmp-libxl-7");
        assertThatThrownBy(() -> XenHypervisor.refuseUncarriableHvm(7, true,
                Optional.of("{\"c_info\":{},\"pcidevs\":[{\"func\":0,\"dev\":2,\"bus\":0}]}")))
                .hasMessageContaining("PCI devices passed through");
        XenHypervisor.refuseUncarriableHvm(7, true, Optional.of("{\"c_info\":{\"type\":\"hvm\"},\"pcidevs\":[]}"));
        XenHypervisor.refuseUncarriableHvm(7, true, Optional.empty());
    }
}

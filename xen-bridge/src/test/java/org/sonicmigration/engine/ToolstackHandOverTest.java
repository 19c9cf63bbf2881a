package org.sonicmigration.engine;

import org.sonicmigration.spi.Clock;
import org.sonicmigration.stream.XlConfig;
import org.sonicmigration.transport.FileDestination;
import org.sonicmigration.transport.StreamDestination;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.stream.EmulatorRecord;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.RecordTypes;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSink;
import org.sonicmigration.stream.XlHeader;

/**
 * What the engine owes a stock Xen receiver beyond pages: the toolstack's own configuration in the xl
 * header, and the source's name given up exactly between the receiver's confirmation and its permission
 * to start — never for a save file.
 */
class ToolstackHandOverTest {
    static final String LIBXL_JSON = "{\"c_info\":{\"type\":\"pvh\",\"name\":\"domu\",\"domid\":0},\"b_info\":{\"max_memkb\":256}}";
    static final MigrationOptions OPTIONS = MigrationOptions.defaults().withSoft(SoftPolicy.OFF);

    @TempDir
    Path dir;

    static ScriptedDomain domain(Optional<String> config) {
        ScriptedDomain d = new ScriptedDomain(new GuestScript(64).withoutHintArea());
        d.toolstackConfig = config;
        return d;
    }

    /** A peer that confirms at once and records when the source let go relative to its GO message. */
    static final class Peer implements StreamDestination {
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        final List<String> calls;

        Peer(List<String> calls) {
            this.calls = calls;
        }

        @Override
        public OutputStream open() {
            return stream;
        }

        @Override
        public void handOver() {
            throw new AssertionError("the engine must hand over with its before-start step");
        }

        @Override
        public void handOver(Runnable beforeStart) {
            calls.add("confirmed");
            beforeStart.run();
            calls.add("go");
        }

        @Override
        public String describe() {
            return "peer";
        }

        @Override
        public void close() {}
    }

    static XlHeader header(InputStream in) throws Exception {
        XlHeader[] got = new XlHeader[1];
        new StreamReader(new BufferedInputStream(in), StreamLimits.defaults()).read(Framing.XL, new StreamSink() {
            @Override
            public void onXlHeader(XlHeader h) {
                got[0] = h;
            }

            @Override
            public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {}

            @Override
            public void onPlatformState(PlatformState s) {}
        });
        return got[0];
    }

    @Test
    void aMigrationCarriesTheToolstacksConfigAndGivesTheNameUpBetweenConfirmationAndGo() throws Exception {
        ScriptedDomain d = domain(Optional.of(LIBXL_JSON));
        Peer peer = new Peer(d.events);
        new PreCopyEngine(OPTIONS, Clock.SYSTEM, MigrationListener.NONE).migrate(d, "test", peer);
        assertThat(d.events.subList(d.events.indexOf("confirmed"), d.events.size()))
                .startsWith("confirmed", "release name", "go").doesNotContain("resume", "destroy");
        assertThat(header(new java.io.ByteArrayInputStream(peer.stream.toByteArray())).jsonConfig()).isEqualTo(LIBXL_JSON);
    }

    @Test
    void aSaveFileKeepsTheNameAndWithoutAToolstackConfigCarriesTheEnginesOwn() throws Exception {
        ScriptedDomain d = domain(Optional.empty());
        Path file = dir.resolve("domu.xlsave");
        try (FileDestination out = new FileDestination(file)) {
            new PreCopyEngine(OPTIONS.withLive(false), Clock.SYSTEM, MigrationListener.NONE).migrate(d, "test", out);
        }
        assertThat(d.events).doesNotContain("release name", "resume", "destroy");
        String config;
        try (InputStream in = Files.newInputStream(file)) {
            config = header(in).jsonConfig();
        }
        assertThat(config).isEqualTo(XlConfig.json(new DomainInfo(3, "scripted", 64, 64, 4096, RunState.RUNNING)));
    }

    @Test
    void anHvmGuestsDeviceModelFollowsItsMemoryAndVcpusAsLibxlWritesIt() throws Exception {
        ScriptedDomain d = domain(Optional.of(LIBXL_JSON));
        byte[] qemu = "QEVM device state".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        d.deviceModel = Optional.of(new org.sonicmigration.spi.DeviceModelState(EmulatorRecord.QEMU_UPSTREAM,
                java.util.Map.of("physmap/f0000000/size", "800000"), qemu));
        Peer peer = new Peer(d.events);
        new PreCopyEngine(OPTIONS, Clock.SYSTEM, MigrationListener.NONE).migrate(d, "test", peer);
        assertThat(d.events).contains("device model state").doesNotContain("device model state while running");
        assertThat(d.events.indexOf("device model state")).isGreaterThan(d.events.indexOf("capture state"));
        List<String> libxl = new java.util.ArrayList<>();
        List<EmulatorRecord> records = new java.util.ArrayList<>();
        new StreamReader(new java.io.ByteArrayInputStream(peer.stream.toByteArray()), StreamLimits.defaults())
                .read(Framing.XL, new StreamSink() {
                    @Override
                    public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {}

                    @Override
                    public void onPlatformState(PlatformState s) {
                        libxl.add("vcpu state");
                    }

                    @Override
                    public void onEmulatorRecord(EmulatorRecord record) {
                        records.add(record);
                        libxl.add(RecordTypes.libxlName(record.type()));
                    }
                });
        assertThat(libxl).containsExactly("vcpu state", "EMULATOR_XENSTORE_DATA", "EMULATOR_CONTEXT");
        assertThat(((EmulatorRecord.XenstoreData) records.get(0)).entries()).containsEntry("physmap/f0000000/size", "800000");
        assertThat(((EmulatorRecord.Context) records.get(1)).data()).isEqualTo(qemu);
        assertThat(records).allMatch(r -> r.emulatorId() == EmulatorRecord.QEMU_UPSTREAM);
    }
}

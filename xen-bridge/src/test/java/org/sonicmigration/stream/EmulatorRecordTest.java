package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An HVM guest's device-model records: written where libxl writes them (after the libxc stream, before
 * the libxl END), read back equal, and a malformed body refused by the reader with its reason.
 */
class EmulatorRecordTest {
    private static final Map<String, String> PHYSMAP = new LinkedHashMap<>(Map.of(
            "physmap/f0000000/start_addr", "f0000000", "physmap/f0000000/size", "800000",
            "physmap/f0000000/name", "vga.vram"));

    private static byte[] hvmStream(List<EmulatorRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamWriter w = new StreamWriter(out);
        Fixtures.begin(w, Framing.XL);
        w.writeStaticState(Fixtures.xenLikeState());
        w.writeFinalState(Fixtures.xenLikeState());
        w.endLibxc();
        records.forEach(w::writeEmulatorRecord);
        w.endLibxl();
        return out.toByteArray();
    }

    private static List<EmulatorRecord> readBack(byte[] stream) throws Exception {
        List<EmulatorRecord> seen = new ArrayList<>();
        new StreamReader(new ByteArrayInputStream(stream), StreamLimits.defaults()).read(Framing.XL, new RecordingSink() {
            @Override
            public void onEmulatorRecord(EmulatorRecord record) {
                seen.add(record);
            }
        });
        return seen;
    }

    @Test
    void theDeviceModelsKeysAndStateRoundTripAfterTheLibxcStream() throws Exception {
        byte[] qemuState = "QEVM\0\0\0\3device state".getBytes(StandardCharsets.ISO_8859_1);
        List<EmulatorRecord> written = List.of(new EmulatorRecord.XenstoreData(EmulatorRecord.QEMU_UPSTREAM, 0, PHYSMAP),
                new EmulatorRecord.Context(EmulatorRecord.QEMU_UPSTREAM, 0, qemuState));
        List<EmulatorRecord> read = readBack(hvmStream(written));
        assertThat(read).hasSize(2);
        EmulatorRecord.XenstoreData keys = (EmulatorRecord.XenstoreData) read.get(0);
        assertThat(keys.emulatorId()).isEqualTo(EmulatorRecord.QEMU_UPSTREAM);
        assertThat(keys.entries()).containsExactlyEntriesOf(PHYSMAP);
        EmulatorRecord.Context ctx = (EmulatorRecord.Context) read.get(1);
        assertThat(ctx.data()).isEqualTo(qemuState);
        assertThat(ctx.index()).isZero();
    }

    @Test
    void theWriterKeepsLibxlsPlaceForThem() {
        StreamWriter w = new StreamWriter(new ByteArrayOutputStream());
        Fixtures.begin(w, Framing.XL);
        EmulatorRecord r = new EmulatorRecord.Context(EmulatorRecord.QEMU_UPSTREAM, 0, new byte[4]);
        assertThatThrownBy(() -> w.writeEmulatorRecord(r)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("out of order");
        StreamWriter bare = new StreamWriter(new ByteArrayOutputStream());
        Fixtures.begin(bare, Framing.LIBXC);
        assertThatThrownBy(() -> bare.writeEmulatorRecord(r)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without writeLibxlHeader");
    }

    @Test
    void malformedKeyValueDataIsRefusedWithItsReason() {
        assertThat(reason(kv("physmap/a\0", "1\0", "physmap/b\0"))).contains("ends inside a value");
        assertThat(reason(kv("physmap/a\0", "1"))).contains("ends inside a value");
        assertThat(reason(kv("/local/domain/0/x\0", "1\0"))).contains("absolute");
        assertThat(reason(kv("phys map\0", "1\0"))).contains("character ' '");
        assertThat(reason(kv("a\0", "1\0", "a\0", "2\0"))).contains("twice");
        assertThat(reason(new byte[] {2, 0, 0})).contains("shorter than its 8-byte header");
    }

    @Test
    void theReaderRefusesAStreamWhoseKeyDataIsMalformed() {
        byte[] stream = hvmStream(List.of(new EmulatorRecord.XenstoreData(EmulatorRecord.QEMU_UPSTREAM, 0, Map.of("a", "b"))));
        // the stream's last records: this one (8 + 12 bytes, padded to 24), then the libxl END (8)
        int at = stream.length - 8 - 24;
        assertThat(Bytes.le32(stream, at)).isEqualTo(RecordTypes.LIBXL_EMULATOR_XENSTORE_DATA);
        stream[at + 8 + 8 + 3] = 'x'; // the value's terminating NUL
        assertThatThrownBy(() -> readBack(stream)).isInstanceOf(StreamFormatException.class)
                .hasMessageContaining("EMULATOR_XENSTORE_DATA ends inside a value");
    }

    @Test
    void keysXenstoreWouldRefuseCannotBeWritten() {
        assertThatThrownBy(() -> new EmulatorRecord.XenstoreData(2, 0, Map.of("a//b", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty path component");
    }

    private static byte[] kv(String... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {2, 0, 0, 0, 0, 0, 0, 0});
        for (String p : parts) {
            b.writeBytes(p.getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    private static String reason(byte[] body) {
        try {
            EmulatorRecord.decode(RecordTypes.LIBXL_EMULATOR_XENSTORE_DATA, body);
            return "accepted";
        } catch (StreamFormatException e) {
            return e.getMessage();
        }
    }
}

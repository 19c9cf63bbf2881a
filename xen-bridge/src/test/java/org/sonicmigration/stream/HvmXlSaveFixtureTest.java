package org.sonicmigration.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.PlatformState;

/**
 * A real {@code xl save} of an HVM guest (QEMU as its device model), from the Xen lab's
 * {@code hvm_xl_save} step, with its PAGE_DATA records left out (scripts/strip-pages.py; every other
 * byte is Xen's): the reader takes the xl and libxl headers, the HVM context and params and the device
 * model's EMULATOR_CONTEXT as Xen 4.17 wrote them.
 */
class HvmXlSaveFixtureTest {
    @Test
    void xensOwnSaveOfAnHvmGuestParsesWithItsDeviceModelsState() throws Exception {
        List<EmulatorRecord> emulator = new ArrayList<>();
        PlatformState[] state = new PlatformState[1];
        XlHeader[] header = new XlHeader[1];
        DomainHeader[] domain = new DomainHeader[1];
        try (InputStream in = getClass().getResourceAsStream("hvm128-xl-save-without-pages.bin")) {
            new StreamReader(in, StreamLimits.defaults()).read(Framing.XL, new StreamSink() {
                @Override
                public void onXlHeader(XlHeader h) {
                    header[0] = h;
                }

                @Override
                public void onImage(ImageHeader image, DomainHeader d) {
                    domain[0] = d;
                }

                @Override
                public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {}

                @Override
                public void onEmulatorRecord(EmulatorRecord record) {
                    emulator.add(record);
                }

                @Override
                public void onPlatformState(PlatformState s) {
                    state[0] = s;
                }
            });
        }
        assertThat(header[0].jsonConfig()).contains("\"type\": \"hvm\"");
        assertThat(domain[0].type()).isEqualTo(DomainHeader.hvm(4, 17).type());
        assertThat(state[0].hvmParams()).hasSize(12);
        assertThat(emulator).singleElement().isInstanceOfSatisfying(EmulatorRecord.Context.class, c -> {
            assertThat(c.emulatorId()).isEqualTo(EmulatorRecord.QEMU_UPSTREAM);
            assertThat(c.index()).isZero();
            assertThat(new String(c.data(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("QEVM");
            assertThat(c.data()).hasSize(6136 - 8);
        });
    }
}

package org.sonicmigration.xen.backend;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.xen.lib.ToolLogger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On a machine without Xen's devices, a guest's advertisement leads to a clear reason, never to another failure. */
class HintChannelWithoutXenTest {
    static final String DIR = HintAdvertisementReaderTest.DIR;

    @BeforeEach
    void notADom0() {
        assumeFalse(Files.exists(Path.of("/dev/xen")), "this machine has /dev/xen");
    }

    @Test
    void anAdvertisedChannelNeedsGntdevAndSaysSo() {
        HintAdvertisementReaderTest.FakeStore store = new HintAdvertisementReaderTest.FakeStore();
        store.advertise("ready", "1.0", "17", "8", "5");
        try (ToolLogger logger = ToolLogger.create()) {
            assertThatThrownBy(() -> XenHintChannels.open(store, DIR, logger, 7)).isInstanceOf(HintUnavailableException.class)
                    .hasMessageStartingWith("cannot map the guest's hint area: xengnttab_open failed: /dev/xen/gntdev missing (errno 2")
                    .hasMessageEndingWith("not a Xen dom0");
        }
    }

    @Test
    void noAdvertisementOpensNoDevice() {
        try (ToolLogger logger = ToolLogger.create()) {
            assertThat(XenHintChannels.open(new HintAdvertisementReaderTest.FakeStore(), DIR, logger, 7)).isEmpty();
        }
    }
}

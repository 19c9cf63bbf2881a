package org.sonicmigration.xen.lib;

import org.sonicmigration.xen.backend.XenHypervisor;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On a machine without Xen every open is a clean, specific {@link XenUnavailableException}. */
class OpenWithoutXenTest {

    @BeforeEach
    void notADom0() {
        assumeFalse(Files.exists(Path.of("/dev/xen")), "this machine has /dev/xen");
    }

    @Test
    void xenctrl() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs logs = new CapturedLogs()) {
            assertThatThrownBy(() -> XenCtrl.open(logger)).isInstanceOf(XenUnavailableException.class).hasMessage(
                    "xc_interface_open failed: /dev/xen/privcmd missing (errno 2, No such file or directory): not a Xen dom0");
            // libxc's own complaint went to SLF4J, demoted, and not to stderr
            assertThat(logs.events()).isNotEmpty().allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.DEBUG);
            assertThat(logs.events()).anyMatch(e -> e.getFormattedMessage().contains("privileged command interface"));
        }
    }

    @Test
    void foreignMemory() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs _ = new CapturedLogs()) {
            assertThatThrownBy(() -> ForeignMemory.open(logger)).isInstanceOf(XenUnavailableException.class)
                    .hasMessageStartingWith("xenforeignmemory_open failed: /dev/xen/privcmd missing (errno 2");
        }
    }

    @Test
    void eventChannelsAndGrantTables() {
        try (ToolLogger logger = ToolLogger.create()) {
            assertThatThrownBy(() -> EventChannels.open(logger)).isInstanceOf(XenUnavailableException.class)
                    .hasMessageStartingWith("xenevtchn_open failed: /dev/xen/evtchn missing (errno 2");
            assertThatThrownBy(() -> GrantTables.open(logger)).isInstanceOf(XenUnavailableException.class)
                    .hasMessageStartingWith("xengnttab_open failed: /dev/xen/gntdev missing (errno 2");
        }
    }

    @Test
    void xenstore() {
        assertThatThrownBy(XenStore::open).isInstanceOf(XenUnavailableException.class)
                .hasMessageStartingWith("xs_open failed: " + XenStore.WHERE + " missing (errno 2");
    }

    @Test
    void libxl() {
        try (ToolLogger logger = ToolLogger.create(); CapturedLogs _ = new CapturedLogs()) {
            assertThatThrownBy(() -> LibXl.open(logger)).isInstanceOf(XenUnavailableException.class)
                    .hasMessageStartingWith("libxl_ctx_alloc failed: /dev/xen/privcmd missing");
        }
    }

    @Test
    void theWholeHypervisor() {
        try (CapturedLogs _ = new CapturedLogs()) {
            assertThatThrownBy(XenHypervisor::open).isInstanceOf(XenUnavailableException.class)
                    .hasMessageStartingWith("xc_interface_open failed: /dev/xen/privcmd missing");
        }
    }
}

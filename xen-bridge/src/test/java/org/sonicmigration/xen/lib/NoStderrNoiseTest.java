package org.sonicmigration.xen.lib;

import org.sonicmigration.xen.backend.XenBackend;
import org.sonicmigration.xen.backend.XenHypervisor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Opening every Xen handle on a machine without Xen gives clean Java exceptions and writes nothing at
 * all to the process's file descriptor 2 (C libraries write there directly, so only a child process can
 * show it). A control run with libxc's default logger proves the capture would see such output.
 */
class NoStderrNoiseTest {

    @TempDir
    Path dir;

    record Run(int exit, String stdout, String stderr) {}

    @BeforeEach
    void notADom0() {
        assumeFalse(Files.exists(Path.of("/dev/xen")), "this machine has /dev/xen");
    }

    private Run child(String mode) throws IOException, InterruptedException {
        Path out = dir.resolve(mode + ".out");
        Path err = dir.resolve(mode + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), OpenEverythingMain.class.getName(), mode))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void everyOpenFailsCleanlyAndStderrStaysEmpty() throws Exception {
        Run run = child("quiet");
        assertThat(run.stderr()).as("child stderr").isEmpty();
        assertThat(run.exit()).as("child exit; stdout:\n" + run.stdout()).isZero();
        assertThat(run.stdout()).contains(
                "xc_interface_open: XenUnavailableException: xc_interface_open failed: /dev/xen/privcmd missing (errno 2, No such file or directory): not a Xen dom0",
                "xenforeignmemory_open: XenUnavailableException: xenforeignmemory_open failed: /dev/xen/privcmd missing (errno 2",
                "xengnttab_open: XenUnavailableException: xengnttab_open failed: /dev/xen/gntdev missing (errno 2",
                "xenevtchn_open: XenUnavailableException: xenevtchn_open failed: /dev/xen/evtchn missing (errno 2",
                "xs_open: XenUnavailableException: xs_open failed: xenstored",
                "libxl_ctx_alloc: XenUnavailableException: libxl_ctx_alloc failed: /dev/xen/privcmd missing",
                "XenBackend.open: BackendUnavailableException: no /dev/xen/privcmd: not a Xen dom0",
                "XenHypervisor.open: XenUnavailableException: xc_interface_open failed: /dev/xen/privcmd missing",
                "raw xc_interface_open with a XTL_CRITICAL stdio logger: NULL");
    }

    @Test
    void theCaptureSeesWhatLibxcsDefaultLoggerWrites() throws Exception {
        Run run = child("noisy");
        assertThat(run.stdout()).contains("raw xc_interface_open with the default logger: NULL");
        assertThat(run.stderr()).contains("Could not obtain handle on privileged command interface");
    }
}

package org.sonicmigration.xen.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.spi.Availability;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.BackendUnavailableException;
import org.sonicmigration.spi.Backends;
import org.sonicmigration.ffi.support.XenLibrary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class XenBackendTest {

    @TempDir
    Path dir;

    @Test
    void isDiscoveredAsXenAndOutranksTheSimulator() {
        Backend xen = Backends.discover().byName("xen").orElseThrow();
        assertThat(xen).isInstanceOf(XenBackend.class);
        assertThat(xen.priority()).isGreaterThan(10);
    }

    @Test
    void onAMachineWithoutXenTheProbeSaysItIsNotADom0() {
        assumeFalse(Files.exists(Path.of("/dev/xen/privcmd")), "this is a Xen dom0");
        Availability a = new XenBackend().probe();
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("no /dev/xen/privcmd: not a Xen dom0");
    }

    @Test
    void onAMachineWithoutXenOpenRefusesWithTheProbesReason() {
        assumeFalse(Files.exists(Path.of("/dev/xen/privcmd")), "this is a Xen dom0");
        assertThatThrownBy(() -> new XenBackend().open())
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessage("no /dev/xen/privcmd: not a Xen dom0");
    }

    @Test
    void aMissingLibraryIsNamedWithItsPackage() throws IOException {
        XenHost host = new XenHost(device(), lib -> lib == XenLibrary.CTRL
                ? Optional.of("libxenctrl.so.4.17 missing: apt-get install libxenmisc4.17") : Optional.empty(), p -> true);
        Availability a = new XenBackend(host).probe();
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("libxenctrl.so.4.17 missing: apt-get install libxenmisc4.17");
        assertThatThrownBy(() -> new XenBackend(host).open()).isInstanceOf(BackendUnavailableException.class)
                .hasMessage(a.reason());
    }

    @Test
    void aMissingDeviceIsReportedBeforeMissingLibraries() {
        XenHost host = new XenHost(dir.resolve("privcmd"), lib -> Optional.of(lib.soname() + " missing"), p -> true);
        assertThat(new XenBackend(host).probe().reason()).isEqualTo("no " + dir.resolve("privcmd") + ": not a Xen dom0");
    }

    @Test
    void withoutAccessToTheDeviceItSaysNotRoot() throws IOException {
        Path privcmd = device();
        XenHost host = new XenHost(privcmd, lib -> Optional.empty(), p -> false);
        Availability a = new XenBackend(host).probe();
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo("not root: no read-write access to " + privcmd);
    }

    @Test
    void withDeviceLibrariesAndAccessItIsAvailable() throws IOException {
        XenHost host = new XenHost(device(), lib -> Optional.empty(), p -> true);
        Availability a = new XenBackend(host).probe();
        assertThat(a.available()).isTrue();
        assertThat(a.reason()).startsWith("Xen dom0");
    }

    @Test
    void theRealLibraryCheckIsAskedForEveryLibraryASourceOpens() throws IOException {
        java.util.List<XenLibrary> asked = new java.util.ArrayList<>();
        XenHost host = new XenHost(device(), lib -> {
            asked.add(lib);
            return lib.problem();
        }, p -> true);
        assertThat(new XenBackend(host).probe().available()).isTrue();
        assertThat(asked).containsExactlyElementsOf(XenHost.REQUIRED);
    }

    private Path device() throws IOException {
        return Files.createFile(dir.resolve("privcmd"));
    }
}

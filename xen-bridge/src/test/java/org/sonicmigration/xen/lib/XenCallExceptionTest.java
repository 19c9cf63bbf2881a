package org.sonicmigration.xen.lib;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.BackendUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;

class XenCallExceptionTest {

    @Test
    void namesTheCallItsTargetAndErrnoWithLibcsText() {
        XenCallException e = new XenCallException("xc_domain_pause", "domain 7", -1, 3);
        assertThat(e).isInstanceOf(BackendException.class);
        assertThat(e.getMessage()).isEqualTo("xc_domain_pause(domain 7) failed (returned -1): errno 3 (No such process)");
        assertThat(e.function()).isEqualTo("xc_domain_pause");
        assertThat(e.errno()).isEqualTo(3);
        assertThat(e.errnoText()).isEqualTo("No such process");
    }

    @Test
    void unavailabilityIsAnSpiUnavailableException() {
        XenUnavailableException e = new XenUnavailableException("xc_interface_open", "/dev/xen/privcmd missing", 2, "not a Xen dom0");
        assertThat(e).isInstanceOf(BackendUnavailableException.class);
        assertThat(e.getMessage()).isEqualTo(
                "xc_interface_open failed: /dev/xen/privcmd missing (errno 2, No such file or directory): not a Xen dom0");
    }

    @Test
    void openFailuresAreClassifiedByErrno() {
        assertThat(Unavailability.of("xenevtchn_open", 2, "/dev/xen/evtchn")).isInstanceOf(XenUnavailableException.class)
                .hasMessageContaining("/dev/xen/evtchn missing").hasMessageEndingWith("not a Xen dom0");
        assertThat(Unavailability.of("xenevtchn_open", 13, "/dev/xen/evtchn")).isInstanceOf(XenUnavailableException.class)
                .hasMessageContaining("no permission on /dev/xen/evtchn").hasMessageEndingWith("not root");
        assertThat(Unavailability.of("xenevtchn_open", 12, "/dev/xen/evtchn")).isExactlyInstanceOf(XenCallException.class)
                .hasMessageContaining("Cannot allocate memory");
    }
}

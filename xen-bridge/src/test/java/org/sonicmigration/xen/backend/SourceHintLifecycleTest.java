package org.sonicmigration.xen.backend;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HintUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Xen source domain lets go of its hint channel before it destroys the guest (a grant mapping still
 * held keeps a destroyed guest as a zombie) and when it is closed, and asking for hints fails only with
 * a reason. Runs {@link XenSourceDomain} itself, with its hypervisor ends replaced.
 */
class SourceHintLifecycleTest {
    private final List<String> log = new ArrayList<>();

    class RecordingChannel implements HintSlot.Owned {
        final String name;
        boolean closed;

        RecordingChannel(String name) {
            this.name = name;
        }

        @Override
        public MemorySegment area() {
            return MemorySegment.NULL;
        }

        @Override
        public void notifyGuest() {}

        @Override
        public boolean awaitGuestEvent(Duration timeout) {
            return false;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                log.add("close " + name);
            }
        }
    }

    private final XenSourceDomain.Ending ending = new XenSourceDomain.Ending() {
        @Override
        public void destroy(int domid) {
            log.add("destroy " + domid);
        }

        @Override
        public void forget(XenSourceDomain source) {
            log.add("forget");
        }
    };

    private XenSourceDomain source(HintSlot.Opener opener) {
        return new XenSourceDomain(null, 7, opener, ending);
    }

    @Test
    void destroyClosesTheChannelFirst() {
        XenSourceDomain s = source(() -> Optional.of(new RecordingChannel("hints")));
        assertThat(s.hintChannel()).isPresent();
        s.destroy();
        assertThat(log).containsExactly("close hints", "destroy 7");
    }

    @Test
    void aChannelThatFailsToCloseDoesNotStopTheDestroy() {
        XenSourceDomain s = source(() -> Optional.of(new RecordingChannel("hints") {
            @Override
            public void close() {
                super.close();
                throw new IllegalStateException("xengnttab_unmap failed");
            }
        }));
        s.hintChannel();
        s.destroy();
        assertThat(log).containsExactly("close hints", "destroy 7");
    }

    @Test
    void closingTheSourceClosesTheChannelItLeftOpen() {
        XenSourceDomain s = source(() -> Optional.of(new RecordingChannel("hints")));
        HintChannel c = s.hintChannel().orElseThrow();
        s.close();
        s.close();
        assertThat(log).containsExactly("close hints", "forget");
        assertThat(((RecordingChannel) c).closed).isTrue();
    }

    @Test
    void oneChannelAtATime() {
        int[] n = {0};
        XenSourceDomain s = source(() -> Optional.of(new RecordingChannel("hints" + ++n[0])));
        HintChannel first = s.hintChannel().orElseThrow();
        assertThat(s.hintChannel()).as("still open: the same one").containsSame(first);
        first.close();
        HintChannel second = s.hintChannel().orElseThrow();
        assertThat(second).isNotSameAs(first);
        s.destroy();
        assertThat(log).containsExactly("close hints1", "close hints2", "destroy 7");
    }

    @Test
    void aGuestWithoutAdvertisementHasNoChannelAndNothingToClose() {
        XenSourceDomain s = source(Optional::empty);
        assertThat(s.hintChannel()).isEmpty();
        s.destroy();
        assertThat(log).containsExactly("destroy 7");
    }

    @Test
    void everyFailureToOpenIsAHintUnavailableReason() {
        XenSourceDomain refused = source(() -> {
            throw new HintUnavailableException("guest advertises abi 2.0, this dom0 speaks 1.x");
        });
        assertThatThrownBy(refused::hintChannel).isInstanceOf(HintUnavailableException.class)
                .hasMessage("guest advertises abi 2.0, this dom0 speaks 1.x");
        XenSourceDomain broken = source(() -> {
            throw new IllegalStateException("xengnttab handle already closed");
        });
        assertThatThrownBy(broken::hintChannel).isInstanceOf(HintUnavailableException.class)
                .hasMessage("opening the hint channel of domain 7 failed: xengnttab handle already closed")
                .hasCauseInstanceOf(IllegalStateException.class);
    }
}

package org.sonicmigration.xen.backend;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.xen.lib.EventChannels;
import org.sonicmigration.xen.lib.GrantTables;
import org.sonicmigration.xen.lib.ToolLogger;

/**
 * Opens a guest's hint channel with the real Xen libraries: reads the advertisement from xenstore, opens
 * a libxengnttab and a libxenevtchn handle of the channel's own, and hands them to {@link XenHintChannel}.
 * Every failure becomes a {@link HintUnavailableException} saying what was missing.
 */
final class XenHintChannels {
    private XenHintChannels() {}

    /**
     * @param directory the guest's {@code /local/domain/<domid>/data/sonic}
     * @return empty if the guest advertises no hint area (then no Xen device is opened)
     */
    static Optional<XenHintChannel> open(HintStore store, String directory, ToolLogger logger, int domid) {
        Optional<HintAdvertisement> ad = HintAdvertisementReader.read(store, directory);
        if (ad.isEmpty()) {
            return Optional.empty();
        }
        GrantTables gnttab;
        try {
            gnttab = GrantTables.open(logger);
        } catch (BackendException e) {
            throw new HintUnavailableException("cannot map the guest's hint area: " + e.getMessage(), e);
        }
        EventChannels evtchn;
        try {
            evtchn = EventChannels.open(logger);
        } catch (BackendException e) {
            gnttab.close();
            throw new HintUnavailableException("cannot bind the guest's hint event channel: " + e.getMessage(), e);
        }
        return Optional.of(XenHintChannel.open(domid, ad.get(), grants(gnttab), events(evtchn), store, directory,
                System::nanoTime));
    }

    static XenHintChannel.Grants grants(GrantTables gnttab) {
        return new XenHintChannel.Grants() {
            @Override
            public XenHintChannel.Pages mapReadOnly(int domid, int[] refs) {
                GrantTables.Mapping m = gnttab.map(domid, refs, false);
                return new XenHintChannel.Pages() {
                    @Override
                    public MemorySegment segment() {
                        return m.pages();
                    }

                    @Override
                    public void close() {
                        m.close();
                    }
                };
            }

            @Override
            public void close() {
                gnttab.close();
            }
        };
    }

    static XenHintChannel.Events events(EventChannels evtchn) {
        return new XenHintChannel.Events() {
            @Override
            public int bind(int domid, int remotePort) {
                return evtchn.bindInterdomain(domid, remotePort);
            }

            @Override
            public void notify(int localPort) {
                evtchn.notify(localPort);
            }

            @Override
            public OptionalInt await(Duration timeout) throws InterruptedException {
                return evtchn.awaitEvent(timeout);
            }

            @Override
            public void unbind(int localPort) {
                evtchn.unbind(localPort);
            }

            @Override
            public void close() {
                evtchn.close();
            }
        };
    }
}

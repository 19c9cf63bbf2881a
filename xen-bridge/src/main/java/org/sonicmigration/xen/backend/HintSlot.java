package org.sonicmigration.xen.backend;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HintUnavailableException;

/**
 * The hint channel a source domain has open, so that the source can close it before it destroys the
 * guest and when it is closed itself: a grant mapping dom0 still holds keeps a destroyed guest as a
 * zombie. Opening never fails in another way than {@link HintUnavailableException}; while the channel
 * is open, asking again gives the same one (one channel per source, as the simulator's).
 */
final class HintSlot {
    private static final Logger LOG = LoggerFactory.getLogger(HintSlot.class);

    /** A channel that can say whether someone closed it already. */
    interface Owned extends HintChannel {
        boolean isClosed();
    }

    /** Opens the guest's channel; empty when the guest advertises none. */
    interface Opener {
        Optional<? extends Owned> open();
    }

    private final int domid;
    private final Opener opener;
    private Owned current;

    HintSlot(int domid, Opener opener) {
        this.domid = domid;
        this.opener = opener;
    }

    /**
     * @throws HintUnavailableException the guest's channel cannot be used, whatever failed underneath
     */
    synchronized Optional<HintChannel> open() {
        if (current != null && !current.isClosed()) {
            return Optional.of(current);
        }
        current = null;
        Optional<? extends Owned> channel;
        try {
            channel = opener.open();
        } catch (HintUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HintUnavailableException("opening the hint channel of domain " + domid + " failed: "
                    + e.getMessage(), e);
        }
        current = channel.orElse(null);
        return Optional.ofNullable(current);
    }

    /** Closes the open channel, if any; never throws. */
    synchronized void close() {
        if (current == null) {
            return;
        }
        Owned c = current;
        current = null;
        try {
            c.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the hint channel of domain {} failed (if its area stays mapped, the domain stays a "
                    + "zombie once destroyed): {}", domid, e.getMessage());
        }
    }
}

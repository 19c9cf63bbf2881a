package org.sonicmigration.xen.backend;

import org.sonicmigration.xen.lib.HypercallBuffer;
import org.sonicmigration.xen.lib.XenCallException;
import org.sonicmigration.xen.lib.XenCtrl;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.ffi.xenctrl_h;

/**
 * Log-dirty mode of one domain, as Xen's saver drives it: enabled with shadow op ENABLE_LOGDIRTY (and,
 * if that fails because it is already on, OFF then ENABLE_LOGDIRTY again); read with CLEAN (read and
 * reset) or PEEK (read only) into a hypercall buffer, then copied into a {@link PageBitmap}; the clean
 * after suspend in FINAL mode; OFF on close. A read that Xen says covered fewer frames than the domain
 * has fails rather than hand the engine a partial bitmap.
 */
final class XenDirtyLog implements DirtyLog {
    private final XenCtrl xc;
    private final int domid;
    private final long frames;
    private final HypercallBuffer bitmap;
    private boolean closed;

    private XenDirtyLog(XenCtrl xc, int domid, long frames, HypercallBuffer bitmap) {
        this.xc = xc;
        this.domid = domid;
        this.frames = frames;
        this.bitmap = bitmap;
    }

    /** Turns log-dirty on for {@code frames} guest frames (the domain's pfn limit). */
    static XenDirtyLog enable(XenCtrl xc, int domid, long frames) {
        int pages = bitmapPages(frames);
        HypercallBuffer bitmap = xc.allocateBuffer(pages);
        try {
            try {
                xc.shadowControl(domid, xenctrl_h.XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY());
            } catch (XenCallException first) {
                // there is no query op: assume it was left on (a crashed earlier run) and start over
                try {
                    xc.shadowControl(domid, xenctrl_h.XEN_DOMCTL_SHADOW_OP_OFF());
                    xc.shadowControl(domid, xenctrl_h.XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY());
                } catch (XenCallException second) {
                    second.addSuppressed(first);
                    throw second;
                }
            }
            return new XenDirtyLog(xc, domid, frames, bitmap);
        } catch (RuntimeException e) {
            bitmap.close();
            throw e;
        }
    }

    /** Pages of bitmap for {@code frames} bits; bounded so a bogus pfn limit cannot make us allocate gigabytes. */
    static int bitmapPages(long frames) {
        if (frames <= 0 || frames > XenSourceDomain.MAX_FRAMES) {
            throw new BackendException("frame count " + frames + " outside 1.." + XenSourceDomain.MAX_FRAMES);
        }
        long bytes = (frames + 7) / 8;
        return (int) ((bytes + xenctrl_h.XC_PAGE_SIZE() - 1) / xenctrl_h.XC_PAGE_SIZE());
    }

    @Override
    public synchronized void fetchAndClean(PageBitmap into) {
        read(xenctrl_h.XEN_DOMCTL_SHADOW_OP_CLEAN(), 0, into);
    }

    /** The clean after suspend, with Xen's FINAL mode as its saver uses it. */
    @Override
    public synchronized void fetchFinal(PageBitmap into) {
        read(xenctrl_h.XEN_DOMCTL_SHADOW_OP_CLEAN(), xenctrl_h.XEN_DOMCTL_SHADOW_LOGDIRTY_FINAL(), into);
    }

    @Override
    public synchronized void peek(PageBitmap into) {
        read(xenctrl_h.XEN_DOMCTL_SHADOW_OP_PEEK(), 0, into);
    }

    private void read(int op, int mode, PageBitmap into) {
        if (closed) {
            throw new IllegalStateException("dirty log of domain " + domid + " already closed");
        }
        if (into.size() != frames) {
            throw new IllegalArgumentException("bitmap has " + into.size() + " frames, domain " + domid + " has " + frames);
        }
        bitmap.data().fill((byte) 0);
        xc.logDirty(domid, op, bitmap, frames, mode);
        into.copyFrom(bitmap.data());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            xc.shadowControl(domid, xenctrl_h.XEN_DOMCTL_SHADOW_OP_OFF());
        } finally {
            bitmap.close();
        }
    }
}

package org.sonicmigration.xen.lib;

import org.sonicmigration.spi.BackendException;

/**
 * A Xen library call failed. Carries the C function's name, what it was applied to, its return value
 * and the errno it left (with libc's text for it), so a log line says exactly which call failed and why.
 */
public class XenCallException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final String function;
    private final long returnValue;
    private final int errno;
    private final String errnoText;

    /**
     * @param function    the C function, e.g. {@code xc_domain_pause}
     * @param context     what it was applied to, e.g. {@code domain 7} (may be empty)
     * @param returnValue what it returned (the library's failure value or error code)
     * @param errno       the errno captured right after the call
     */
    public XenCallException(String function, String context, long returnValue, int errno) {
        this(function, context, returnValue, errno, Errno.describe(errno), "");
    }

    XenCallException(String function, String context, long returnValue, int errno, String errnoText, String detail) {
        super(function + "(" + context + ") failed (returned " + returnValue + "): errno " + errno + " (" + errnoText + ")"
                + (detail.isEmpty() ? "" : "; " + detail));
        this.function = function;
        this.returnValue = returnValue;
        this.errno = errno;
        this.errnoText = errnoText;
    }

    public String function() {
        return function;
    }

    public long returnValue() {
        return returnValue;
    }

    public int errno() {
        return errno;
    }

    public String errnoText() {
        return errnoText;
    }
}

package org.sonicmigration.transport;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Turns the JDK's TLS failures on the source side into the sentence an operator can act on: whose
 * certificate was not trusted, or that the other end does not speak TLS. The JDK's own text names a
 * certificate path builder, which says little to someone moving a guest.
 */
final class TlsFailure {
    private TlsFailure() {}

    /** Why the source could not authenticate the receiver, or the receiver refused the source. */
    static String clientReason(SSLException e) {
        if (causedBy(e, CertPathBuilderException.class)) {
            return "the receiver's certificate is not signed by a CA in --tls-truststore";
        }
        if (causedBy(e, CertificateException.class)) {
            return "the receiver's certificate does not name the host we dialled: " + e.getMessage();
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("Unsupported or unrecognized SSL message")) {
            return "the receiver does not speak TLS (start it with --tls-keystore and --tls-truststore too)";
        }
        if (m.contains("alert")) {
            return "the receiver refused our certificate (" + m + "): is it signed by a CA in the receiver's"
                    + " truststore?";
        }
        return m;
    }

    static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}

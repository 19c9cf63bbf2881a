package org.sonicmigration.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the sonic-to-sonic TCP link is protected: plaintext, or TLS 1.3 with both ends proving who they are
 * with a certificate signed by a CA the other end trusts. It turns a connected socket into the socket
 * the handshake and the stream then use, on either side, and turns a failed TLS handshake into one line
 * that says which side refused whom.
 */
public sealed interface LinkSecurity permits LinkSecurity.Plaintext, LinkSecurity.MutualTls {

    /** No protection: anyone who reaches the port can feed the receiver. */
    LinkSecurity PLAINTEXT = new Plaintext();

    /** True if the link is encrypted and both ends authenticated. */
    boolean authenticated();

    /**
     * The source side: secures a socket connected to {@code peer}.
     *
     * @throws XlHandshake.HandshakeException if the receiver could not be authenticated
     */
    Socket client(Socket connected, InetSocketAddress peer) throws IOException;

    /**
     * The receiver side: secures an accepted socket.
     *
     * @throws RefusedPeerException if the peer is not a source this receiver accepts (it has been told why)
     */
    Socket server(Socket accepted) throws IOException;

    /** A connecting peer this receiver does not take; it keeps listening for the real source. */
    final class RefusedPeerException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedPeerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** True for an address only this host can reach (127.0.0.0/8, ::1), where plaintext is harmless. */
    static boolean loopback(InetSocketAddress address) {
        InetAddress a = address.getAddress();
        return a != null && a.isLoopbackAddress();
    }

    /** The plaintext link. */
    record Plaintext() implements LinkSecurity {
        @Override
        public boolean authenticated() {
            return false;
        }

        @Override
        public Socket client(Socket connected, InetSocketAddress peer) {
            return connected;
        }

        @Override
        public Socket server(Socket accepted) {
            return accepted;
        }
    }

    /**
     * TLS 1.3 only, the client's certificate required, the receiver's certificate checked against the host
     * name or address the source dialled (its subject alternative names), so a certificate the CA issued to
     * another host cannot stand in for the destination.
     */
    record MutualTls(SSLContext context) implements LinkSecurity {
        private static final String[] PROTOCOLS = {"TLSv1.3"};
        /** TLS record type "handshake": the first byte of every ClientHello. */
        private static final int TLS_HANDSHAKE_RECORD = 0x16;
        /**
         * How long the receiver waits for a ClientHello: a TLS client sends it as soon as it is connected,
         * while a plaintext sonic waits for the receiver's banner, so silence means plaintext.
         */
        private static final int CLIENT_HELLO_MILLIS = 3000;

        /**
         * Loads this host's key and certificate chain and the trusted CA certificates from PKCS#12 files
         * (what {@code keytool -storetype PKCS12} writes), both opened with {@code password}.
         *
         * @throws IllegalArgumentException with a one-line reason if a file is missing, unreadable, holds no
         *                                  key (keystore) or no certificate (truststore)
         */
        public static MutualTls fromPkcs12(Path keystore, Path truststore, char[] password) {
            KeyStore keys = load(keystore, password, "--tls-keystore");
            KeyStore trusted = load(truststore, password, "--tls-truststore");
            try {
                if (Collections.list(keys.aliases()).stream().noneMatch(a -> isKey(keys, a))) {
                    throw new IllegalArgumentException("--tls-keystore " + keystore + " holds no private key");
                }
                if (Collections.list(trusted.aliases()).stream().noneMatch(a -> isCertificate(trusted, a))) {
                    throw new IllegalArgumentException("--tls-truststore " + truststore + " holds no trusted certificate");
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                SSLContext context = SSLContext.getInstance("TLSv1.3");
                context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
                return new MutualTls(context);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot set up TLS from " + keystore + " and " + truststore + ": "
                        + e.getMessage(), e);
            }
        }

        private static KeyStore load(Path file, char[] password, String option) {
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                return ks;
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(option + " " + file + ": no such file", e);
            } catch (IOException | GeneralSecurityException e) {
                // A wrong password and a file that is not PKCS#12 both end here; the JDK's text says which.
                throw new IllegalArgumentException(option + " " + file + ": cannot open it as a PKCS#12 keystore"
                        + " with the given password (" + e.getMessage() + ")", e);
            }
        }

        private static boolean isKey(KeyStore ks, String alias) {
            try {
                return ks.isKeyEntry(alias);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        private static boolean isCertificate(KeyStore ks, String alias) {
            try {
                return ks.isCertificateEntry(alias);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }

        @Override
        public boolean authenticated() {
            return true;
        }

        @Override
        public Socket client(Socket connected, InetSocketAddress peer) throws IOException {
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(connected, peer.getHostString(),
                    peer.getPort(), true);
            SSLParameters p = tls.getSSLParameters();
            p.setProtocols(PROTOCOLS);
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
            tls.setUseClientMode(true);
            try {
                tls.startHandshake();
            } catch (SSLException e) {
                tls.close();
                throw new XlHandshake.HandshakeException("TLS handshake with " + peer.getHostString() + ":"
                        + peer.getPort() + " failed: " + TlsFailure.clientReason(e), e);
            }
            return tls;
        }

        @Override
        public Socket server(Socket accepted) throws IOException {
            String who = accepted.getInetAddress().getHostAddress() + ":" + accepted.getPort();
            int saved = accepted.getSoTimeout();
            int first;
            accepted.setSoTimeout(CLIENT_HELLO_MILLIS);
            try {
                first = accepted.getInputStream().read();
            } catch (SocketTimeoutException e) {
                first = -2;
            } finally {
                accepted.setSoTimeout(saved);
            }
            if (first != TLS_HANDSHAKE_RECORD) {
                if (first != -1) {
                    // Said in xl's refusal format, which a plaintext sonic prints as the receiver's reason.
                    XlHandshake.sendError(accepted.getOutputStream(), "this receiver takes TLS connections only:"
                            + " run sonic migrate with --tls-keystore and --tls-truststore");
                }
                accepted.close();
                throw new RefusedPeerException("refused " + who + ": it did not start a TLS handshake", null);
            }
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(accepted,
                    new ByteArrayInputStream(new byte[] {(byte) first}), true);
            SSLParameters p = tls.getSSLParameters();
            p.setProtocols(PROTOCOLS);
            p.setNeedClientAuth(true);
            tls.setSSLParameters(p);
            tls.setUseClientMode(false);
            try {
                tls.startHandshake();
            } catch (SSLHandshakeException e) {
                tls.close();
                // The JDK's client offers only a certificate some CA of ours signed, so a foreign one shows up
                // as no certificate at all.
                String m = String.valueOf(e.getMessage());
                String reason = TlsFailure.causedBy(e, CertPathBuilderException.class) || m.contains("Empty client certificate")
                        ? "it presented no certificate signed by a CA in --tls-truststore" : m;
                throw new RefusedPeerException("refused " + who + ": " + reason, e);
            } catch (SSLException e) {
                tls.close();
                throw new RefusedPeerException("refused " + who + ": TLS handshake failed: " + e.getMessage(), e);
            }
            return tls;
        }
    }
}

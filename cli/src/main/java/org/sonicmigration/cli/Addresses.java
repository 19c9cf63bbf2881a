package org.sonicmigration.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine;

/**
 * Parses {@code HOST:PORT} and {@code :PORT} arguments with a clear error. Without a host the address is
 * loopback: a receiver reachable from other hosts is something to ask for, not a default.
 */
final class Addresses {
    private Addresses() {}

    /** Where to listen: {@code PORT}, {@code :PORT} (both loopback) or {@code HOST:PORT}. */
    static InetSocketAddress listen(String text, CommandLine cl) {
        return parse(text.matches("[0-9]+") ? ":" + text : text, cl);
    }

    static InetSocketAddress parse(String text, CommandLine cl) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new CommandLine.ParameterException(cl, "'" + text + "' is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "'" + text + "' has no valid port number");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cl, "port " + port + " is out of range");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port)
                : new InetSocketAddress(host, port);
    }
}

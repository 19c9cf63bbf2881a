package org.sonicmigration.transport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A receiver started as a local command and spoken to over its standard input and output with xl's
 * handshake, as {@code xl migrate -s} does: {@code xl migrate-receive} on this host, or
 * {@code ssh HOST xl migrate-receive} for another one. The command line runs under {@code /bin/sh -c};
 * its standard error passes through (it is the receiver's log). A receiver that stays silent or stops
 * reading for longer than the timeout is killed with its child processes.
 */
public final class ProcessDestination extends HandshakeDestination {
    /** How long a receiver that broke the stream gets to exit, so its exit status can be reported. */
    private static final long EXIT_GRACE_MILLIS = 2000;

    private final String command;
    private final Redirect stderr;
    private Process process;

    /**
     * @param command a shell command line whose standard input takes the stream, e.g. {@code xl migrate-receive}
     * @param timeout how long the receiver may stay silent or stop reading
     */
    public ProcessDestination(String command, Duration timeout) {
        this(command, timeout, Redirect.INHERIT);
    }

    ProcessDestination(String command, Duration timeout, Redirect stderr) {
        super(timeout);
        if (command.isBlank()) {
            throw new IllegalArgumentException("the receiver command is empty");
        }
        this.command = command;
        this.stderr = stderr;
    }

    @Override
    Channel connect() throws IOException {
        try {
            process = new ProcessBuilder("/bin/sh", "-c", command).redirectError(stderr).start();
        } catch (IOException e) {
            throw new IOException("could not start the receiver " + describe() + ": " + e.getMessage(), e);
        }
        return new Channel(process.getInputStream(), new ExitReporting(process.getOutputStream()), this::kill, true);
    }

    /** A write that fails because the receiver quit says so, with its exit status (its stderr says why). */
    private final class ExitReporting extends FilterOutputStream {
        ExitReporting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw explain(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw explain(e);
            }
        }
    }

    @Override
    IOException explain(IOException e) {
        Optional<Integer> status = exitStatus();
        if (status.isEmpty() || stalled()) {
            return e;
        }
        String exited = "the receiver " + describe() + " exited with status " + status.get();
        return switch (e) {
            case PeerRefusedException r -> new PeerRefusedException(r.reason() + "; " + exited, r);
            case XlHandshake.HandshakeException h ->
                    new XlHandshake.HandshakeException(exited + " (" + e.getMessage() + "); its own messages say why");
            default -> new IOException(exited + " (" + e.getMessage() + "); its own messages say why", e);
        };
    }

    /** The receiver's exit status, waiting briefly for it to exit. */
    private Optional<Integer> exitStatus() {
        if (process == null) {
            return Optional.empty();
        }
        try {
            if (process.waitFor(EXIT_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                return Optional.of(process.exitValue());
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /** Kills the receiver and every process it started (a shell pipeline's children hold the pipes too). */
    private void kill() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Override
    public String describe() {
        return "command '" + command + "'";
    }

    /**
     * Ends the receiver's input and lets it finish (after a failure it cleans up its half-built copy);
     * kills it only if it is still running after the timeout.
     */
    @Override
    public void close() throws IOException {
        closeWatchdog();
        if (process == null) {
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the receiver has gone already
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}

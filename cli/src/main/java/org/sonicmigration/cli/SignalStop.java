package org.sonicmigration.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.sonicmigration.engine.MigrationControl;

/**
 * While a command runs a migration, makes SIGINT and SIGTERM a stop request to the engine instead of the
 * JVM's default (run the shutdown hooks and exit at once, which would leave a suspended guest suspended,
 * or log-dirty on): before the engine starts nothing is touched and the command exits at once; during the
 * live passes and the downtime the engine rolls back and the command prints its report; once the
 * destination may start the guest the signal is too late and the hand-over completes. The exit code is
 * {@link ExitCode#INTERRUPTED_SIGINT} or {@link ExitCode#INTERRUPTED_SIGTERM} if the stop was honoured.
 *
 * <p>Signals are caught with {@code sun.misc.Signal} of the {@code jdk.unsupported} module (the only way
 * the JDK offers to handle a signal without starting the JVM's shutdown), reached by reflection so that
 * the build shows no internal-API warning. Where it is missing, or the signal was ignored when the JVM
 * started (a background job of a non-interactive shell ignores SIGINT), the JVM's default stays.
 */
final class SignalStop implements AutoCloseable {
    static final List<String> SIGNALS = List.of("INT", "TERM");

    private final MigrationControl control;
    private final PrintWriter err;
    private final IntConsumer exit;
    private final AtomicReference<String> received = new AtomicReference<>();
    private final List<Runnable> restore = new ArrayList<>();

    SignalStop(MigrationControl control, PrintWriter err, IntConsumer exit) {
        this.control = control;
        this.err = err;
        this.exit = exit;
    }

    /** Catches SIGINT and SIGTERM for {@code control} until closed. */
    static SignalStop install(MigrationControl control, PrintWriter err) {
        SignalStop stop = new SignalStop(control, err, System::exit);
        stop.catchSignals();
        return stop;
    }

    /** The signal that asked to stop, e.g. {@code SIGINT}; empty if none came. */
    Optional<String> received() {
        return Optional.ofNullable(received.get());
    }

    /** What a signal does, on the JVM's signal thread. */
    void onSignal(String signal) {
        received.compareAndSet(null, signal);
        switch (control.requestAbort(signal)) {
            case NOT_STARTED -> {
                say(signal + ": stopped before the migration started; the guest was not touched");
                exit.accept(ExitCode.interruptedBy(signal).code);
            }
            case WILL_STOP -> say(signal + ": stopping the migration; the guest is being restored on this host,"
                    + " wait for the report");
            case TOO_LATE -> say(signal + ": too late to stop, the destination may already run the guest;"
                    + " finishing the hand-over");
        }
    }

    private void say(String line) {
        err.println("sonic: " + line);
        err.flush();
    }

    private void catchSignals() {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            for (String name : SIGNALS) {
                Object signal = signalType.getConstructor(String.class).newInstance(name);
                Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                        (proxy, method, args) -> {
                            if (method.getName().equals("handle")) {
                                onSignal("SIG" + name);
                                return null;
                            }
                            return switch (method.getName()) {
                                case "hashCode" -> System.identityHashCode(proxy);
                                case "equals" -> proxy == args[0];
                                default -> "SignalStop[" + name + "]";
                            };
                        });
                Object previous = handle.invoke(null, signal, handler);
                restore.add(() -> {
                    try {
                        handle.invoke(null, signal, previous);
                    } catch (ReflectiveOperationException e) {
                        // The JVM's own handler could not be put back: the process is ending anyway.
                    }
                });
            }
        } catch (InvocationTargetException e) {
            // The JVM keeps this signal for itself (e.g. -Xrs): its default stays.
        } catch (ReflectiveOperationException | LinkageError e) {
            // No sun.misc.Signal in this runtime: the JVM's default stays.
        }
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
        restore.clear();
    }
}

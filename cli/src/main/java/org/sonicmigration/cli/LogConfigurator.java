package org.sonicmigration.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The command line's logging set up in code, found by logback through the service loader: warnings and
 * errors to standard error as {@code sonic: LEVEL Logger: message}. In code rather than in a
 * {@code logback.xml} because reading XML loads a parser and several hundred classes: over half a second
 * of every start here, and many seconds in the lab's emulated dom0. {@link Logging} changes the levels
 * and the pattern for {@code --debug}.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String APPENDER = "ERR";
    private static final String PATTERN = "sonic: %-5level %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> err = new ConsoleAppender<>();
        err.setContext(context);
        err.setName(APPENDER);
        err.setTarget("System.err");
        err.setEncoder(encoder);
        err.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(err);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}

package org.sonicmigration.xen.lib;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Collects what reaches the SLF4J loggers below {@code org.sonicmigration.xen.native}, without printing
 * it: the appender replaces the console for that subtree while a test runs.
 */
final class CapturedLogs implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ToolLogger.LOGGER_PREFIX);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level = logger.getLevel();
    private final boolean additive = logger.isAdditive();

    CapturedLogs() {
        appender.start();
        logger.addAppender(appender);
        logger.setAdditive(false);
        logger.setLevel(Level.TRACE);
    }

    List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    ILoggingEvent single() {
        List<ILoggingEvent> all = events();
        if (all.size() != 1) {
            throw new AssertionError("expected one log event, got " + all.size() + ": " + all);
        }
        return all.getFirst();
    }

    void clear() {
        appender.list.clear();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setAdditive(additive);
        logger.setLevel(level);
    }
}

package dev.probe.broker;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every log line at WARN and above that reaches the root logger while it is open, as
 * {@code LEVEL logger: message} plus the exception's text when there is one, so that a test can count
 * the lines a run printed and check that no secret appears in them. Needs log4j-core as the logging
 * backend. Open and close on the test thread; lines may arrive from any thread.
 */
public final class CapturedLogs implements AutoCloseable {
    private final Collector collector = new Collector();
    private final LoggerContext context;

    /** Starts collecting. */
    public CapturedLogs() {
        context = (LoggerContext) LogManager.getContext(false);
        collector.start();
        final Configuration config = context.getConfiguration();
        config.addAppender(collector);
        config.getRootLogger().addAppender(collector, Level.WARN, null);
        context.updateLoggers();
    }

    /** The lines collected so far. */
    public List<String> lines() {
        synchronized (collector.lines) {
            return List.copyOf(collector.lines);
        }
    }

    /** The lines collected so far whose logger name starts with {@code prefix}. */
    public List<String> lines(final String prefix) {
        return lines().stream().filter(l -> l.substring(l.indexOf(' ') + 1).startsWith(prefix)).toList();
    }

    /** Stops collecting. */
    @Override
    public void close() {
        final Configuration config = context.getConfiguration();
        final LoggerConfig root = config.getRootLogger();
        root.removeAppender(collector.getName());
        context.updateLoggers();
        collector.stop();
    }

    private static final class Collector extends AbstractAppender {
        private final List<String> lines = new ArrayList<>();

        Collector() {
            super("probe-captured-logs-" + System.identityHashCode(new Object()), null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(final LogEvent event) {
            final StringBuilder line = new StringBuilder(event.getLevel().name()).append(' ')
                    .append(event.getLoggerName()).append(": ").append(event.getMessage().getFormattedMessage());
            for (Throwable t = event.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                line.append(" | ").append(t);
            }
            synchronized (lines) {
                lines.add(line.toString());
            }
        }
    }
}

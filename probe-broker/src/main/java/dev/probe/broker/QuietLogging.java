package dev.probe.broker;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers the embedded broker's loggers to WARN, when log4j-core is the logging backend, without
 * touching any other logger or replacing the application's configuration file. A broker logs
 * hundreds of INFO lines while starting; with another backend this does nothing.
 */
final class QuietLogging {
    /** The server's logger names; clients ({@code org.apache.kafka.clients}) are left alone. */
    private static final List<String> BROKER_LOGGERS = List.of(
            "kafka", "state.change.logger", "org.apache.kafka.server", "org.apache.kafka.controller",
            "org.apache.kafka.raft", "org.apache.kafka.metadata", "org.apache.kafka.image",
            "org.apache.kafka.storage", "org.apache.kafka.coordinator", "org.apache.kafka.queue",
            "org.apache.kafka.security", "org.apache.kafka.snapshot", "org.apache.kafka.network",
            "org.apache.kafka.common.network", "org.apache.kafka.common.security",
            "org.apache.kafka.common.utils.AppInfoParser", "org.apache.kafka.common.config.AbstractConfig");

    /** Loggers whose warnings are routine on a fresh single-node cluster (the bootstrap activation notice). */
    private static final List<String> ROUTINE_WARNINGS = List.of("org.apache.kafka.controller.QuorumController");

    private QuietLogging() {
    }

    static void apply() {
        try {
            if (!(LogManager.getContext(false) instanceof LoggerContext)) {
                return;
            }
            final Map<String, Level> levels = new LinkedHashMap<>();
            raise(levels, BROKER_LOGGERS, Level.WARN);
            raise(levels, ROUTINE_WARNINGS, Level.ERROR);
            Configurator.setLevel(levels);
        } catch (LinkageError e) {
            // log4j-core absent: nothing to configure
        }
    }

    /** Only raises: a logger the application already set to {@code level} or above stays as it is. */
    private static void raise(final Map<String, Level> levels, final List<String> names, final Level level) {
        for (final String name : names) {
            final Level current = LogManager.getLogger(name).getLevel();
            if (current == null || current.isLessSpecificThan(level)) {
                levels.put(name, level);
            }
        }
    }
}

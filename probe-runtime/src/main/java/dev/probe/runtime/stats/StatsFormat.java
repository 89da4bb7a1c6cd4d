package dev.probe.runtime.stats;

import com.typesafe.config.Config;
import dev.probe.api.Settings;

/** How stats lines and the final summary are written ({@code probe.stats.format}). */
public enum StatsFormat {
    /** One line per stage, for people: {@code 2025-06-01T10:00:05.002Z stats source captured ...}. */
    TEXT,
    /** One JSON object per line holding every stage, for log shippers. */
    JSON;

    /** Reads {@code probe.stats.format}; throws {@link dev.probe.api.ProbeException} naming it when invalid. */
    public static StatsFormat from(final Config config) {
        return Settings.enumValue(config, "probe.stats.format", StatsFormat.class);
    }
}

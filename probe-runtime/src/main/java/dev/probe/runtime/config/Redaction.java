package dev.probe.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import dev.probe.api.Settings;

import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the effective {@code probe} configuration for {@code probe check}: one {@code path = value}
 * line per setting, sorted, each with where it came from, and secrets (passwords, JAAS configuration,
 * private keys, client secrets, credentials, tokens) shown as {@code "<redacted>"}.
 */
public final class Redaction {
    private static final String REDACTED = "\"<redacted>\"";

    private Redaction() {
    }

    /** The {@code probe} settings, one line each. */
    public static String render(final Config config) {
        final Map<String, ConfigValue> sorted = new TreeMap<>();
        for (final Map.Entry<String, ConfigValue> entry : config.withOnlyPath("probe").entrySet()) {
            sorted.put(entry.getKey(), entry.getValue());
        }
        final StringBuilder out = new StringBuilder();
        sorted.forEach((path, value) -> {
            final String rendered = Settings.isSecret(path) ? REDACTED : value.render(ConfigRenderOptions.concise());
            out.append(path.replace("\"", "")).append(" = ").append(rendered)
                    .append("    # ").append(Settings.where(value.origin())).append('\n');
        });
        return out.toString();
    }
}

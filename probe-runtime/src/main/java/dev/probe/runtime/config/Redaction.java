package dev.probe.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders the effective {@code probe} configuration for {@code probe check}, with secrets (passwords,
 * JAAS configuration, private keys, client secrets, credentials) replaced by {@code "<redacted>"}.
 */
public final class Redaction {
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|passwd|secret|jaas|credential|token|user\\.info|private|ssl\\.key\\.|\\.key$|keystore\\.key).*");
    private static final String REDACTED = "<redacted>";

    private Redaction() {
    }

    /** Whether a setting's path names a secret. */
    public static boolean isSecret(final String path) {
        return SECRET.matcher(path).matches() && !path.endsWith(".serializer") && !path.endsWith("key.deserializer");
    }

    /** The {@code probe} subtree as HOCON, comments naming each value's origin, secrets redacted. */
    public static String render(final Config config) {
        Config probe = config.withOnlyPath("probe");
        for (final Map.Entry<String, ?> entry : probe.entrySet()) {
            if (isSecret(entry.getKey())) {
                probe = probe.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef(REDACTED));
            }
        }
        return probe.root().render(ConfigRenderOptions.defaults().setOriginComments(true).setJson(false));
    }
}

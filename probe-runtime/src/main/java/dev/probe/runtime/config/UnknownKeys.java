package dev.probe.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rejects keys under {@code probe} that no {@code reference.conf} declares, such as the misspelt
 * {@code probe.recieve.burst-size}, suggesting the closest known key. Keys below a provider's free-form
 * paths (a client's own properties) are left to that provider.
 */
final class UnknownKeys {
    private UnknownKeys() {
    }

    /**
     * @param user the user's settings, resolved
     * @param reference every known setting with its default
     * @param freeForm paths whose keys are not declared
     * @throws ProbeException for the first unknown key
     */
    static void check(final Config user, final Config reference, final Set<String> freeForm) {
        if (!user.hasPath("probe")) {
            return;
        }
        final Set<String> known = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> e : reference.withOnlyPath("probe").entrySet()) {
            known.add(e.getKey());
        }
        final Set<String> given = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> e : user.withOnlyPath("probe").entrySet()) {
            given.add(e.getKey());
        }
        for (final String path : given) {
            if (known.contains(path) || underFreeForm(path, freeForm)) {
                continue;
            }
            if (known.stream().anyMatch(k -> k.startsWith(path + "."))) {
                throw Settings.invalid(user, path, "an object of settings (see probe check for its keys)");
            }
            final String suggestion = closest(path, known);
            throw new ProbeException("Unknown setting " + path + Settings.origin(user, path)
                    + (suggestion != null ? ": did you mean " + suggestion + "?"
                    : ": no such setting in the probe or its plugins (probe check lists every setting)"));
        }
    }

    private static boolean underFreeForm(final String path, final Set<String> freeForm) {
        for (final String prefix : freeForm) {
            if (path.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    /** The known key nearest to {@code path} when it is near enough to be a typo, else null. */
    static String closest(final String path, final Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : known) {
            final int d = distance(path, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        final int allowed = Math.max(2, Math.min(4, path.length() / 8));
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(final String a, final String b) {
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

package dev.probe.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rejects keys under {@code probe} that no {@code reference.conf} declares, such as the misspelt
 * {@code probe.recieve.burst-size}, suggesting the closest known key. Keys below a provider's free-form
 * paths (a client's own properties) are left to that provider.
 *
 * <p>The user's settings are walked as a tree, so a misspelt key whose value is {@code null} or an
 * empty object is caught too (a flat walk of HOCON skips both), and an object written where the
 * reference has a single value is reported against that setting.
 */
final class UnknownKeys {
    private UnknownKeys() {
    }

    /**
     * @param user the user's settings, resolved
     * @param reference every known setting with its default
     * @param freeForm paths whose keys are not declared
     * @throws ProbeException for the first unknown key, in sorted order
     */
    static void check(final Config user, final Config reference, final Set<String> freeForm) {
        if (!user.hasPathOrNull("probe")) {
            return;
        }
        final Map<String, ConfigValueType> known = new TreeMap<>();
        final ConfigValue referenceRoot = reference.root().get("probe");
        if (referenceRoot != null) {
            walk("probe", referenceRoot, known);
        }
        final ConfigValue userRoot = user.root().get("probe");
        final Map<String, ConfigValueType> given = new TreeMap<>();
        walk("probe", userRoot, given);
        for (final Map.Entry<String, ConfigValueType> entry : given.entrySet()) {
            final String path = entry.getKey();
            if (known.containsKey(path) || underFreeForm(path, freeForm)) {
                continue;
            }
            final String scalarAbove = knownScalarAbove(path, known);
            if (scalarAbove != null) {
                throw Settings.invalid(user, scalarAbove, "a single value, not an object (see probe check for its default)");
            }
            if (isSectionOfKnownKeys(path, known)) {
                // probe.receive = 5, or probe.receive = null: a section written as a single value
                throw Settings.invalid(user, path, "an object of settings (see probe check for its keys)");
            }
            if (freeForm.contains(path)) {
                continue; // the provider checks what it passes on
            }
            final List<String> suggestions = suggestions(path, known.keySet());
            throw new ProbeException("Unknown setting " + path + Settings.origin(user, path)
                    + (suggestions.isEmpty()
                    ? ": no such setting in the probe or its plugins (probe check lists every setting)"
                    : ": did you mean " + String.join(" or ", suggestions) + "?"));
        }
    }

    /**
     * Every leaf below {@code value}, by path: scalars, lists, nulls, and empty objects (as OBJECT).
     * Keys that need quoting in HOCON are quoted, as {@link Config#entrySet()} does.
     */
    private static void walk(final String path, final ConfigValue value, final Map<String, ConfigValueType> out) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            final ConfigObject object = (ConfigObject) value;
            if (object.isEmpty()) {
                out.put(path, ConfigValueType.OBJECT);
                return;
            }
            for (final Map.Entry<String, ConfigValue> child : object.entrySet()) {
                walk(path + "." + ConfigUtil.joinPath(child.getKey()), child.getValue(), out);
            }
            return;
        }
        out.put(path, value.valueType());
    }

    private static boolean underFreeForm(final String path, final Set<String> freeForm) {
        for (final String prefix : freeForm) {
            if (path.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    /** A known single-valued setting that {@code path} lies below, as {@code probe.receive.burst-size.x}. */
    private static String knownScalarAbove(final String path, final Map<String, ConfigValueType> known) {
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            final ConfigValueType type = known.get(path.substring(0, dot));
            if (type != null && type != ConfigValueType.OBJECT) {
                return path.substring(0, dot);
            }
        }
        return null;
    }

    private static boolean isSectionOfKnownKeys(final String path, final Map<String, ConfigValueType> known) {
        for (final String k : known.keySet()) {
            if (k.startsWith(path + ".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Known keys close enough to {@code path} to be what was meant: the nearest by edit distance when it
     * is near enough to be a typo; else the keys whose last part is the same (a key put in the wrong
     * section, as {@code probe.kafka.topic}), at most three.
     */
    static List<String> suggestions(final String path, final Set<String> known) {
        final String near = closest(path, known);
        if (near != null) {
            return List.of(near);
        }
        final String leaf = path.substring(path.lastIndexOf('.') + 1);
        final Set<String> sameLeaf = new TreeSet<>();
        for (final String k : known) {
            final String kLeaf = k.substring(k.lastIndexOf('.') + 1);
            if (kLeaf.equals(leaf) || leaf.length() >= 5 && distance(kLeaf, leaf) <= 1) {
                sameLeaf.add(k);
            }
        }
        return sameLeaf.size() <= 3 ? new ArrayList<>(sameLeaf) : List.of();
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

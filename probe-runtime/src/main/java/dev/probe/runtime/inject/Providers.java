package dev.probe.runtime.inject;

import com.typesafe.config.Config;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.SinkProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Finds capture-source and sink providers by name with {@link ServiceLoader}, so a jar on the classpath
 * is all a team needs to add one. An unknown name fails with the list of known ones.
 */
public final class Providers {
    private Providers() {
    }

    /** The source provider named by {@code probe.source.type}. */
    public static CaptureSourceProvider source(final Config config) {
        return find(config, "probe.source.type", CaptureSourceProvider.class, CaptureSourceProvider::name, "source");
    }

    /** The sink provider named by {@code probe.sink.type}. */
    public static SinkProvider sink(final Config config) {
        return find(config, "probe.sink.type", SinkProvider.class, SinkProvider::name, "sink");
    }

    private static <P> P find(final Config config, final String path, final Class<P> type,
                              final Function<P, String> name, final String kind) {
        final String wanted = Settings.nonEmptyString(config, path);
        final List<P> all = new ArrayList<>();
        ServiceLoader.load(type).forEach(all::add);
        for (final P provider : all) {
            if (name.apply(provider).equals(wanted)) {
                return provider;
            }
        }
        final TreeSet<String> known = new TreeSet<>();
        all.forEach(p -> known.add(name.apply(p)));
        throw new ProbeException("Unknown " + kind + " " + wanted + " for " + path + ": expected one of "
                + String.join(", ", known) + " (a jar providing " + type.getName()
                + " adds more)" + Settings.origin(config, path));
    }
}

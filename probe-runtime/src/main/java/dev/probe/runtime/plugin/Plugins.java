package dev.probe.runtime.plugin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.probe.api.ProbeException;
import dev.probe.api.Settings;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.CaptureSourceProvider;
import dev.probe.spi.Sink;
import dev.probe.spi.SinkContext;
import dev.probe.spi.SinkFactory;
import dev.probe.spi.SinkProvider;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The capture sources and sinks this run can use: those on the probe's own class path, and those of
 * each plugin in the plugins folder (each jar there, and each sub-folder of jars, with a class loader
 * of its own; see {@link PluginClassLoader}), found with {@link ServiceLoader}.
 *
 * <p>A plugin that cannot be loaded (a jar that is not a jar, a {@code reference.conf} that is not HOCON,
 * a services entry naming a class the plugin lacks, a provider that needs a missing class or whose
 * constructor throws, a name another provider has, a jar that provides nothing) is kept as {@link Broken}
 * with one line saying what is wrong; it stops a run only when the run asks for a source or sink that no
 * loaded plugin provides, and that run's error names it. Calls into a provider go through this class,
 * which sets the plugin's class loader as the thread's context class loader and turns a plugin's
 * exceptions (a {@link ConfigException}, a missing class, any other) into one-line
 * {@link ProbeException}s naming the jar or the setting: exit status 2, never an internal error.
 *
 * <p>Built and used on the main thread at start-up; immutable after that.
 */
public final class Plugins {
    private static final String SOURCE_PATH = "probe.source.type";
    private static final String SINK_PATH = "probe.sink.type";

    /**
     * A provider and where it came from.
     *
     * @param name the value of {@code probe.source.type} or {@code probe.sink.type} that selects it
     * @param origin its jar or folder, for messages and {@code probe check}
     * @param plugin whether it came from the plugins folder
     * @param freeFormPaths its {@code freeFormPaths()}, asked once when it was found
     */
    public record Found<P>(String name, P provider, String origin, boolean plugin, Set<String> freeFormPaths) {
        /** Copies the set. */
        public Found {
            freeFormPaths = Set.copyOf(freeFormPaths);
        }
    }

    /** A plugin that could not be loaded, and why, as one line. */
    public record Broken(String location, String problem) {
        /** {@code plugin plugins/x.jar: <problem>}. */
        public String message() {
            return "plugin " + location + ": " + problem;
        }
    }

    private final List<Found<CaptureSourceProvider>> sources;
    private final List<Found<SinkProvider>> sinks;
    private final List<Broken> broken;
    /** The {@code reference.conf} of each plugin that could be read, parsed when it was loaded. */
    private final List<Config> pluginReferences;
    private final Path directory;

    private Plugins(final List<Found<CaptureSourceProvider>> sources, final List<Found<SinkProvider>> sinks,
                    final List<Broken> broken, final List<Config> pluginReferences, final Path directory) {
        this.sources = List.copyOf(sources);
        this.sinks = List.copyOf(sinks);
        this.broken = List.copyOf(broken);
        this.pluginReferences = List.copyOf(pluginReferences);
        this.directory = directory;
    }

    /** Only the providers on the probe's own class path. */
    public static Plugins classpath() {
        return load(null);
    }

    /**
     * The providers on the class path and those of the plugins in {@code directory}.
     *
     * @param directory the plugins folder, or null for none; a folder that does not exist holds no plugins
     */
    public static Plugins load(final Path directory) {
        final List<Found<CaptureSourceProvider>> sources = new ArrayList<>();
        final List<Found<SinkProvider>> sinks = new ArrayList<>();
        final List<Broken> broken = new ArrayList<>();
        final ClassLoader app = Plugins.class.getClassLoader();
        scan(app, null, null, sources, sinks, broken);
        final List<Config> references = new ArrayList<>();
        if (directory != null && Files.isDirectory(directory)) {
            for (final Path entry : entries(directory)) {
                final PluginClassLoader loader = loader(entry, app, broken);
                if (loader == null) {
                    continue;
                }
                final Config reference = reference(loader, broken);
                if (reference == null) {
                    continue;
                }
                // Kept even when a provider is broken: the user's settings for it are then not "unknown", and
                // the run that needs it fails naming the broken plugin instead.
                references.add(reference);
                final int before = sources.size() + sinks.size();
                final int brokenBefore = broken.size();
                scan(loader, loader, loader.location(), sources, sinks, broken);
                if (sources.size() + sinks.size() == before && broken.size() == brokenBefore) {
                    broken.add(new Broken(loader.location(), "provides no source or sink: it has no META-INF/services/"
                            + SinkProvider.class.getName() + " or META-INF/services/" + CaptureSourceProvider.class.getName()
                            + " entry (a library a plugin needs goes in a sub-folder with the plugin's jar)"));
                }
            }
        }
        return new Plugins(sources, sinks, broken, references, directory);
    }

    /**
     * Exactly these providers, and no plugins folder: for running the pipeline in-process with a source
     * and a sink chosen in code (the sink test kit). Their settings' defaults come from the class path's
     * {@code reference.conf}.
     */
    public static Plugins of(final List<? extends CaptureSourceProvider> sources, final List<? extends SinkProvider> sinks) {
        final List<Found<CaptureSourceProvider>> s = new ArrayList<>();
        sources.forEach(p -> s.add(new Found<>(p.name(), p, origin(p.getClass()), false, p.freeFormPaths())));
        final List<Found<SinkProvider>> k = new ArrayList<>();
        sinks.forEach(p -> k.add(new Found<>(p.name(), p, origin(p.getClass()), false, p.freeFormPaths())));
        return new Plugins(s, k, List.of(), List.of(), null);
    }

    private static List<Path> entries(final Path directory) {
        try (Stream<Path> list = Files.list(directory)) {
            return list.filter(p -> Files.isDirectory(p) || p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ProbeException("Cannot list plugins folder " + directory + ": " + e.getMessage() + " (probe.plugins.dir)");
        }
    }

    private static PluginClassLoader loader(final Path entry, final ClassLoader parent, final List<Broken> broken) {
        final List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> list = Files.list(entry)) {
                list.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                broken.add(new Broken(entry.toString(), "cannot list the folder: " + e.getMessage()));
                return null;
            }
            if (jars.isEmpty()) {
                broken.add(new Broken(entry.toString(), "the folder holds no jar"));
                return null;
            }
        } else {
            jars.add(entry);
        }
        final URL[] urls = new URL[jars.size()];
        for (int i = 0; i < jars.size(); i++) {
            final Path jar = jars.get(i);
            try (JarFile ignored = new JarFile(jar.toFile())) {
                urls[i] = jar.toUri().toURL();
            } catch (IOException e) {
                broken.add(new Broken(jar.toString(), "not a readable jar (" + e.getMessage() + ")"));
                return null;
            }
        }
        return new PluginClassLoader(entry.toString(), urls, parent);
    }

    /**
     * The plugin's own {@code reference.conf} files, parsed; null, with the plugin recorded as broken, when
     * one cannot be read or is not valid HOCON.
     */
    private static Config reference(final PluginClassLoader loader, final List<Broken> broken) {
        Config reference = ConfigFactory.empty();
        try {
            for (final URL url : loader.ownResources("reference.conf")) {
                reference = reference.withFallback(ConfigFactory.parseURL(url));
            }
            return reference;
        } catch (IOException | ConfigException e) {
            broken.add(new Broken(loader.location(), "its reference.conf cannot be read: " + oneLine(e.getMessage())));
            return null;
        }
    }

    private static void scan(final ClassLoader loader, final PluginClassLoader own, final String location,
                             final List<Found<CaptureSourceProvider>> sources, final List<Found<SinkProvider>> sinks,
                             final List<Broken> broken) {
        find(CaptureSourceProvider.class, CaptureSourceProvider::name, CaptureSourceProvider::freeFormPaths, loader, own,
                location, sources, broken);
        find(SinkProvider.class, SinkProvider::name, SinkProvider::freeFormPaths, loader, own, location, sinks, broken);
    }

    private static <P> void find(final Class<P> type, final Function<P, String> name,
                                 final Function<P, Set<String>> freeFormPaths, final ClassLoader loader,
                                 final PluginClassLoader own, final String location, final List<Found<P>> found,
                                 final List<Broken> broken) {
        final Thread thread = Thread.currentThread();
        final ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            final Iterator<ServiceLoader.Provider<P>> it = ServiceLoader.load(type, loader).stream().iterator();
            for (int guard = 0; guard < 10_000; guard++) {
                final ServiceLoader.Provider<P> provider;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    provider = it.next();
                } catch (ServiceConfigurationError | LinkageError e) {
                    broken.add(new Broken(location == null ? "on the class path" : location, problem(type, e)));
                    continue;
                }
                final Class<? extends P> clazz;
                try {
                    clazz = provider.type();
                } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                    broken.add(new Broken(location == null ? "on the class path" : location, problem(type, e)));
                    continue;
                }
                if (own != null && clazz.getClassLoader() != own) {
                    continue; // the probe's own provider, seen through the plugin's parent
                }
                final String origin = location != null ? location : origin(clazz);
                try {
                    final P instance = provider.get();
                    final String n = name.apply(instance);
                    if (n == null || n.isBlank()) {
                        broken.add(new Broken(origin, type.getSimpleName() + " " + clazz.getName() + " has no name"));
                        continue;
                    }
                    if (found.stream().anyMatch(f -> f.name().equals(n))) {
                        broken.add(new Broken(origin, type.getSimpleName() + " " + clazz.getName() + " is named " + n
                                + ", a name another provider already has; it is ignored"));
                        continue;
                    }
                    found.add(new Found<>(n, instance, origin, own != null, freeFormPaths.apply(instance)));
                } catch (ServiceConfigurationError e) {
                    broken.add(new Broken(origin, problem(type, e)));
                } catch (RuntimeException | LinkageError e) {
                    broken.add(new Broken(origin, type.getSimpleName() + " " + clazz.getName() + " failed: " + describe(e)));
                }
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** What a {@link ServiceLoader} error or a failed class load means for a plugin, one line. */
    private static String problem(final Class<?> type, final Throwable e) {
        final String services = "META-INF/services/" + type.getName();
        if (e instanceof ServiceConfigurationError) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (message.startsWith(type.getName() + ": ")) {
                message = message.substring(type.getName().length() + 2);
            }
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:Provider )?(\\S+) (not found|not a subtype|could not be instantiated)").matcher(message);
            if (m.find()) {
                return switch (m.group(2)) {
                    case "not found" -> services + " names " + m.group(1) + ", a class the plugin does not contain";
                    case "not a subtype" -> services + " names " + m.group(1) + ", which does not implement " + type.getName();
                    default -> type.getSimpleName() + " " + m.group(1) + " could not be created: "
                            + (e.getCause() == null ? "no reason given" : describe(e.getCause()));
                };
            }
            return oneLine(message) + (e.getCause() != null ? ": " + describe(e.getCause()) : "") + " (" + services + ")";
        }
        return "a provider listed in " + services + " cannot be loaded: " + describe(e);
    }

    /** {@code SimpleName: first line of the message} of {@code t}, or of its cause when it only wraps one. */
    private static String describe(final Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root.getMessage() == null || root instanceof ExceptionInInitializerError)) {
            root = root.getCause();
        }
        final String m = root.getMessage();
        if (root instanceof NoClassDefFoundError && m != null && !m.startsWith("Could not initialize")) {
            return "class " + m.replace('/', '.') + " is in neither the plugin nor the probe (NoClassDefFoundError)";
        }
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /** The jar or folder a class was loaded from, for messages; {@code built in} when unknown. */
    static String origin(final Class<?> clazz) {
        try {
            final var source = clazz.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return "built in";
            }
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return "built in";
        }
    }

    /** The plugins folder these plugins came from, or null. */
    public Path directory() {
        return directory;
    }

    /** Every capture-source provider found, in load order. */
    public List<Found<CaptureSourceProvider>> sources() {
        return sources;
    }

    /** Every sink provider found, in load order. */
    public List<Found<SinkProvider>> sinks() {
        return sinks;
    }

    /** The plugins that could not be loaded. */
    public List<Broken> broken() {
        return broken;
    }

    /**
     * Every {@code reference.conf} these providers come with, resolved: the class path's, then each
     * plugin's own.
     */
    public Config reference() {
        Config reference = ConfigFactory.defaultReference(Plugins.class.getClassLoader());
        for (final Config plugin : pluginReferences) {
            reference = reference.withFallback(plugin);
        }
        try {
            return reference.resolve();
        } catch (ConfigException e) {
            throw new ProbeException("The reference configuration of the probe and its plugins cannot be resolved: "
                    + e.getMessage());
        }
    }

    /** Paths whose keys providers pass on unchecked by the runtime (see {@link SinkProvider#freeFormPaths()}). */
    public Set<String> freeFormPaths() {
        final Set<String> paths = new LinkedHashSet<>();
        sources.forEach(f -> paths.addAll(f.freeFormPaths()));
        sinks.forEach(f -> paths.addAll(f.freeFormPaths()));
        return paths;
    }

    /** The source named by {@code probe.source.type}. */
    public Found<CaptureSourceProvider> source(final Config config) {
        return select(config, SOURCE_PATH, sources, "source", CaptureSourceProvider.class);
    }

    /** The sink named by {@code probe.sink.type}. */
    public Found<SinkProvider> sink(final Config config) {
        return select(config, SINK_PATH, sinks, "sink", SinkProvider.class);
    }

    private <P> Found<P> select(final Config config, final String path, final List<Found<P>> all, final String kind,
                                final Class<P> type) {
        final String wanted = Settings.nonEmptyString(config, path);
        for (final Found<P> f : all) {
            if (f.name().equals(wanted)) {
                return f;
            }
        }
        final Set<String> known = new TreeSet<>();
        all.forEach(f -> known.add(f.name()));
        final StringBuilder message = new StringBuilder("Unknown " + kind + " " + wanted + " for " + path
                + ": expected one of " + String.join(", ", known) + Settings.origin(config, path));
        if (!broken.isEmpty()) {
            message.append("; ").append(broken.get(0).message());
            if (broken.size() > 1) {
                message.append(" (and ").append(broken.size() - 1).append(" more broken plugin(s): probe check lists them)");
            }
        } else {
            message.append("; a plugin providing ").append(type.getName()).append(" in ")
                    .append(directory == null ? "the plugins folder" : directory.toString()).append(" adds more");
        }
        throw new ProbeException(message.toString());
    }

    /** Validates the selected (or any) source's settings through {@link CaptureSourceProvider#validate}. */
    public static void validate(final Found<CaptureSourceProvider> source, final Config config) {
        call(source, "validate its settings", () -> {
            source.provider().validate(config);
            return null;
        });
    }

    /** Opens the source through {@link CaptureSourceProvider#open}. */
    public static CaptureSource open(final Found<CaptureSourceProvider> source, final Config config) {
        return call(source, "open", () -> source.provider().open(config));
    }

    /**
     * Configures the sink through {@link SinkProvider#configure}; the factory returned sets the plugin's
     * class loader and reports a plugin's exceptions in {@link SinkFactory#create} the same way.
     */
    public static SinkFactory configure(final Found<SinkProvider> sink, final Config config) {
        final SinkFactory factory = call(sink, "read its settings", () -> sink.provider().configure(config));
        return new SinkFactory() {
            @Override
            public Sink create(final SinkContext context) {
                return call(sink, "create the sink of " + context.workerName(), () -> factory.create(context));
            }

            @Override
            public String description() {
                return call(sink, "describe itself", factory::description);
            }

            @Override
            public java.time.Duration deliveryTimeout() {
                return call(sink, "report its delivery timeout", factory::deliveryTimeout);
            }

            @Override
            public List<String> checkDestination() {
                return call(sink, "check its destination", factory::checkDestination);
            }
        };
    }

    private static <T> T call(final Found<?> found, final String what, final Supplier<T> action) {
        final Thread thread = Thread.currentThread();
        final ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(found.provider().getClass().getClassLoader());
        try {
            return action.get();
        } catch (ProbeException e) {
            throw e;
        } catch (ConfigException e) {
            throw new ProbeException(kindOf(found) + " " + found.name() + ": " + oneLine(e.getMessage()), e);
        } catch (RuntimeException | LinkageError e) {
            if (!found.plugin()) {
                throw e;
            }
            throw new ProbeException("plugin " + found.origin() + ": " + kindOf(found) + " " + found.name()
                    + " failed to " + what + ": " + describe(e), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static String kindOf(final Found<?> found) {
        return found.provider() instanceof SinkProvider ? "sink" : "source";
    }

    private static String oneLine(final String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** The plugins folder of the installation: {@code <home>/plugins}, home being the folder above {@code lib/}. */
    public static Path defaultDirectory() {
        final String home = System.getProperty("probe.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home, "plugins");
        }
        final String jar = origin(Plugins.class);
        final Path location = Path.of(jar.equals("built in") ? "." : jar).toAbsolutePath();
        final Path lib = location.getParent();
        if (lib != null && lib.getFileName() != null && lib.getFileName().toString().equals("lib") && lib.getParent() != null) {
            return lib.getParent().resolve("plugins");
        }
        return Path.of("plugins").toAbsolutePath();
    }
}

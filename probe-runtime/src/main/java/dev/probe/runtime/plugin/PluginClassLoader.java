package dev.probe.runtime.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin (a jar, or a folder of jars): child first, like Kafka Connect's
 * {@code PluginClassLoader}, so that a plugin's own dependencies win over the probe's, except for the
 * packages plugins and the probe must share: the JDK, the SPI ({@code dev.probe.api}, {@code dev.probe.spi}),
 * Typesafe Config (the type settings come in) and the logging APIs.
 *
 * <p>Thread-safe, as class loaders are.
 */
final class PluginClassLoader extends URLClassLoader {
    private static final String[] SHARED = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.",
        "dev.probe.api.", "dev.probe.spi.", "com.typesafe.config.", "org.slf4j.", "org.apache.logging.log4j.",
    };

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final String location;

    /**
     * @param location the plugin's jar or folder as given to the user, for messages
     * @param jars the plugin's jars
     */
    PluginClassLoader(final String location, final URL[] jars, final ClassLoader parent) {
        super("plugin " + location, jars, parent);
        this.location = location;
    }

    /** The plugin's jar or folder, as messages name it. */
    String location() {
        return location;
    }

    private static boolean shared(final String name) {
        for (final String prefix : SHARED) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (shared(name)) {
                    c = getParent().loadClass(name);
                } else {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    public URL getResource(final String name) {
        final URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(final String name) throws IOException {
        final List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    /** This plugin's own copies of {@code name}, not its parent's. */
    List<URL> ownResources(final String name) throws IOException {
        return Collections.list(findResources(name));
    }
}

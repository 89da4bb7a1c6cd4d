package dev.probe.runtime.plugin;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds a plugin jar inside a test: Java sources compiled with {@link javax.tools.JavaCompiler} against
 * the test's class path (the SPI, Typesafe Config) and any jars given, plus resources such as a
 * {@code META-INF/services} file and a {@code reference.conf}. Nothing is checked in. Test thread only.
 */
final class PluginJar {
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final List<Path> classpath = new ArrayList<>();
    private final Set<String> left = new LinkedHashSet<>();

    /** A new, empty plugin jar. */
    static PluginJar create() {
        return new PluginJar();
    }

    /** Adds the source of class {@code className} (fully qualified). */
    PluginJar source(final String className, final String source) {
        sources.put(className, source);
        return this;
    }

    /** Adds a text resource, such as {@code reference.conf}. */
    PluginJar resource(final String path, final String text) {
        resources.put(path, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Adds a resource with these bytes, such as a class file copied from elsewhere. */
    PluginJar resource(final String path, final byte[] bytes) {
        resources.put(path, bytes.clone());
        return this;
    }

    /** Adds {@code META-INF/services/<spi>} naming {@code providers}, one a line. */
    PluginJar services(final Class<?> spi, final String... providers) {
        return resource("META-INF/services/" + spi.getName(), String.join("\n", providers) + "\n");
    }

    /** Compiles against {@code jar} too, ahead of the test's class path; the jar is not packed in. */
    PluginJar compiledAgainst(final Path jar) {
        classpath.add(jar);
        return this;
    }

    /** Compiles {@code className} but leaves it out of the jar: a class the plugin needs and lacks. */
    PluginJar leavingOut(final String className) {
        left.add(className);
        return this;
    }

    /** Compiles the sources and writes the jar to {@code jar}. */
    Path writeTo(final Path jar) {
        try {
            final Path classes = Files.createTempDirectory("plugin-classes-");
            if (!sources.isEmpty()) {
                compile(classes);
            }
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                try (Stream<Path> files = Files.walk(classes)) {
                    for (final Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        final String name = classes.relativize(file).toString().replace('\\', '/');
                        final String className = name.replaceAll("\\.class$", "").replace('/', '.');
                        if (left.contains(className)) {
                            continue;
                        }
                        add(out, name, Files.readAllBytes(file));
                    }
                }
                for (final Map.Entry<String, byte[]> e : resources.entrySet()) {
                    add(out, e.getKey(), e.getValue());
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void add(final JarOutputStream out, final String name, final byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }

    private void compile(final Path classes) throws IOException {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        final List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, text) -> units.add(new SimpleJavaFileObject(
                URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(final boolean ignoreEncodingErrors) {
                return text;
            }
        }));
        final StringBuilder path = new StringBuilder();
        classpath.forEach(p -> path.append(p).append(java.io.File.pathSeparator));
        path.append(System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            final boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-d", classes.toString(), "-classpath", path.toString(), "--release", "25", "-proc:none"),
                    null, units).call();
            if (!ok) {
                final StringBuilder message = new StringBuilder("plugin sources do not compile:");
                for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    message.append('\n').append(d);
                }
                throw new IllegalStateException(message.toString());
            }
        }
    }

    /** The class file of {@code type} as the test's class path has it. */
    static byte[] classFile(final Class<?> type) {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} to {@code file}: a "jar" that is not one. */
    static Path notAJar(final Path file, final String text) {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

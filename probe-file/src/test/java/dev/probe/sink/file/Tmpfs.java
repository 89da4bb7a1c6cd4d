package dev.probe.sink.file;

import dev.probe.testkit.NativeRequirement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs the test mounts itself (needs root), for a disk that really fills up or turns
 * read-only. Unmounted by {@link #close()}. Where mounting is not possible the test is skipped with
 * the reason, or fails under {@code CI=true}.
 */
final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(final Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code size} (such as {@code 2m}) on {@code mountPoint}, created if missing. */
    static Tmpfs mount(final Path mountPoint, final String size) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        final String failure = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", mountPoint.toString());
        if (failure != null) {
            NativeRequirement.skipOrFail("a tmpfs cannot be mounted on " + mountPoint + " (needs root): " + failure);
        }
        return new Tmpfs(mountPoint);
    }

    /** The mounted folder. */
    Path path() {
        return mountPoint;
    }

    /** Remounts read-only (true) or writable (false); fails the test when it cannot. */
    void readOnly(final boolean readOnly) throws IOException, InterruptedException {
        final String failure = run("mount", "-o", "remount," + (readOnly ? "ro" : "rw"), mountPoint.toString());
        if (failure != null) {
            throw new AssertionError("cannot remount " + mountPoint + (readOnly ? " read-only: " : " writable: ") + failure);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        final String failure = run("umount", mountPoint.toString());
        if (failure != null && run("umount", "-l", mountPoint.toString()) != null) {
            throw new AssertionError("cannot unmount " + mountPoint + ": " + failure);
        }
    }

    /** Runs a command, bounded; null when it succeeded, else what it printed. */
    private static String run(final String... command) throws IOException, InterruptedException {
        final Process p;
        try {
            p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not end within 30 s";
        }
        final String output = new String(p.getInputStream().readAllBytes()).strip();
        return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + ": " + output;
    }
}

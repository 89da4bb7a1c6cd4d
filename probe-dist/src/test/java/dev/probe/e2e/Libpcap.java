package dev.probe.e2e;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * libpcap read directly, record by record with {@code pcap_next_ex}, as the reference for what a capture
 * file holds: bound here through the FFM API, apart from the probe's own code and from pcap4j (whose
 * reading fails on time stamps it cannot turn into a {@code java.sql.Timestamp}).
 */
@SuppressWarnings("restricted")
final class Libpcap {
    /** What libpcap read of a file. */
    record Reading(boolean opened, List<byte[]> frames, boolean clean, int snaplen) {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup PCAP = SymbolLookup.libraryLookup("libpcap.so.0.8", Arena.global());
    private static final MethodHandle OPEN = LINKER.downcallHandle(PCAP.findOrThrow("pcap_open_offline"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle NEXT = LINKER.downcallHandle(PCAP.findOrThrow("pcap_next_ex"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SNAPSHOT = LINKER.downcallHandle(PCAP.findOrThrow("pcap_snapshot"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(PCAP.findOrThrow("pcap_close"),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    private Libpcap() {
    }

    /** Every record libpcap returns until the end of the file or its first error. */
    static Reading read(final Path file) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment error = arena.allocate(512);
            final MemorySegment pcap = (MemorySegment) OPEN.invokeExact(arena.allocateFrom(file.toString()), error);
            if (pcap.address() == 0) {
                return new Reading(false, List.of(), false, 0);
            }
            try {
                final int snaplen = (int) SNAPSHOT.invokeExact(pcap);
                final MemorySegment header = arena.allocate(ValueLayout.ADDRESS);
                final MemorySegment data = arena.allocate(ValueLayout.ADDRESS);
                final List<byte[]> frames = new ArrayList<>();
                while (true) {
                    final int rc = (int) NEXT.invokeExact(pcap, header, data);
                    if (rc == -2) {
                        return new Reading(true, frames, true, snaplen);
                    }
                    if (rc != 1) {
                        return new Reading(true, frames, false, snaplen);
                    }
                    final int caplen = header.get(ValueLayout.ADDRESS, 0).reinterpret(24).get(ValueLayout.JAVA_INT, 16);
                    frames.add(data.get(ValueLayout.ADDRESS, 0).reinterpret(caplen).toArray(ValueLayout.JAVA_BYTE));
                }
            } finally {
                CLOSE.invokeExact(pcap);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}

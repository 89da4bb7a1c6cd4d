package dev.probe.sink.kafka.export;

import dev.probe.api.LinkType;
import dev.probe.api.ProbeException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A BPF filter in tcpdump syntax, compiled by libpcap for one link type on a dead handle and run on each
 * frame with {@code pcap_offline_filter}: the filter {@code probe export -f} applies, with the same
 * meaning as tcpdump's. Bound to libpcap through the FFM API, so the exporter needs no other library.
 *
 * <p>Confined to the thread that compiled it.
 */
@SuppressWarnings("restricted") // native access is enabled for the probe's JVM (--enable-native-access)
final class BpfFilter implements AutoCloseable {
    private static final int PCAP_NETMASK_UNKNOWN = 0xFFFF_FFFF;
    private static final int SNAPLEN = 262_144;
    /** {@code struct bpf_program}: {@code u_int bf_len; struct bpf_insn *bf_insns;}. */
    private static final long BPF_PROGRAM_BYTES = 16;
    /** {@code struct pcap_pkthdr}: {@code struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len;}. */
    private static final long PKTHDR_BYTES = 24;
    private static final long CAPLEN = 16;
    private static final long LEN = 20;

    private static volatile Functions functions;

    private final Functions f = functions();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment program = arena.allocate(BPF_PROGRAM_BYTES, 8);
    private final MemorySegment header = arena.allocate(PKTHDR_BYTES, 8);
    private MemorySegment data = arena.allocate(2048);
    private final String expression;
    private boolean compiled;

    private BpfFilter(final String expression) {
        this.expression = expression;
    }

    /**
     * Compiles {@code expression} for frames of {@code linkType}.
     *
     * @param option the command-line option that gave it, for messages
     * @throws ProbeException when libpcap cannot be loaded or rejects the expression (its own words)
     */
    static BpfFilter compile(final String expression, final int linkType, final String option) {
        final BpfFilter filter;
        try {
            filter = new BpfFilter(expression);
        } catch (LinkageError | IllegalStateException e) {
            throw new ProbeException("Cannot use the filter of " + option + ": libpcap cannot be loaded ("
                    + e.getMessage() + "); install the Debian package libpcap0.8 (apt-get install libpcap0.8)", e);
        }
        try {
            filter.compile(linkType, option);
            return filter;
        } catch (RuntimeException e) {
            filter.close();
            throw e;
        }
    }

    private void compile(final int linkType, final String option) {
        try {
            final MemorySegment pcap = (MemorySegment) f.openDead.invokeExact(dltOf(linkType), SNAPLEN);
            if (pcap.address() == 0) {
                throw new ProbeException("Cannot use the filter of " + option + ": libpcap cannot filter frames of "
                        + LinkType.name(linkType));
            }
            try {
                final int rc = (int) f.compile.invokeExact(pcap, program, arena.allocateFrom(expression), 1,
                        PCAP_NETMASK_UNKNOWN);
                if (rc != 0) {
                    final String error = ((MemorySegment) f.geterr.invokeExact(pcap)).reinterpret(Integer.MAX_VALUE).getString(0);
                    throw new ProbeException("Invalid value \"" + expression + "\" for " + option + ": expected a BPF "
                            + "expression libpcap can compile for " + LinkType.name(linkType) + ", libpcap says: "
                            + error.strip().replaceAll("\\s+", " "));
                }
                compiled = true;
            } finally {
                f.close.invokeExact(pcap);
            }
        } catch (ProbeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling libpcap to compile a filter failed", t);
        }
    }

    /** The expression as given. */
    String expression() {
        return expression;
    }

    /** Whether a frame with these captured bytes and wire length passes the filter. */
    boolean matches(final byte[] frame, final long wireLength) {
        if (data.byteSize() < frame.length) {
            data = arena.allocate(Math.max(frame.length, data.byteSize() * 2));
        }
        MemorySegment.copy(frame, 0, data, ValueLayout.JAVA_BYTE, 0, frame.length);
        header.set(ValueLayout.JAVA_INT, CAPLEN, frame.length);
        header.set(ValueLayout.JAVA_INT, LEN, (int) Math.min(wireLength, 0xFFFF_FFFFL));
        try {
            return (int) f.offlineFilter.invokeExact(program, header, data) != 0;
        } catch (Throwable t) {
            throw new IllegalStateException("pcap_offline_filter failed", t);
        }
    }

    @Override
    public void close() {
        if (compiled) {
            compiled = false;
            try {
                f.freecode.invokeExact(program);
            } catch (Throwable t) {
                throw new IllegalStateException("pcap_freecode failed", t);
            }
        }
        arena.close();
    }

    /** libpcap's {@code DLT_} value on Linux for a registry {@code LINKTYPE_} value. */
    static int dltOf(final int linkType) {
        return switch (linkType) {
            case 100 -> 11;
            case LinkType.RAW -> 12;
            case 102 -> 15;
            case 103 -> 16;
            case 106 -> 19;
            default -> linkType;
        };
    }

    private static Functions functions() {
        Functions fs = functions;
        if (fs == null) {
            synchronized (BpfFilter.class) {
                fs = functions;
                if (fs == null) {
                    fs = new Functions();
                    functions = fs;
                }
            }
        }
        return fs;
    }

    /** The libpcap functions, bound once per JVM from the first libpcap found. */
    private static final class Functions {
        final MethodHandle openDead;
        final MethodHandle compile;
        final MethodHandle geterr;
        final MethodHandle offlineFilter;
        final MethodHandle freecode;
        final MethodHandle close;

        Functions() {
            final SymbolLookup pcap = library();
            final Linker linker = Linker.nativeLinker();
            openDead = linker.downcallHandle(pcap.findOrThrow("pcap_open_dead"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            compile = linker.downcallHandle(pcap.findOrThrow("pcap_compile"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            geterr = linker.downcallHandle(pcap.findOrThrow("pcap_geterr"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            offlineFilter = linker.downcallHandle(pcap.findOrThrow("pcap_offline_filter"), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                    Linker.Option.critical(false));
            freecode = linker.downcallHandle(pcap.findOrThrow("pcap_freecode"), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            close = linker.downcallHandle(pcap.findOrThrow("pcap_close"), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        }

        private static SymbolLookup library() {
            IllegalArgumentException last = null;
            for (final String name : new String[] {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"}) {
                try {
                    return SymbolLookup.libraryLookup(name, Arena.global());
                } catch (IllegalArgumentException e) {
                    last = e;
                }
            }
            throw new IllegalStateException("no libpcap.so.0.8, libpcap.so.1 or libpcap.so", last);
        }
    }
}

package dev.probe.source.pcap.internal;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import org.pcap4j.core.PcapHandle;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;

/**
 * Reads records from an open pcap4j handle by calling libpcap's {@code pcap_next_ex} directly, so a
 * record costs nothing but the {@code byte[]} its bytes are copied into.
 *
 * <p>pcap4j's own {@code getNextRawPacketEx} allocates two JNA references, a {@code java.sql.Timestamp}
 * and a boxed length per packet, and an exception per empty read; this class replaces only that path.
 * pcap4j keeps opening, filtering, statistics and closing. The {@code pcap_t} address is taken from
 * pcap4j's handle once, and the functions from the same JNA library instance pcap4j loaded, so both
 * sides share one libpcap.
 *
 * <p>Confined to the receive worker's thread, apart from construction and {@link #close()}.
 */
@SuppressWarnings("restricted") // native access is enabled for every JVM of the project
public final class PcapRecordReader implements AutoCloseable {
    /** {@link #next()}: a record is available through the accessors. */
    public static final int RECORD = 1;
    /** {@link #next()}: nothing to read now (live capture). */
    public static final int NONE = 0;
    /** {@link #next()}: libpcap failed; see {@link #lastError()}. */
    public static final int ERROR = -1;
    /** {@link #next()}: end of the capture file. */
    public static final int END = -2;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final long C_LONG_SIZE = Linker.nativeLinker().canonicalLayouts().get("long").byteSize();
    private static final long TV_USEC = C_LONG_SIZE;
    private static final long CAPLEN = 2 * C_LONG_SIZE;
    private static final long LEN = CAPLEN + 4;

    private static volatile Functions functions;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment pcap;
    private final MemorySegment headerOut;
    private final MemorySegment dataOut;
    private final MethodHandle nextEx;
    private final boolean nanos;
    private final boolean unsignedSeconds;
    private long header;
    private long data;

    private PcapRecordReader(final long pcapAddress, final boolean nanos, final boolean unsignedSeconds) {
        final Functions f = functions();
        this.nextEx = f.nextEx;
        this.pcap = MemorySegment.ofAddress(pcapAddress);
        this.headerOut = arena.allocate(ValueLayout.ADDRESS);
        this.dataOut = arena.allocate(ValueLayout.ADDRESS);
        this.nanos = nanos;
        this.unsignedSeconds = unsignedSeconds;
    }

    /**
     * A reader of {@code handle}'s records.
     *
     * @param unsignedSeconds whether a negative {@code tv_sec} stands for a time after 2038: true for
     *        classic pcap files, whose 32-bit seconds field is unsigned but which libpcap 1.10 reads as
     *        signed
     * @throws IllegalStateException when the native functions or the handle's address cannot be found
     */
    public static PcapRecordReader of(final PcapHandle handle, final boolean unsignedSeconds) {
        final boolean nanos = handle.getTimestampPrecision() == PcapHandle.TimestampPrecision.NANO;
        return new PcapRecordReader(address(handle), nanos, unsignedSeconds);
    }

    /**
     * Reads the next record: {@link #RECORD}, {@link #NONE}, {@link #ERROR} or {@link #END}. After
     * {@link #RECORD} the accessors describe it until the next call.
     */
    public int next() {
        final int rc;
        try {
            rc = (int) nextEx.invokeExact(pcap, headerOut, dataOut);
        } catch (Throwable t) {
            throw new IllegalStateException("pcap_next_ex failed", t);
        }
        if (rc == RECORD) {
            header = headerOut.get(ValueLayout.JAVA_LONG, 0);
            data = dataOut.get(ValueLayout.JAVA_LONG, 0);
        }
        return rc;
    }

    /** Seconds of the current record since the epoch, as libpcap reports them (see the constructor). */
    public long seconds() {
        final long sec = C_LONG_SIZE == 8
                ? EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, header)
                : EVERYTHING.get(ValueLayout.JAVA_INT_UNALIGNED, header);
        return unsignedSeconds && sec < 0 && sec >= Integer.MIN_VALUE ? sec + (1L << 32) : sec;
    }

    /**
     * Capture time of the current record in nanoseconds since the epoch.
     *
     * @throws ArithmeticException when the time is after 2262-04-11, beyond a signed 64-bit nanosecond count
     */
    public long timestampNanos() {
        final long fraction = C_LONG_SIZE == 8
                ? EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, header + TV_USEC)
                : EVERYTHING.get(ValueLayout.JAVA_INT_UNALIGNED, header + TV_USEC);
        return Math.addExact(Math.multiplyExact(seconds(), NANOS_PER_SECOND), nanos ? fraction : fraction * 1_000L);
    }

    /** Bytes captured of the current record. */
    public int capturedLength() {
        return EVERYTHING.get(ValueLayout.JAVA_INT_UNALIGNED, header + CAPLEN);
    }

    /** Bytes the current record had on the wire. */
    public int wireLength() {
        return EVERYTHING.get(ValueLayout.JAVA_INT_UNALIGNED, header + LEN);
    }

    /** Copies the first {@code length} captured bytes of the current record into {@code into}. */
    public void copyData(final byte[] into, final int length) {
        MemorySegment.copy(EVERYTHING, ValueLayout.JAVA_BYTE, data, into, 0, length);
    }

    /**
     * The byte offset in the capture file right after the record {@link #next()} returned last, from
     * {@code ftell(pcap_file(p))}; only for a capture file.
     */
    public long filePosition() {
        try {
            final Functions f = functions();
            final MemorySegment file = (MemorySegment) f.file.invokeExact(pcap);
            if (file.address() == 0) {
                throw new IllegalStateException("pcap_file() gave no FILE: not a capture file");
            }
            return (long) f.ftell.invokeExact(file);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ftell(pcap_file()) failed", t);
        }
    }

    /** libpcap's message for the last {@link #ERROR}. Allocates. */
    public String lastError() {
        try {
            final MemorySegment message = (MemorySegment) functions().geterr.invokeExact(pcap);
            return message.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("pcap_geterr failed", t);
        }
    }

    /** Whether libpcap delivers nanosecond rather than microsecond fractions. */
    public boolean nanosecondPrecision() {
        return nanos;
    }

    /** Frees this reader's own memory; the pcap4j handle stays open. */
    @Override
    public void close() {
        arena.close();
    }

    private static long address(final PcapHandle handle) {
        try {
            final Field field = PcapHandle.class.getDeclaredField("handle");
            field.setAccessible(true);
            return Pointer.nativeValue((Pointer) field.get(handle));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot find the pcap_t of pcap4j's PcapHandle (pcap4j "
                    + "1.8.2 keeps it in the field 'handle')", e);
        }
    }

    private static Functions functions() {
        Functions f = functions;
        if (f == null) {
            synchronized (PcapRecordReader.class) {
                f = functions;
                if (f == null) {
                    f = new Functions();
                    functions = f;
                }
            }
        }
        return f;
    }

    /** The two libpcap functions this class calls, bound once. */
    private static final class Functions {
        final MethodHandle nextEx;
        final MethodHandle geterr;
        final MethodHandle file;
        final MethodHandle ftell;

        Functions() {
            if (ValueLayout.ADDRESS.byteSize() != Long.BYTES) {
                throw new IllegalStateException("only 64-bit platforms are supported");
            }
            final String name = System.getProperty("org.pcap4j.core.pcapLibName", Platform.isWindows() ? "wpcap" : "pcap");
            final NativeLibrary library = NativeLibrary.getInstance(name);
            final Linker linker = Linker.nativeLinker();
            nextEx = linker.downcallHandle(symbol(library, "pcap_next_ex"), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            geterr = linker.downcallHandle(symbol(library, "pcap_geterr"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            file = linker.downcallHandle(symbol(library, "pcap_file"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
            ftell = linker.downcallHandle(linker.defaultLookup().findOrThrow("ftell"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        }

        private static MemorySegment symbol(final NativeLibrary library, final String name) {
            return MemorySegment.ofAddress(Pointer.nativeValue(library.getFunction(name)));
        }
    }
}

package dev.probe.source.pcap;

import dev.probe.api.LinkType;
import dev.probe.api.ProbeException;
import dev.probe.source.pcap.internal.Libpcap;
import dev.probe.source.pcap.internal.LinkTypes;
import dev.probe.source.pcap.internal.PcapRecordReader;
import dev.probe.spi.CaptureSource;
import dev.probe.spi.PacketMemory;
import dev.probe.spi.ReceiveQueue;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A capture file or live interface opened through libpcap, with one receive queue.
 *
 * <p>Opened on the main thread; the queue is polled by one receive worker; {@link #drops()} and
 * {@link #details()} are called by the stats thread; {@link #close()} once the workers have stopped.
 */
final class PcapCaptureSource implements CaptureSource {
    private static final long U32 = 0xFFFF_FFFFL;
    /** libpcap's {@code PCAP_NETMASK_UNKNOWN}: filters that need the netmask fail to compile. */
    private static final Inet4Address NETMASK_UNKNOWN = netmaskUnknown();

    private final String description;
    private final PcapHandle handle;
    private final PcapRecordReader reader;
    private final OversizedRecords oversized;
    private final PacketSlots slots;
    private final PcapReceiveQueue queue;
    private final boolean live;
    private final int linkType;
    private final OptionalLong firstTimestampNanos;

    // Live statistics, guarded by this: libpcap's 32-bit counters widened into monotonic totals.
    private boolean closed;
    private long received;
    private long kernelDrops;
    private long interfaceDrops;
    private long lastReceived;
    private long lastKernelDrops;
    private long lastInterfaceDrops;

    private PcapCaptureSource(final String description, final PcapHandle handle, final PcapRecordReader reader,
                              final OversizedRecords oversized, final int snaplen, final int bufferPackets,
                              final boolean live, final String queueName, final String setting, final int linkType,
                              final OptionalLong firstTimestampNanos) {
        this.description = description;
        this.handle = handle;
        this.reader = reader;
        this.oversized = oversized;
        this.slots = new PacketSlots(bufferPackets);
        this.queue = new PcapReceiveQueue(reader, oversized, snaplen, slots, live, queueName, setting);
        this.live = live;
        this.linkType = linkType;
        this.firstTimestampNanos = firstTimestampNanos;
    }

    /** Opens the file or interface the settings name. */
    static PcapCaptureSource open(final PcapSettings settings) {
        requireLibpcap();
        try {
            return settings.file() != null ? openFile(settings) : openLive(settings);
        } catch (LinkageError e) {
            throw libpcapMissing(e);
        }
    }

    /**
     * Checks, without capturing, what {@link #open} would reject: a capture file that is missing,
     * unreadable or not a capture file (its header is read through libpcap), an interface that does not
     * exist, a filter that libpcap cannot compile for the file's link type or the interface's (guessed
     * from its hardware type without opening it, see {@link LinkTypes#guessForInterface}).
     */
    static void validate(final PcapSettings settings) {
        requireLibpcap();
        try {
            if (settings.file() != null) {
                final Path file = settings.file();
                checkReadable(file);
                final PcapHandle handle = openOffline(file, null);
                try {
                    compileFilter(handle, settings);
                } finally {
                    handle.close();
                }
            } else {
                final String name = settings.interfaceName();
                checkInterfaceExists(name);
                if (!settings.filter().isEmpty()) {
                    final int linkType = LinkTypes.guessForInterface(name);
                    final PcapHandle dead;
                    try {
                        dead = Pcaps.openDead(DataLinkType.getInstance(LinkTypes.dltOf(linkType)), settings.snaplen());
                    } catch (PcapNativeException e) {
                        throw new IllegalStateException("pcap_open_dead failed for link type " + linkType, e);
                    }
                    try {
                        compileFilter(dead, settings);
                    } finally {
                        dead.close();
                    }
                }
            }
        } catch (LinkageError e) {
            throw libpcapMissing(e);
        }
    }

    private static void requireLibpcap() {
        final String why = Libpcap.unavailableBecause();
        if (why != null) {
            throw libpcapMissing(why, null);
        }
    }

    /** The one line for a libpcap that cannot be loaded, naming the Debian package that provides it. */
    static ProbeException libpcapMissing(final LinkageError e) {
        final String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        return libpcapMissing(message, e);
    }

    private static ProbeException libpcapMissing(final String why, final Throwable cause) {
        return new ProbeException("libpcap cannot be loaded (" + PcapSettings.oneLine(why) + "): the pcap source "
                + "needs it; install the Debian package libpcap0.8 (apt-get install libpcap0.8)", cause);
    }

    private static void compileFilter(final PcapHandle handle, final PcapSettings settings) {
        if (settings.filter().isEmpty()) {
            return;
        }
        try {
            handle.compileFilter(settings.filter(), BpfProgram.BpfCompileMode.OPTIMIZE, NETMASK_UNKNOWN).free();
        } catch (PcapNativeException e) {
            throw settings.invalidFilter(libpcapError(handle, e) + " (for " + LinkType.name(linkTypeOf(handle)) + ")");
        } catch (NotOpenException e) {
            throw new IllegalStateException("the handle closed while compiling the filter", e);
        }
    }

    private static int linkTypeOf(final PcapHandle handle) {
        return LinkTypes.linkTypeOf(handle.getDlt().value());
    }

    private static PcapHandle openOffline(final Path file, final OversizedRecords oversized) {
        try {
            return Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            closeQuietly(oversized);
            throw cannotRead(file, withoutPathPrefix(file, e.getMessage()), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(oversized);
            throw e;
        }
    }

    private static PcapCaptureSource openFile(final PcapSettings settings) {
        final Path file = settings.file();
        checkReadable(file);
        final OversizedRecords oversized;
        try {
            oversized = OversizedRecords.forFile(file);
        } catch (IOException e) {
            throw cannotRead(file, PcapSettings.oneLine(e.toString()), e);
        }
        final PcapHandle handle = openOffline(file, oversized);
        return configure(handle, settings, "pcap file " + file, "Capture file " + file, PcapSettings.FILE,
                false, oversized, firstTimestamp(file, oversized != null));
    }

    /**
     * The time of the first record of {@code file}, read through a handle of its own, before any filter;
     * empty when the file holds no record or its first record cannot be read.
     */
    private static OptionalLong firstTimestamp(final Path file, final boolean classicPcap) {
        final PcapHandle handle;
        try {
            handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            return OptionalLong.empty();
        }
        try (PcapRecordReader reader = PcapRecordReader.of(handle, classicPcap)) {
            return reader.next() == PcapRecordReader.RECORD ? OptionalLong.of(reader.timestampNanos()) : OptionalLong.empty();
        } catch (ArithmeticException e) {
            return OptionalLong.empty();
        } finally {
            handle.close();
        }
    }

    /** The interfaces libpcap lists, or null when it cannot list them; fails when {@code name} is not among them. */
    private static List<String> checkInterfaceExists(final String name) {
        final List<String> available = availableInterfaces();
        if (available != null && !available.contains(name)) {
            throw new ProbeException("No interface named " + name + " to capture from ("
                    + PcapSettings.INTERFACE + "); available: " + String.join(", ", available));
        }
        return available;
    }

    private static PcapCaptureSource openLive(final PcapSettings settings) {
        final String name = settings.interfaceName();
        final List<String> available = checkInterfaceExists(name);
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(name)
                    .snaplen(settings.snaplen())
                    .promiscuousMode(settings.promiscuous()
                            ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(settings.timeoutMillis())
                    .bufferSize(settings.bufferSize())
                    // pcap4j falls back to microseconds where nanoseconds are not supported
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                    .build();
        } catch (PcapNativeException e) {
            throw new ProbeException("Cannot capture on interface " + name + ": "
                    + PcapSettings.oneLine(e.getMessage()) + " (" + PcapSettings.INTERFACE + ")"
                    + (available == null ? "" : "; available: " + String.join(", ", available)), e);
        }
        final PcapCaptureSource source = configure(handle, settings, "pcap interface " + name,
                "Capture on interface " + name, PcapSettings.INTERFACE, true, null, OptionalLong.empty());
        try {
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        } catch (PcapNativeException | NotOpenException e) {
            source.close();
            throw new ProbeException("Cannot make the capture on interface " + name + " non-blocking: "
                    + PcapSettings.oneLine(e.getMessage()) + " (" + PcapSettings.INTERFACE + ")", e);
        }
        return source;
    }

    /** Sets the filter and binds the reader; closes the handle when either fails. */
    private static PcapCaptureSource configure(final PcapHandle handle, final PcapSettings settings,
                                               final String description, final String queueName,
                                               final String setting, final boolean live,
                                               final OversizedRecords oversized, final OptionalLong first) {
        try {
            if (!settings.filter().isEmpty()) {
                try {
                    handle.setFilter(settings.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
                } catch (PcapNativeException e) {
                    throw settings.invalidFilter(libpcapError(handle, e) + " (for " + LinkType.name(linkTypeOf(handle)) + ")");
                }
            }
            // classic pcap stores unsigned 32-bit seconds, which libpcap 1.10 reads as signed
            final PcapRecordReader reader = PcapRecordReader.of(handle, oversized != null);
            return new PcapCaptureSource(description, handle, reader, oversized, handle.getSnapshot(),
                    settings.bufferPackets(), live, queueName, setting, linkTypeOf(handle), first);
        } catch (NotOpenException e) {
            closeAll(handle, oversized);
            throw new IllegalStateException(description + " closed while opening", e);
        } catch (RuntimeException | Error e) {
            closeAll(handle, oversized);
            throw e;
        }
    }

    private static void closeAll(final PcapHandle handle, final OversizedRecords oversized) {
        handle.close();
        closeQuietly(oversized);
    }

    private static void closeQuietly(final OversizedRecords oversized) {
        if (oversized != null) {
            oversized.close();
        }
    }

    @Override
    public String description() {
        return description;
    }

    /** The file's link type, or the interface's, from libpcap's {@code pcap_datalink}. */
    @Override
    public int linkType() {
        return linkType;
    }

    /** The time of the file's first record (before any filter); empty for live capture or a file without records. */
    @Override
    public OptionalLong firstTimestampNanos() {
        return firstTimestampNanos;
    }

    @Override
    public List<? extends ReceiveQueue> queues() {
        return List.of(queue);
    }

    /** True for an interface, false for a file, which waits to be read and never drops. */
    @Override
    public boolean isLive() {
        return live;
    }

    @Override
    public PacketMemory memory() {
        return slots;
    }

    /**
     * Stats thread: for live capture {@code kernel} (pcap_stats ps_drop), {@code interface} (ps_ifdrop)
     * and {@code no-buffer}; for a file nothing, as a file never drops.
     */
    @Override
    public Map<String, Long> drops() {
        if (!live) {
            return Map.of();
        }
        final Map<String, Long> drops = new LinkedHashMap<>();
        synchronized (this) {
            refreshStatistics();
            drops.put("kernel", kernelDrops);
            drops.put("interface", interfaceDrops);
        }
        drops.put("no-buffer", queue.noBufferDrops());
        return drops;
    }

    /**
     * Stats thread: {@code packets} handed out and {@code held} (taken, not yet released); for live
     * capture also {@code received} (pcap_stats ps_recv).
     */
    @Override
    public Map<String, Long> details() {
        final Map<String, Long> details = new LinkedHashMap<>();
        details.put("packets", queue.packets());
        details.put("held", (long) slots.held());
        if (live) {
            synchronized (this) {
                refreshStatistics();
                details.put("received", received);
            }
        }
        return details;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (live) {
                refreshStatistics();
            }
            closed = true;
        }
        queue.markClosed();
        reader.close();
        closeAll(handle, oversized);
    }

    /** Adds what libpcap counted since the last call; keeps the last totals when closed or failing. */
    private void refreshStatistics() {
        if (closed) {
            return;
        }
        final PcapStat stat;
        try {
            stat = handle.getStats();
        } catch (PcapNativeException | NotOpenException e) {
            return;
        }
        received += (stat.getNumPacketsReceived() - lastReceived) & U32;
        kernelDrops += (stat.getNumPacketsDropped() - lastKernelDrops) & U32;
        interfaceDrops += (stat.getNumPacketsDroppedByIf() - lastInterfaceDrops) & U32;
        lastReceived = stat.getNumPacketsReceived();
        lastKernelDrops = stat.getNumPacketsDropped();
        lastInterfaceDrops = stat.getNumPacketsDroppedByIf();
    }

    private static void checkReadable(final Path file) {
        if (!Files.exists(file)) {
            throw cannotRead(file, "no such file", null);
        }
        if (Files.isDirectory(file)) {
            throw cannotRead(file, "it is a directory, expected a pcap or pcapng file", null);
        }
        if (!Files.isReadable(file)) {
            throw cannotRead(file, "permission denied", null);
        }
        try {
            if (Files.size(file) == 0) {
                throw cannotRead(file, "the file is empty (0 bytes), expected a pcap or pcapng file", null);
            }
        } catch (IOException e) {
            throw cannotRead(file, PcapSettings.oneLine(e.toString()), e);
        }
    }

    private static ProbeException cannotRead(final Path file, final String problem, final Exception cause) {
        return new ProbeException("Cannot read capture file " + file + ": " + PcapSettings.oneLine(problem)
                + " (" + PcapSettings.FILE + ")", cause);
    }

    private static String withoutPathPrefix(final Path file, final String message) {
        final String prefix = file + ": ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static String libpcapError(final PcapHandle handle, final PcapNativeException e) {
        try {
            return handle.getError();
        } catch (NotOpenException notOpen) {
            return e.getMessage();
        }
    }

    private static Inet4Address netmaskUnknown() {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {-1, -1, -1, -1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes make an IPv4 address", e);
        }
    }

    /** Names of the interfaces libpcap can capture on, or null when it cannot list them. */
    private static List<String> availableInterfaces() {
        try {
            return Pcaps.findAllDevs().stream().map(PcapNetworkInterface::getName).toList();
        } catch (PcapNativeException e) {
            return null;
        }
    }
}

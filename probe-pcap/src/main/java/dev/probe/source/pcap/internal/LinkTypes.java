package dev.probe.source.pcap.internal;

import dev.probe.api.LinkType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Translates between libpcap's {@code DLT_} values, which {@code pcap_datalink} returns and
 * {@code pcap_open_dead} takes, and the {@code LINKTYPE_} values of the tcpdump.org registry, which
 * capture files and {@link dev.probe.spi.CaptureSource#linkType()} use. They are equal except for the
 * few {@code DLT_} values that differ between platforms (libpcap's {@code dlt_to_linktype}). Stateless.
 */
public final class LinkTypes {
    /** libpcap's {@code DLT_RAW} on Linux. */
    public static final int DLT_RAW = 12;

    private LinkTypes() {
    }

    /** The registry's {@code LINKTYPE_} value of a {@code DLT_} value from {@code pcap_datalink}. */
    public static int linkTypeOf(final int dlt) {
        return switch (dlt) {
            case 11 -> 100;           // DLT_ATM_RFC1483
            case DLT_RAW, 14 -> LinkType.RAW; // DLT_RAW (14 on OpenBSD)
            case 15 -> 102;           // DLT_SLIP_BSDOS
            case 16 -> 103;           // DLT_PPP_BSDOS
            case 19 -> 106;           // DLT_ATM_CLIP
            default -> dlt;
        };
    }

    /** The {@code DLT_} value libpcap on Linux uses for a registry {@code LINKTYPE_} value. */
    public static int dltOf(final int linkType) {
        return switch (linkType) {
            case 100 -> 11;
            case LinkType.RAW -> DLT_RAW;
            case 102 -> 15;
            case 103 -> 16;
            case 106 -> 19;
            default -> linkType;
        };
    }

    /**
     * The link type libpcap will report for live capture on {@code iface} on Linux, guessed without
     * opening it from the interface's hardware type ({@code /sys/class/net/IFACE/type}) the way libpcap
     * maps it: Ethernet for Ethernet and loopback, raw IP for interfaces without a link-layer header
     * (tun), Linux cooked capture for {@code any} and for every other kind.
     */
    public static int guessForInterface(final String iface) {
        if (iface.equals("any")) {
            return LinkType.LINUX_SLL;
        }
        final int arphrd;
        try {
            arphrd = Integer.parseInt(Files.readString(Path.of("/sys/class/net", iface, "type")).strip());
        } catch (IOException | NumberFormatException | java.nio.file.InvalidPathException e) {
            return LinkType.ETHERNET;
        }
        return switch (arphrd) {
            case 1, 772 -> LinkType.ETHERNET;      // ARPHRD_ETHER, ARPHRD_LOOPBACK
            case 65534 -> LinkType.RAW;            // ARPHRD_NONE
            case 801 -> 105;                       // ARPHRD_IEEE80211
            case 803 -> 127;                       // ARPHRD_IEEE80211_RADIOTAP
            default -> LinkType.LINUX_SLL;
        };
    }
}

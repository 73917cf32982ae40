package dev.weft.linux.rtnl;

import dev.weft.net.IpPrefix;

import java.net.InetAddress;

/**
 * A route. {@code gateway} is null for a directly connected route, {@code outIndex} 0 lets the
 * kernel pick the device from the gateway, {@code table} 254 is the main table, {@code metric}
 * 0 the default; {@code onlink} declares the gateway reachable on the device without a
 * matching prefix. Read back, {@code source} is the preferred source address (may be null).
 */
public record Route(IpPrefix destination, InetAddress gateway, int outIndex, int table, int metric, boolean onlink,
                    InetAddress source) {
    public static final int MAIN_TABLE = 254;

    /** The default route via {@code gateway}. */
    public static Route defaultVia(InetAddress gateway) {
        return new Route(IpPrefix.any(gateway), gateway, 0, MAIN_TABLE, 0, false, null);
    }

    /** A route to {@code destination} via {@code gateway}. */
    public static Route via(IpPrefix destination, InetAddress gateway) {
        return new Route(destination, gateway, 0, MAIN_TABLE, 0, false, null);
    }

    /** A route to {@code destination} directly on the device with index {@code outIndex}. */
    public static Route direct(IpPrefix destination, int outIndex) {
        return new Route(destination, null, outIndex, MAIN_TABLE, 0, false, null);
    }

    public Route withDevice(int index) {
        return new Route(destination, gateway, index, table, metric, onlink, source);
    }

    public Route withTable(int t) {
        return new Route(destination, gateway, outIndex, t, metric, onlink, source);
    }

    public Route withMetric(int m) {
        return new Route(destination, gateway, outIndex, table, m, onlink, source);
    }

    public Route withOnlink() {
        return new Route(destination, gateway, outIndex, table, metric, true, source);
    }

    public boolean isDefault() {
        return destination.length() == 0;
    }

    @Override
    public String toString() {
        return (isDefault() ? "default" : destination.toString())
                + (gateway != null ? " via " + IpPrefix.format(gateway) : "")
                + (outIndex != 0 ? " dev #" + outIndex : "") + (table != MAIN_TABLE ? " table " + table : "")
                + (onlink ? " onlink" : "");
    }
}

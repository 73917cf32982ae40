package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses of one subnet. Automatic allocation hands out addresses of the ip-range only (all
 * of the subnet when there is none); a requested address (a gateway, an aux address, a preferred
 * address) may lie anywhere in the subnet, as in Docker. The network address, and for IPv4 the
 * broadcast address, are never handed out. In serial mode the search for a free address starts
 * after the last one given, so a released address is not reused at once (peers may still cache
 * it); otherwise the lowest free address is given. Thread-safe.
 */
public final class AddressPool {
    private final IpPrefix subnet;
    private final IpPrefix range;
    private final long rangeStart;
    private final long rangeEnd;
    private final AddressBitmap bitmap;
    private final boolean serial;
    private final List<Long> reserved = new ArrayList<>(2);
    private long hint;

    public AddressPool(IpPrefix subnet, IpPrefix range, boolean serial) {
        if (!Subnets.isNetworkAddress(subnet)) {
            throw new IpamException(IpamException.Reason.INVALID,
                    "subnet " + subnet + " has host bits set (did you mean " + Subnets.network(subnet) + "?)");
        }
        IpPrefix r = range == null ? subnet : Subnets.network(range);
        if (!Subnets.contains(subnet, r)) {
            throw new IpamException(IpamException.Reason.OUT_OF_RANGE, "ip-range " + r + " is not inside subnet " + subnet);
        }
        this.subnet = subnet;
        this.range = r;
        this.bitmap = new AddressBitmap(Subnets.size(subnet));
        this.rangeStart = Math.min(Subnets.offset(subnet, r.address()), bitmap.size() - 1);
        this.rangeEnd = Math.min(rangeStart + Subnets.size(r), bitmap.size());
        this.serial = serial;
        this.hint = rangeStart;
        reserve(0);
        if (subnet.address() instanceof Inet4Address && subnet.length() < 31) {
            reserve(Subnets.size(subnet) - 1);
        }
    }

    private void reserve(long offset) {
        bitmap.set(offset);
        reserved.add(offset);
    }

    public IpPrefix subnet() {
        return subnet;
    }

    public IpPrefix range() {
        return range;
    }

    /** Hands out a free address of the range; throws EXHAUSTED when none is left. */
    public synchronized InetAddress allocate() {
        long start = serial ? hint : rangeStart;
        long i = bitmap.nextClear(start, rangeEnd);
        if (i < 0 && start > rangeStart) {
            i = bitmap.nextClear(rangeStart, start);
        }
        if (i < 0) {
            throw new IpamException(IpamException.Reason.EXHAUSTED, "no free address left in " + describe());
        }
        bitmap.set(i);
        hint = i + 1 == rangeEnd ? rangeStart : i + 1;
        return Subnets.at(subnet, i);
    }

    /** Hands out exactly {@code address}; it must be inside the subnet and free. */
    public synchronized InetAddress allocate(InetAddress address) {
        long i = index(address);
        if (reserved.contains(i)) {
            throw new IpamException(IpamException.Reason.INVALID,
                    IpPrefix.format(address) + " is the network or broadcast address of " + subnet);
        }
        if (!bitmap.set(i)) {
            throw new IpamException(IpamException.Reason.ALREADY_ALLOCATED,
                    "address " + IpPrefix.format(address) + " is already allocated in subnet " + subnet);
        }
        return address;
    }

    /** Returns {@code address} to the pool; throws NOT_ALLOCATED if it was not handed out. */
    public synchronized void release(InetAddress address) {
        long i = index(address);
        if (reserved.contains(i) || !bitmap.clear(i)) {
            throw new IpamException(IpamException.Reason.NOT_ALLOCATED,
                    "address " + IpPrefix.format(address) + " is not allocated in subnet " + subnet);
        }
    }

    public synchronized boolean isAllocated(InetAddress address) {
        long i = index(address);
        return !reserved.contains(i) && bitmap.isSet(i);
    }

    /** Addresses handed out, lowest first. */
    public synchronized List<InetAddress> allocated() {
        List<InetAddress> out = new ArrayList<>();
        for (long i = bitmap.nextSet(0, bitmap.size()); i >= 0; i = bitmap.nextSet(i + 1, bitmap.size())) {
            if (!reserved.contains(i)) {
                out.add(Subnets.at(subnet, i));
            }
        }
        return out;
    }

    /** How many addresses are handed out. */
    public synchronized long allocatedCount() {
        return bitmap.allocated() - reserved.size();
    }

    private long index(InetAddress address) {
        if (!Subnets.contains(subnet, address)) {
            throw new IpamException(IpamException.Reason.OUT_OF_RANGE,
                    "address " + IpPrefix.format(address) + " is outside subnet " + subnet);
        }
        long i = Subnets.offset(subnet, address);
        if (i >= bitmap.size()) {
            throw new IpamException(IpamException.Reason.OUT_OF_RANGE,
                    "address " + IpPrefix.format(address) + " is beyond the first 2^62 addresses of " + subnet);
        }
        return i;
    }

    private String describe() {
        return range.equals(subnet) ? "subnet " + subnet : "ip-range " + range + " of subnet " + subnet;
    }
}

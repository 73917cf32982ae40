package dev.weft.engine.ipam;

import dev.weft.linux.rtnl.IpPrefix;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses of one subnet that can be handed out: all of it, or only an ip-range inside it.
 * The network address, and for IPv4 the broadcast address, are never handed out. In serial mode
 * the search for a free address starts after the last one given, so a released address is not
 * reused at once (it may still be cached by peers); otherwise the lowest free address is given.
 * Thread-safe.
 */
public final class AddressPool {
    private final IpPrefix subnet;
    private final IpPrefix range;
    private final long rangeStart;
    private final AddressBitmap bitmap;
    private final boolean serial;
    private final List<Long> reserved = new ArrayList<>();
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
        this.rangeStart = Subnets.offset(subnet, r.address());
        this.bitmap = new AddressBitmap(Subnets.size(r));
        this.serial = serial;
        reserve(0);
        if (subnet.address() instanceof Inet4Address && subnet.length() < 31) {
            reserve(Subnets.size(subnet) - 1);
        }
    }

    private void reserve(long subnetOffset) {
        long i = subnetOffset - rangeStart;
        if (i >= 0 && i < bitmap.size()) {
            bitmap.set(i);
            reserved.add(i);
        }
    }

    public IpPrefix subnet() {
        return subnet;
    }

    public IpPrefix range() {
        return range;
    }

    /** Hands out a free address; throws EXHAUSTED when none is left. */
    public synchronized InetAddress allocate() {
        long start = serial ? hint : 0;
        long i = bitmap.nextClear(start, bitmap.size());
        if (i < 0 && start > 0) {
            i = bitmap.nextClear(0, start);
        }
        if (i < 0) {
            throw new IpamException(IpamException.Reason.EXHAUSTED, "no free address left in " + describe());
        }
        bitmap.set(i);
        hint = i + 1 == bitmap.size() ? 0 : i + 1;
        return Subnets.at(subnet, rangeStart + i);
    }

    /** Hands out exactly {@code address}; it must be inside the pool and free. */
    public synchronized InetAddress allocate(InetAddress address) {
        long i = index(address);
        if (reserved.contains(i)) {
            throw new IpamException(IpamException.Reason.INVALID,
                    IpPrefix.format(address) + " is the network or broadcast address of " + subnet);
        }
        if (!bitmap.set(i)) {
            throw new IpamException(IpamException.Reason.ALREADY_ALLOCATED,
                    "address " + IpPrefix.format(address) + " is already allocated in " + describe());
        }
        return address;
    }

    /** Returns {@code address} to the pool; throws NOT_ALLOCATED if it was not handed out. */
    public synchronized void release(InetAddress address) {
        long i = index(address);
        if (reserved.contains(i) || !bitmap.clear(i)) {
            throw new IpamException(IpamException.Reason.NOT_ALLOCATED,
                    "address " + IpPrefix.format(address) + " is not allocated in " + describe());
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
                out.add(Subnets.at(subnet, rangeStart + i));
            }
        }
        return out;
    }

    /** How many addresses are handed out. */
    public synchronized long allocatedCount() {
        return bitmap.allocated() - reserved.size();
    }

    /** How many more addresses can be handed out (capped at 2^62). */
    public synchronized long freeCount() {
        return bitmap.size() - bitmap.allocated();
    }

    private long index(InetAddress address) {
        if (!Subnets.contains(range, address)) {
            throw new IpamException(IpamException.Reason.OUT_OF_RANGE,
                    "address " + IpPrefix.format(address) + " is outside " + describe());
        }
        long i = Subnets.offset(range, address);
        if (i >= bitmap.size()) {
            throw new IpamException(IpamException.Reason.OUT_OF_RANGE,
                    "address " + IpPrefix.format(address) + " is beyond the first 2^62 addresses of " + describe());
        }
        return i;
    }

    private String describe() {
        return range.equals(subnet) ? "subnet " + subnet : "ip-range " + range + " of subnet " + subnet;
    }
}

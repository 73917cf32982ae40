package dev.weft.linux.sysctl;

import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Errno;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Kernel settings of one network namespace, read and written through /proc/sys. The net.*
 * entries there belong to the namespace of the thread that opens them, so work for another
 * namespace runs inside it (on a dedicated platform thread).
 */
public final class Sysctl {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-]+([./][A-Za-z0-9_\\-@:]+)*");
    private final Netns ns;

    private Sysctl(Netns ns) {
        this.ns = ns;
    }

    /** Settings of {@code ns}. */
    public static Sysctl of(Netns ns) {
        return new Sysctl(ns);
    }

    /** Settings of the calling thread's namespace (the host's, for threads weft did not move). */
    public static Sysctl current() {
        return new Sysctl(null);
    }

    /** Reads a setting; {@code key} in dotted ("net.ipv4.ip_forward") or slash form. */
    public String get(String key) {
        Path file = path(key);
        return run(() -> Files.readString(file).trim(), "read sysctl", key);
    }

    /** Writes a setting. */
    public void set(String key, String value) {
        Path file = path(key);
        if (value == null || value.isEmpty() || value.indexOf('\n') >= 0) {
            throw KernelException.of(Errno.EINVAL, "write sysctl", key + "=" + value, label(), "a value is one non-empty line");
        }
        run(() -> Files.writeString(file, value), "write sysctl", key + "=" + value);
    }

    public void ipForward(boolean on) {
        set("net.ipv4.ip_forward", on ? "1" : "0");
    }

    public void ipv6Forwarding(boolean on) {
        set("net.ipv6.conf.all.forwarding", on ? "1" : "0");
    }

    /** Reverse path filter of an interface ("all", "default" or a link name): 0 off, 1 strict, 2 loose. */
    public void rpFilter(String iface, int mode) {
        set("net/ipv4/conf/" + iface + "/rp_filter", Integer.toString(range(mode, 0, 2, "rp_filter")));
    }

    public void proxyArp(String iface, boolean on) {
        set("net/ipv4/conf/" + iface + "/proxy_arp", on ? "1" : "0");
    }

    public void arpIgnore(String iface, int mode) {
        set("net/ipv4/conf/" + iface + "/arp_ignore", Integer.toString(range(mode, 0, 8, "arp_ignore")));
    }

    public void arpAnnounce(String iface, int mode) {
        set("net/ipv4/conf/" + iface + "/arp_announce", Integer.toString(range(mode, 0, 2, "arp_announce")));
    }

    public void disableIpv6(String iface, boolean disabled) {
        set("net/ipv6/conf/" + iface + "/disable_ipv6", disabled ? "1" : "0");
    }

    public void acceptDad(String iface, int mode) {
        set("net/ipv6/conf/" + iface + "/accept_dad", Integer.toString(range(mode, 0, 2, "accept_dad")));
    }

    public void acceptRa(String iface, int mode) {
        set("net/ipv6/conf/" + iface + "/accept_ra", Integer.toString(range(mode, 0, 2, "accept_ra")));
    }

    private int range(int v, int min, int max, String what) {
        if (v < min || v > max) {
            throw KernelException.of(Errno.EINVAL, "write sysctl", what + "=" + v, label(), what + " is " + min + " to " + max);
        }
        return v;
    }

    /**
     * /proc/sys path of a key. In dotted form, dots separate path components; interface names
     * containing dots need the slash form ("net/ipv4/conf/eth0.1/rp_filter").
     */
    private Path path(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw KernelException.of(Errno.EINVAL, "use sysctl", '"' + String.valueOf(key) + '"', label(),
                    "a key is like net.ipv4.ip_forward or net/ipv4/conf/eth0/rp_filter");
        }
        String rel = key.indexOf('/') >= 0 ? key : key.replace('.', '/');
        return Path.of("/proc/sys").resolve(rel);
    }

    private <T> T run(Callable<T> io, String operation, String object) {
        Callable<T> guarded = () -> {
            try {
                return io.call();
            } catch (NoSuchFileException e) {
                throw KernelException.of(Errno.ENOENT, operation, object, label(), null, e);
            } catch (AccessDeniedException e) {
                throw KernelException.of(Errno.EACCES, operation, object, label(), null, e);
            } catch (IOException e) {
                int errno = e.getMessage() != null && e.getMessage().contains("Invalid argument") ? Errno.EINVAL : Errno.EIO;
                throw KernelException.of(errno, operation, object, label(), e.getMessage(), e);
            }
        };
        if (ns == null) {
            try {
                return guarded.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return ns.call(guarded);
    }

    private String label() {
        return ns == null ? null : ns.name();
    }
}

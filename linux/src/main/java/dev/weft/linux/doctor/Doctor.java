package dev.weft.linux.doctor;

import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.MacvlanMode;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.linux.sys.Libc;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code weft doctor}: what this machine offers weft. Kernel features are probed for real, by
 * creating each kind of link inside a private network namespace that disappears with the probe
 * thread, so the machine's own configuration is never touched and nothing can be left behind.
 */
public final class Doctor {
    private static final long CAP_NET_ADMIN = 12;
    private static final long CAP_SYS_ADMIN = 21;

    private Doctor() {
    }

    public static void main(String[] args) {
        List<Check> checks = run(Doctor::nftablesCheck);
        print(checks, System.out);
        System.exit(checks.stream().allMatch(c -> c.ok() || !c.required()) ? 0 : 1);
    }

    /** Runs every check; {@code nftables} probes nf_tables and libnftables in the probe namespace. */
    static List<Check> run(Supplier<List<Check>> nftables) {
        List<Check> checks = new ArrayList<>();
        checks.add(privileges());
        checks.add(jdk());
        List<Check> kernel;
        try {
            kernel = inProbeNamespace(() -> {
                List<Check> k = new ArrayList<>();
                try (Rtnetlink nl = Rtnetlink.open()) {
                    k.add(link(nl, "veth", true, new LinkSpec.Veth("wdv0", "wdv1")));
                    k.add(link(nl, "bridge", true, new LinkSpec.Bridge("wdb0")));
                    k.add(link(nl, "vxlan", true, new LinkSpec.Vxlan("wdx0", 42, null, 0, null, false, true, false, 0)));
                    nl.links().create(new LinkSpec.Veth("wdp0", "wdp1"));
                    k.add(link(nl, "macvlan", true, new LinkSpec.Macvlan("wdm0", "wdp0", MacvlanMode.BRIDGE, 0, null)));
                }
            k.add(xfrm());
            k.add(EspProbe.run());
            k.addAll(nftables.get());
            return k;
            });
        } catch (IllegalStateException e) {
            checks.add(new Check("netns", true, false, e.getMessage()));
            return checks;
        }
        checks.add(new Check("netns", true, true, "network namespaces can be created"));
        checks.addAll(kernel);
        return checks;
    }

    private static Check privileges() {
        long caps = effectiveCapabilities();
        boolean net = (caps & (1L << CAP_NET_ADMIN)) != 0;
        boolean sys = (caps & (1L << CAP_SYS_ADMIN)) != 0;
        String who = Libc.geteuid() == 0 ? "root" : "uid " + Libc.geteuid();
        return new Check("privileges", true, net && sys, who + (net ? ", CAP_NET_ADMIN" : ", no CAP_NET_ADMIN")
                + (sys ? ", CAP_SYS_ADMIN" : ", no CAP_SYS_ADMIN (needed for namespaces)"));
    }

    private static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static Check jdk() {
        Runtime.Version v = Runtime.version();
        return new Check("jdk", true, v.feature() >= 25, v + " (" + System.getProperty("java.vendor") + ")"
                + (v.feature() >= 25 ? "" : ": weft needs Java 25 or newer"));
    }

    private static Check link(Rtnetlink nl, String kind, boolean required, LinkSpec spec) {
        try {
            nl.links().create(spec);
            nl.links().delete(spec.name());
            return new Check(kind, required, true, "kernel creates " + kind + " links");
        } catch (RuntimeException e) {
            return new Check(kind, required, false, "missing kernel feature " + kind + ": " + e.getMessage());
        }
    }

    private static Check xfrm() {
        try {
            NetlinkSocket.open(EspProbe.NETLINK_XFRM, 0, null).close();
            return new Check("xfrm", false, true, "XFRM netlink available (encrypted overlays need ESP too: see esp)");
        } catch (RuntimeException e) {
            return new Check("xfrm", false, false, "no XFRM (IPsec): encrypted overlays unavailable: " + e.getMessage());
        }
    }

    /** nf_tables and libnftables, probed in the probe namespace. */
    static List<Check> nftablesCheck() {
        return NftProbe.run();
    }

    /** Runs {@code probe} on a thread in a fresh, unnamed network namespace that dies with it. */
    static <T> T inProbeNamespace(Callable<T> probe) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name("doctor-probe").start(() -> {
            try {
                Libc.unshare(Libc.CLONE_NEWNET);
                result[0] = probe.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("cannot probe the kernel in a private network namespace: "
                    + failure[0].getMessage(), failure[0]);
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    static void print(List<Check> checks, PrintStream out) {
        out.printf("%-12s %-8s %s%n", "CHECK", "STATUS", "DETAIL");
        for (Check c : checks) {
            String status = c.ok() ? "ok" : c.required() ? "MISSING" : "absent";
            out.printf("%-12s %-8s %s%n", c.name(), status, c.detail());
        }
        long missing = checks.stream().filter(c -> c.required() && !c.ok()).count();
        out.println(missing == 0 ? "weft can run on this machine."
                : missing + " required check(s) failed: weft cannot run here until they pass.");
    }
}

package dev.weft.loris;

import dev.weft.linux.rtnl.Address;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Rtnetlink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DHCP for {@code connect ... dhcp}: a supervised busybox udhcpc in the container's namespace
 * (see docs/design.md for why not a Java client). udhcpc hands each event to {@code loris dhcp-event},
 * which sets the address through rtnetlink and records the lease in the port's external_ids; the
 * supervisor stops udhcpc (which releases the lease) on disconnect or when the container is gone.
 */
final class Dhcp {
    static final String PID = "loris-dhcp-pid";
    static final String LEASE = "loris-lease";
    static final String BOUND_AT = "loris-lease-at";
    static final String SERVER = "loris-dhcp-server";
    static final String RENEWALS = "loris-dhcp-renewals";
    private static final String SUPERVISOR = "dhcp-supervise.sh";

    private Dhcp() {
    }

    /** The directory beside the OVSDB socket where loris keeps its scripts and udhcpc's pid files. */
    static Path runDir(String dbUrl) {
        Path socket = Path.of(dbUrl.substring("unix:".length())).toAbsolutePath();
        return socket.getParent().resolve("loris");
    }

    /** Starts the supervisor, detached in a session of its own; returns its pid. */
    static long start(String dbUrl, Container c, String ifname, String port) {
        Path dir = runDir(dbUrl);
        Path supervisor = install(dir, SUPERVISOR);
        Path hook = install(dir, "dhcp-hook.sh");
        ProcessBuilder pb = new ProcessBuilder("setsid", supervisor.toString(), c.netns().toString(), ifname,
                dir.resolve(port + ".udhcpc.pid").toString(), Long.toString(c.pid()), hook.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(port + ".log").toFile()));
        pb.environment().put("LORIS_JAVA", ProcessHandle.current().info().command().orElse("java"));
        pb.environment().put("LORIS_CP", System.getProperty("java.class.path"));
        pb.environment().put("LORIS_DB", dbUrl);
        pb.environment().put("LORIS_PORT", port);
        try {
            return pb.start().pid();
        } catch (IOException e) {
            throw new LorisException("cannot start the DHCP client: " + e.getMessage());
        }
    }

    /** Stops a supervisor (udhcpc releases its lease) and waits up to 10 s for it to end. */
    static void stop(String pidText) {
        if (pidText == null) {
            return;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(pidText))
                .filter(h -> h.info().commandLine().orElse("").contains(SUPERVISOR) || cmdline(h.pid()).contains(SUPERVISOR));
        if (p.isEmpty()) {
            return;
        }
        p.get().destroy();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (p.get().isAlive() && System.nanoTime() < deadline) {
            HostSetup.sleepMs(20);
        }
    }

    static boolean running(String pidText) {
        return pidText != null && ProcessHandle.of(Long.parseLong(pidText)).map(ProcessHandle::isAlive).orElse(false)
                && cmdline(Long.parseLong(pidText)).contains(SUPERVISOR);
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** One udhcpc event, run inside the container's namespace: configure the interface, record the lease. */
    static void event(Ovs ovs, String event, Map<String, String> env) {
        String iface = env.get("interface");
        String portName = env.get("LORIS_PORT");
        if (iface == null || portName == null) {
            throw new LorisException("dhcp-event runs from udhcpc (interface and LORIS_PORT are not set)");
        }
        try (Rtnetlink nl = Rtnetlink.open()) {
            switch (event) {
                case "deconfig" -> {
                    flush(nl, iface, null);
                    nl.links().setUp(iface);
                }
                case "bound", "renew" -> {
                    IpPrefix ip = IpPrefix.parse(env.get("ip") + "/" + env.get("mask"));
                    flush(nl, iface, ip);
                    if (nl.addresses().list(iface).stream().noneMatch(a -> a.prefix().equals(ip))) {
                        nl.addresses().add(iface, ip);
                    }
                    record(ovs, portName, event, ip, env);
                }
                default -> {
                    // leasefail, nak: udhcpc retries on its own; nothing to record
                }
            }
        }
    }

    private static void flush(Rtnetlink nl, String iface, IpPrefix keep) {
        for (Address a : nl.addresses().list(iface)) {
            if (a.prefix().isIpv4() && !a.prefix().equals(keep)) {
                nl.addresses().delete(iface, a.prefix());
            }
        }
    }

    private static void record(Ovs ovs, String portName, String event, IpPrefix ip, Map<String, String> env) {
        Ovs.Bridge bridge = ovs.bridge(Ovs.BRIDGE).orElseThrow(() -> new LorisException("bridge " + Ovs.BRIDGE + " is gone"));
        Ovs.Port port = ovs.ports(bridge).stream().filter(p -> p.name().equals(portName)).findFirst()
                .orElseThrow(() -> new LorisException("port " + portName + " is gone"));
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(Connector.IP, ip.toString());
        ids.put(LEASE, env.getOrDefault("lease", ""));
        ids.put(BOUND_AT, Long.toString(Instant.now().getEpochSecond()));
        ids.put(SERVER, env.getOrDefault("serverid", ""));
        int renewals = Integer.parseInt(port.ids().getOrDefault(RENEWALS, "0"));
        ids.put(RENEWALS, Integer.toString(event.equals("renew") ? renewals + 1 : renewals));
        ovs.transact(List.copyOf(Ovs.setPortIds(port, ids)));
    }

    private static Path install(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(name);
            Path tmp = dir.resolve(name + ".tmp" + ProcessHandle.current().pid());
            try (InputStream in = Dhcp.class.getResourceAsStream(name)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp.toFile().setExecutable(true);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new LorisException("cannot write " + name + " to " + dir + ": " + e.getMessage());
        }
    }
}

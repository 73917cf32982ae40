package dev.weft.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds kernel objects that tests (or a weftd under test) left behind on this machine: network
 * namespaces named "wt...", mounts at or under a directory named "weft..." or "wt...",
 * links in the machine's own namespace with a test or weft prefix, and nftables tables named
 * "weft..." or "wt..." in the machine's own namespace; and Open vSwitch leftovers: private
 * Open vSwitch directories (/tmp/wtovs...) and the processes that use them (ovsdb-server,
 * ovs-vswitchd, loris's DHCP supervisors, udhcpc and dnsmasq started by tests), loris's links in
 * the machine's namespace, and loris or test bridges in the machine's own Open vSwitch database.
 */
public final class LeakCheck {
    /** Namespaces made by tests and fixtures. */
    public static final Pattern TEST_NAMESPACE = Pattern.compile("^wt.*");
    /** Link names weft and its tests use. */
    public static final Pattern TEST_LINK = Pattern.compile("^(wt|weft|wv|wb|wx|wm|wo|wn|wd).*");
    /** nftables tables weft and its tests use. */
    public static final Pattern TEST_TABLE = Pattern.compile("^(weft|wt).*");

    /** Links loris makes in the namespace it runs in (bridges' internal ports, container ports). */
    public static final Pattern LORIS_LINK = Pattern.compile("^(loris0|lorisul|lv[0-9a-f]{8})$");
    /** Bridges loris or tests would make in an Open vSwitch database. */
    public static final Pattern OVS_BRIDGE = Pattern.compile("^(loris.*|wt.*)$");
    private static final java.nio.file.Path SYSTEM_OVSDB = java.nio.file.Path.of("/var/run/openvswitch/db.sock");

    /** Mounts made by weft or tests outside /run/netns: sandboxes bound in a run dir, or the run dir itself. */
    public static final Pattern TEST_MOUNT = Pattern.compile(".*/(weft|wt)[^/]*(/.*)?");

    private LeakCheck() {
    }

    /** Every mount point in this mount namespace. */
    private static List<String> mounts() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length == 2) {
                    out.add(halves[0].split(" ")[4].replace("\\040", " "));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
        return out;
    }

    /** One line per leftover; empty when the machine is clean. */
    public static List<String> leftovers() {
        List<String> found = new ArrayList<>();
        for (String ns : new Namespaces().list()) {
            if (TEST_NAMESPACE.matcher(ns).matches()) {
                found.add("network namespace " + ns);
            }
        }
        for (String mount : mounts()) {
            if (TEST_MOUNT.matcher(mount).matches() && !mount.startsWith(Namespaces.DEFAULT_RUN_DIR + "/")) {
                found.add("mount " + mount);
            }
        }
        try (Rtnetlink nl = Rtnetlink.open()) {
            for (Link link : nl.links().list()) {
                if (TEST_LINK.matcher(link.name()).matches() || LORIS_LINK.matcher(link.name()).matches()) {
                    found.add("link " + link.name() + " in the machine's namespace");
                }
            }
        }
        for (String table : nftTables()) {
            if (TEST_TABLE.matcher(table.substring(table.indexOf(' ') + 1)).matches()) {
                found.add("nftables table " + table + " in the machine's namespace");
            }
        }
        found.addAll(openVswitchLeftovers());
        return found;
    }

    /** Private Open vSwitch directories, processes using them, and test bridges in the system database. */
    static List<String> openVswitchLeftovers() {
        List<String> found = new ArrayList<>();
        try (var dirs = java.nio.file.Files.list(java.nio.file.Path.of("/tmp"))) {
            dirs.filter(d -> d.getFileName().toString().startsWith(OpenVswitch.DIR_PREFIX))
                    .forEach(d -> found.add("Open vSwitch directory " + d));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /tmp", e);
        }
        ProcessHandle.allProcesses().forEach(p -> {
            String cmd = cmdline(p.pid());
            if (cmd.contains("/tmp/" + OpenVswitch.DIR_PREFIX)) {
                found.add("process " + p.pid() + " " + cmd);
            }
        });
        if (java.nio.file.Files.exists(SYSTEM_OVSDB)) {
            for (String bridge : run("ovs-vsctl", "--timeout=5", "--db=unix:" + SYSTEM_OVSDB, "list-br").lines().toList()) {
                if (OVS_BRIDGE.matcher(bridge).matches()) {
                    found.add("Open vSwitch bridge " + bridge + " in " + SYSTEM_OVSDB);
                }
            }
        }
        return found;
    }

    private static String cmdline(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ').trim();
        } catch (IOException | RuntimeException e) {
            return ""; // gone meanwhile
        }
    }

    /** A command's output, empty when it fails (then there is nothing it could report). */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** "family name" of every nftables table in the machine's namespace (empty without nft). */
    private static List<String> nftTables() {
        try {
            Process p = new ProcessBuilder("nft", "-j", "list", "tables").redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0 || out.isBlank()) {
                return List.of();
            }
            List<String> tables = new ArrayList<>();
            for (JsonNode item : new ObjectMapper().readTree(out).path("nftables")) {
                JsonNode t = item.get("table");
                if (t != null) {
                    tables.add(t.path("family").asText() + " " + t.path("name").asText());
                }
            }
            return tables;
        } catch (IOException e) {
            return List.of(); // no nft binary: nothing weft could have made with it either
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}

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
 * "weft..." or "wt..." in the machine's own namespace.
 */
public final class LeakCheck {
    /** Namespaces made by tests and fixtures. */
    public static final Pattern TEST_NAMESPACE = Pattern.compile("^wt.*");
    /** Link names weft and its tests use. */
    public static final Pattern TEST_LINK = Pattern.compile("^(wt|weft|wv|wb|wx|wm|wo|wn|wd).*");
    /** nftables tables weft and its tests use. */
    public static final Pattern TEST_TABLE = Pattern.compile("^(weft|wt).*");

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
                if (TEST_LINK.matcher(link.name()).matches()) {
                    found.add("link " + link.name() + " in the machine's namespace");
                }
            }
        }
        for (String table : nftTables()) {
            if (TEST_TABLE.matcher(table.substring(table.indexOf(' ') + 1)).matches()) {
                found.add("nftables table " + table + " in the machine's namespace");
            }
        }
        return found;
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

package dev.weft.testkit;

import dev.weft.linux.Shell;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Rtnetlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated host: its namespace, its underlay address on "eth0", and a way to run a process
 * inside it. Processes are started with {@code nsenter --net=PATH}, not {@code ip netns exec},
 * so that they share the test's mount namespace: {@code ip netns exec} gives the process a private
 * one, and the namespace bind mounts it made would be invisible to every other process.
 */
public record SimulatedHost(int index, Netns netns, InetAddress address, IpPrefix underlay, String run) {

    public String name() {
        return netns.name();
    }

    /** rtnetlink inside this host; the caller closes it. */
    public Rtnetlink rtnetlink() {
        return Rtnetlink.open(netns);
    }

    /** The command line that runs {@code command} inside this host. */
    public List<String> command(String... command) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + netns.path()));
        argv.addAll(List.of(command));
        return argv;
    }

    /** Starts {@code command} inside this host (for daemons); the caller stops it. */
    public Process start(String... command) {
        try {
            return new ProcessBuilder(command(command)).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", command) + " in " + name(), e);
        }
    }

    /** Runs {@code command} inside this host, returns its output, fails if it exits non-zero. */
    public String exec(String... command) {
        return Shell.run(command(command).toArray(String[]::new));
    }

    /** Whether one ping from this host reaches {@code target} within a second. */
    public boolean ping(InetAddress target) {
        try {
            Process p = new ProcessBuilder(command("ping", "-c", "1", "-W", "1", IpPrefix.format(target)))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run ping in " + name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package dev.weft.loris;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.testkit.JavaMain;
import dev.weft.testkit.OpenVswitch;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Simulated hosts, each with its own ovsdb-server and ovs-vswitchd, loris run as a process inside a
 * host as a user types it, and containers as throwaway network namespaces. Closing it removes all.
 */
final class LorisHosts implements AutoCloseable {
    final SimulatedHosts hosts;
    final List<OpenVswitch> ovs = new ArrayList<>();
    final TestNamespaces containers = new TestNamespaces();

    record Run(int exit, String out, String err) {
    }

    LorisHosts(int count) {
        hosts = SimulatedHosts.create(count);
        try {
            for (SimulatedHost h : hosts.hosts()) {
                ovs.add(OpenVswitch.start(h, true));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    SimulatedHost host(int i) {
        return hosts.get(i);
    }

    /** loris run inside host i, with --db of host i's Open vSwitch unless args name one. */
    Run loris(int i, String... args) {
        List<String> all = new ArrayList<>();
        if (List.of(args).stream().noneMatch(a -> a.startsWith("--db="))) {
            all.add("--db=" + ovs.get(i).dbUrl());
        }
        all.addAll(List.of(args));
        List<String> argv = host(i).command(JavaMain.command(LorisCli.class.getName(), all).toArray(String[]::new));
        try {
            Process p = new ProcessBuilder(argv).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("loris " + String.join(" ", args) + " did not finish");
            }
            return new Run(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** loris that must succeed; returns its output. */
    String ok(int i, String... args) {
        Run r = loris(i, args);
        if (r.exit() != 0) {
            throw new AssertionError("loris " + String.join(" ", args) + " on host " + i + " failed (" + r.exit() + "): " + r.err());
        }
        return r.out();
    }

    /**
     * dnsmasq serving 198.51.100.50-60 (2-minute leases) on the eth1 of {@code server} (a container
     * on host {@code i}), leases in {@code leases}; the caller stops it.
     */
    Process dnsmasq(int i, Netns server, java.nio.file.Path leases) throws IOException {
        java.nio.file.Path dir = ovs.get(i).dir();
        return new ProcessBuilder("nsenter", "--net=" + server.path(), "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                "--user=root", "--port=0", "--interface=eth1", "--bind-interfaces", "--dhcp-authoritative",
                "--dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0,2m", "--dhcp-leasefile=" + leases,
                "--pid-file=" + dir.resolve("dnsmasq.pid"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.out").toFile()).start();
    }

    Netns container(String label) {
        return containers.create(label);
    }

    static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** One ping from a container. */
    static boolean ping(Netns from, String to) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + from.path(), "ping", "-c", "1", "-W", "1", to)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A ping that may need a few tries while MAC learning and tunnel ARP settle. */
    static boolean pingSoon(Netns from, String to) {
        for (int i = 0; i < 5; i++) {
            if (ping(from, to)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a TCP connection from {@code from} to a listener in {@code to} carries a message both ways. */
    static boolean tcp(Netns from, Netns to, String toAddress) throws Exception {
        try (ServerSocket server = to.call(() -> new ServerSocket(5201, 1, java.net.InetAddress.getByName(toAddress)))) {
            server.setSoTimeout(3000);
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(3000);
                    String msg = new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                    s.getOutputStream().write(msg.toUpperCase().getBytes(StandardCharsets.US_ASCII));
                    return msg;
                } catch (IOException e) {
                    return "";
                }
            });
            boolean answered = from.call(() -> {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(toAddress, 5201), 3000);
                    client.setSoTimeout(3000);
                    client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    return new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).equals("HELLO");
                } catch (IOException e) {
                    return false;
                }
            });
            return answered && got.get(5, TimeUnit.SECONDS).equals("hello");
        }
    }

    /** Whether a UDP datagram from {@code from} reaches a socket in {@code to}. */
    static boolean udp(Netns from, Netns to, String toAddress) throws Exception {
        try (DatagramSocket server = to.call(() -> new DatagramSocket(new InetSocketAddress(toAddress, 5202)));
             DatagramSocket client = from.call(DatagramSocket::new)) {
            server.setSoTimeout(2000);
            byte[] msg = "ping".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3; i++) {
                client.send(new DatagramPacket(msg, msg.length, new InetSocketAddress(toAddress, 5202)));
                DatagramPacket in = new DatagramPacket(new byte[16], 16);
                try {
                    server.receive(in);
                    return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII).equals("ping");
                } catch (java.net.SocketTimeoutException e) {
                    // try again
                }
            }
            return false;
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            containers.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (OpenVswitch o : ovs) {
            try {
                o.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        hosts.close();
        if (failure != null) {
            throw failure;
        }
    }
}

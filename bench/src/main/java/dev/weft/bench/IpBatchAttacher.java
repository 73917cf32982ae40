package dev.weft.bench;

import dev.weft.net.IpPrefix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The same attach sequence as {@link WeftAttacher}, as iproute2 would do it at best: batch files
 * written beforehand (untimed), then {@code ip -n HOST -batch} for the host side and
 * {@code ip -n CONTAINER -batch} for the container side. Two processes, because iproute2 (6.1
 * here) accepts no global option such as {@code -n} on a batch line, and a veth end cannot be
 * created already up ("up" on the peer fails with ENOTCONN), so the host end's "set up" and the
 * container's address and route cannot share one namespace's batch. Who starts the two processes
 * (and so pays for their start) is the {@link Spawner}'s business.
 */
final class IpBatchAttacher implements Attacher {
    private final String hostNamespace;
    private final Path dir;
    private final Spawner spawner;

    IpBatchAttacher(String hostNamespace, Path dir, Spawner spawner) {
        this.hostNamespace = hostNamespace;
        this.dir = dir;
        this.spawner = spawner;
    }

    @Override
    public String attachLabel() {
        return "ip -batch floor, 2 processes started by " + spawner.label();
    }

    @Override
    public String detachLabel() {
        return "ip link del, 1 process started by " + spawner.label();
    }

    @Override
    public void prepare(Slot slot) {
        write(hostBatch(slot), "link add " + slot.hostLink() + " type veth peer name " + Slot.CONTAINER_LINK
                + " netns " + slot.container().name() + "\n"
                + "link set dev " + slot.hostLink() + " up\n");
        write(containerBatch(slot), "addr add " + slot.address() + " dev " + Slot.CONTAINER_LINK + "\n"
                + "link set dev " + Slot.CONTAINER_LINK + " up\n"
                + "route add default via " + IpPrefix.format(slot.gateway()) + "\n");
    }

    @Override
    public long attach(Slot slot) {
        List<String> host = List.of("ip", "-n", hostNamespace, "-batch", hostBatch(slot).toString());
        List<String> container = List.of("ip", "-n", slot.container().name(), "-batch",
                containerBatch(slot).toString());
        long elapsed = spawner.time(List.of(host, container));
        delete(hostBatch(slot));
        delete(containerBatch(slot));
        return elapsed;
    }

    @Override
    public long detach(Slot slot) {
        List<String> command = List.of("ip", "-n", hostNamespace, "link", "del", "dev", slot.hostLink());
        return spawner.time(List.of(command));
    }

    private Path hostBatch(Slot slot) {
        return dir.resolve(slot.hostLink() + "-host.batch");
    }

    private Path containerBatch(Slot slot) {
        return dir.resolve(slot.hostLink() + "-container.batch");
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write batch file " + file, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete batch file " + file, e);
        }
    }
}

package dev.weft.linux.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.linux.KernelException;
import dev.weft.linux.KernelRequests;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One libnftables context bound to one network namespace, driven with its JSON API: a batch of
 * changes is one {@code nft_run_cmd_from_buffer} call, which the kernel applies as one
 * transaction. Only tables whose name starts with the owner prefix can be touched.
 * <p>
 * The libnftables trap (docs/design.md, "Linux layer"): a context opens its netlink socket at creation and waits on
 * it with select(), which aborts the process when that socket's number is 1024 or more. Create
 * contexts early, while the process has few descriptors; {@link #open} refuses a context whose
 * socket landed at 1024 or above instead of ever running a command with it. Calls on one
 * context are serialized.
 */
public final class Nftables implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int FD_SETSIZE = 1024;

    private final LibNftables lib;
    private final MemorySegment ctx;
    private final String owner;
    private final String namespace;
    private final TableShapes shapes = new TableShapes();
    private boolean closed;

    private Nftables(LibNftables lib, MemorySegment ctx, String owner, String namespace) {
        this.lib = lib;
        this.ctx = ctx;
        this.owner = owner;
        this.namespace = namespace;
    }

    /** A context in the calling thread's namespace that may touch tables named {@code owner}*. */
    public static Nftables open(String owner) {
        return create(owner, null);
    }

    /** A context inside {@code ns}; it stays bound there whichever thread uses it. */
    public static Nftables open(Netns ns, String owner) {
        return ns.call(() -> create(owner, ns.name()));
    }

    private static Nftables create(String owner, String namespace) {
        if (owner == null || owner.isEmpty()) {
            throw new IllegalArgumentException("an nftables owner prefix is required");
        }
        LibNftables lib = LibNftables.get();
        Set<Integer> before = openDescriptors();
        MemorySegment ctx;
        try {
            ctx = (MemorySegment) lib.ctxNew.invokeExact(LibNftables.NFT_CTX_DEFAULT);
        } catch (Throwable t) {
            throw new NftablesUnavailableException("nft_ctx_new failed: " + t, t);
        }
        if (ctx.equals(MemorySegment.NULL)) {
            throw new NftablesUnavailableException("nft_ctx_new returned no context");
        }
        Set<Integer> opened = openDescriptors();
        opened.removeAll(before);
        int highest = opened.stream().mapToInt(Integer::intValue).max().orElse(-1);
        Nftables nft = new Nftables(lib, ctx, owner, namespace);
        if (highest >= FD_SETSIZE) {
            nft.close();
            throw new NftablesUnavailableException("refusing an nftables context whose netlink socket is descriptor "
                    + highest + ": libnftables select()s on it and aborts the process at " + FD_SETSIZE
                    + " or above; create nftables contexts early, while the process holds few descriptors");
        }
        try {
            lib.outputSetFlags.invokeExact(ctx, LibNftables.NFT_CTX_OUTPUT_JSON | LibNftables.NFT_CTX_OUTPUT_HANDLE);
            int a = (int) lib.bufferOutput.invokeExact(ctx);
            int b = (int) lib.bufferError.invokeExact(ctx);
            if (a != 0 || b != 0) {
                throw new NftablesUnavailableException("libnftables cannot buffer its output");
            }
        } catch (NftablesUnavailableException e) {
            nft.close();
            throw e;
        } catch (Throwable t) {
            nft.close();
            throw new NftablesUnavailableException("cannot configure an nftables context: " + t, t);
        }
        return nft;
    }

    private static Set<Integer> openDescriptors() {
        Set<Integer> fds = new HashSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    fds.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a descriptor
                }
            });
        } catch (IOException e) {
            throw new NftablesUnavailableException("cannot list /proc/self/fd to check the descriptor trap", e);
        }
        return fds;
    }

    /** The owner prefix: the only tables this context may change. */
    public String owner() {
        return owner;
    }

    /** Applies the batch atomically: all of it, or (on any error) none of it. */
    public synchronized void apply(NftBatch batch) {
        for (NftBatch.TableRef t : batch.tables()) {
            checkOwned(t.name());
        }
        String json = batch.toJson();
        run(json, "apply nftables batch", batch.describe());
        try {
            shapes.fold(JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalStateException("a batch this context wrote is not JSON", e);
        }
    }

    /**
     * What someone else removed from the tables this context made: for each table whose chains,
     * rules, sets or elements the kernel no longer has as this context's batches left them, one
     * line saying so. Empty when every such table is intact.
     */
    public synchronized List<String> damage() {
        List<String> out = new ArrayList<>();
        for (var e : shapes.expected().entrySet()) {
            NftBatch.TableRef t = e.getKey();
            TableShapes.Shape listed;
            try {
                listed = TableShapes.listed(listTable(t.family(), t.name()));
            } catch (KernelException.NotFound gone) {
                out.add("table " + t.family() + " " + t.name() + " is gone");
                continue;
            }
            if (!listed.chains().equals(e.getValue().chains())) {
                out.add("table " + t.family() + " " + t.name() + ": chains and rules " + listed.chains() + ", expected "
                        + e.getValue().chains());
            }
            if (!listed.sets().equals(e.getValue().sets())) {
                out.add("table " + t.family() + " " + t.name() + ": set elements " + listed.sets() + ", expected "
                        + e.getValue().sets());
            }
        }
        return out;
    }

    /** The table's chains, rules, sets and maps as libnftables lists them (its JSON "nftables" array). */
    public JsonNode listTable(String family, String name) {
        checkOwned(name);
        ObjectNode cmd = JSON.createObjectNode();
        cmd.putArray("nftables").addObject().putObject("list").putObject("table").put("family", family).put("name", name);
        return run(cmd.toString(), "list nftables table", family + " " + name).path("nftables");
    }

    /** The tables of this namespace that this context owns. */
    public List<NftBatch.TableRef> listTables() {
        ObjectNode cmd = JSON.createObjectNode();
        cmd.putArray("nftables").addObject().putObject("list").putObject("tables");
        List<NftBatch.TableRef> out = new ArrayList<>();
        for (JsonNode item : run(cmd.toString(), "list nftables tables", "").path("nftables")) {
            JsonNode t = item.get("table");
            if (t != null && t.path("name").asText().startsWith(owner)) {
                out.add(new NftBatch.TableRef(t.path("family").asText(), t.path("name").asText()));
            }
        }
        return out;
    }

    /** Deletes the table if it exists; returns whether it did. */
    public boolean deleteTable(String family, String name) {
        checkOwned(name);
        if (listTables().stream().noneMatch(t -> t.family().equals(family) && t.name().equals(name))) {
            return false;
        }
        apply(new NftBatch().deleteTable(family, name));
        return true;
    }

    private void checkOwned(String table) {
        if (table == null || !table.startsWith(owner)) {
            throw new IllegalArgumentException("nftables table \"" + table + "\" is not weft's: this context may only change tables named "
                    + owner + "*");
        }
    }

    private synchronized JsonNode run(String command, String operation, String object) {
        if (closed) {
            throw new IllegalStateException("nftables context is closed");
        }
        int rc;
        String out;
        String err;
        KernelRequests.countNftables();
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) lib.runCmdFromBuffer.invokeExact(ctx, arena.allocateFrom(command));
            out = LibNftables.string((MemorySegment) lib.getOutputBuffer.invokeExact(ctx));
            err = LibNftables.string((MemorySegment) lib.getErrorBuffer.invokeExact(ctx));
        } catch (Throwable t) {
            throw new IllegalStateException("libnftables call failed: " + t, t);
        }
        if (rc != 0) {
            throw KernelException.of(errnoOf(err), operation, object, namespace, err.strip().replace('\n', ' '));
        }
        try {
            return out.isBlank() ? JSON.createObjectNode() : JSON.readTree(out);
        } catch (IOException e) {
            throw new IllegalStateException("libnftables printed output that is not JSON: " + out, e);
        }
    }

    private static int errnoOf(String error) {
        if (error.contains("No such file or directory")) {
            return Errno.ENOENT;
        }
        if (error.contains("File exists")) {
            return Errno.EEXIST;
        }
        if (error.contains("Operation not permitted")) {
            return Errno.EPERM;
        }
        if (error.contains("not supported")) {
            return Errno.EOPNOTSUPP;
        }
        if (error.contains("Device or resource busy")) {
            return Errno.EBUSY;
        }
        return Errno.EINVAL;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                lib.ctxFree.invokeExact(ctx);
            } catch (Throwable t) {
                throw new IllegalStateException("nft_ctx_free failed: " + t, t);
            }
        }
    }
}

package dev.weft.linux.nft;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The libnftables calls weft makes, bound once; loading fails with a message naming the package. */
final class LibNftables {
    static final int NFT_CTX_DEFAULT = 0;
    static final int NFT_CTX_OUTPUT_HANDLE = 1 << 3;
    static final int NFT_CTX_OUTPUT_JSON = 1 << 4;
    private static final String LIBRARY = "libnftables.so.1";

    private static volatile LibNftables instance;

    final MethodHandle ctxNew;
    final MethodHandle ctxFree;
    final MethodHandle outputSetFlags;
    final MethodHandle bufferOutput;
    final MethodHandle bufferError;
    final MethodHandle getOutputBuffer;
    final MethodHandle getErrorBuffer;
    final MethodHandle runCmdFromBuffer;

    private LibNftables(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        ctxNew = linker.downcallHandle(lib.findOrThrow("nft_ctx_new"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
        ctxFree = linker.downcallHandle(lib.findOrThrow("nft_ctx_free"), FunctionDescriptor.ofVoid(ADDRESS));
        outputSetFlags = linker.downcallHandle(lib.findOrThrow("nft_ctx_output_set_flags"),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        bufferOutput = linker.downcallHandle(lib.findOrThrow("nft_ctx_buffer_output"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        bufferError = linker.downcallHandle(lib.findOrThrow("nft_ctx_buffer_error"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getOutputBuffer = linker.downcallHandle(lib.findOrThrow("nft_ctx_get_output_buffer"),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        getErrorBuffer = linker.downcallHandle(lib.findOrThrow("nft_ctx_get_error_buffer"),
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        runCmdFromBuffer = linker.downcallHandle(lib.findOrThrow("nft_run_cmd_from_buffer"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** The bound library; throws {@link NftablesUnavailableException} if it cannot be loaded. */
    static LibNftables get() {
        LibNftables l = instance;
        if (l == null) {
            synchronized (LibNftables.class) {
                l = instance;
                if (l == null) {
                    try {
                        l = new LibNftables(SymbolLookup.libraryLookup(LIBRARY, Arena.global()));
                    } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                        throw new NftablesUnavailableException("cannot load " + LIBRARY + " (install the Debian package "
                                + "libnftables1): " + e.getMessage(), e);
                    }
                    instance = l;
                }
            }
        }
        return l;
    }

    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }
}

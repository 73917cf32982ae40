package dev.weft.linux.doctor;

import dev.weft.linux.nft.NftBatch;
import dev.weft.linux.nft.Nftables;
import dev.weft.linux.nft.NftablesUnavailableException;

import java.util.List;

/** Probes libnftables and the kernel's nf_tables (nat, masquerade) in the calling thread's namespace. */
final class NftProbe {
    private NftProbe() {
    }

    static List<Check> run() {
        Nftables nft;
        try {
            nft = Nftables.open("weftdoctor");
        } catch (NftablesUnavailableException e) {
            return List.of(new Check("libnftables", true, false, e.getMessage()),
                    new Check("nf_tables", true, false, "not probed: libnftables is unavailable"));
        }
        try (nft) {
            Check lib = new Check("libnftables", true, true, "libnftables.so.1 loaded, JSON API works");
            try {
                nft.apply(new NftBatch().replaceTable("inet", "weftdoctor")
                        .addChain("inet", "weftdoctor", "post", NftBatch.Hook.nat("postrouting", 100))
                        .addRule("inet", "weftdoctor", "post", List.of(dev.weft.linux.nft.Nft.masquerade()), null));
                nft.deleteTable("inet", "weftdoctor");
                return List.of(lib, new Check("nf_tables", true, true, "kernel nf_tables with nat and masquerade"));
            } catch (RuntimeException e) {
                return List.of(lib, new Check("nf_tables", true, false, "missing kernel feature nf_tables (nat/masquerade): "
                        + e.getMessage()));
            }
        }
    }
}

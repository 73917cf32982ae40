package dev.weft.linux.nft;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.weft.linux.nft.Nft.accept;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The libnftables trap (docs/design.md, "Linux layer"): a context made while descriptors are few keeps working
 * after the process holds more than 1024; a context whose socket would be 1024 or above is
 * refused before it can run anything (running it would abort the JVM).
 */
class NftablesDescriptorTrapTest {

    @Test
    void anEarlyContextKeepsWorkingPast1024DescriptorsAndALateOneIsRefused() throws IOException {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("fd");
            List<FileInputStream> held = new ArrayList<>();
            try (Nftables early = Nftables.open(ns, "weft")) {
                while (held.size() < 1100) {
                    held.add(new FileInputStream("/dev/null"));
                }
                early.apply(new NftBatch().replaceTable("inet", "weft")
                        .addChain("inet", "weft", "input", NftBatch.Hook.filter("input", 0, "accept"))
                        .addRule("inet", "weft", "input", List.of(accept()), "after 1100 descriptors"));
                assertThat(early.listTables()).hasSize(1);

                assertThatThrownBy(() -> Nftables.open(ns, "weft"))
                        .isInstanceOf(NftablesUnavailableException.class)
                        .hasMessageContaining("create nftables contexts early");
            } finally {
                for (FileInputStream f : held) {
                    f.close();
                }
            }
        }
    }
}

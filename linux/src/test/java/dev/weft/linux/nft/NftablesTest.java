package dev.weft.linux.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.linux.KernelException;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.weft.linux.nft.Nft.accept;
import static dev.weft.linux.nft.Nft.concat;
import static dev.weft.linux.nft.Nft.counter;
import static dev.weft.linux.nft.Nft.ct;
import static dev.weft.linux.nft.Nft.dnat;
import static dev.weft.linux.nft.Nft.drop;
import static dev.weft.linux.nft.Nft.jump;
import static dev.weft.linux.nft.Nft.mapLookup;
import static dev.weft.linux.nft.Nft.mapping;
import static dev.weft.linux.nft.Nft.masquerade;
import static dev.weft.linux.nft.Nft.match;
import static dev.weft.linux.nft.Nft.meta;
import static dev.weft.linux.nft.Nft.payload;
import static dev.weft.linux.nft.Nft.prefix;
import static dev.weft.linux.nft.Nft.set;
import static dev.weft.linux.nft.Nft.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NftablesTest {
    private final ObjectMapper json = new ObjectMapper();
    private TestNamespaces namespaces;
    private Netns ns;
    private Nftables nft;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        ns = namespaces.create("nft");
        nft = Nftables.open(ns, "weft");
    }

    @AfterEach
    void tearDown() {
        nft.close();
        namespaces.close();
    }

    private NftBatch weftTable() {
        return new NftBatch().replaceTable("inet", "weft")
                .addChain("inet", "weft", "forward", NftBatch.Hook.filter("forward", 0, "accept"))
                .addChain("inet", "weft", "isolate")
                .addChain("inet", "weft", "postrouting", NftBatch.Hook.nat("postrouting", 100))
                .addChain("inet", "weft", "prerouting", NftBatch.Hook.nat("prerouting", -100))
                .addSet("inet", "weft", "bridges", List.of("ifname"), List.of())
                .addMap("inet", "weft", "pub_addr", List.of("inet_proto", "inet_service"), "ipv4_addr", List.of())
                .addMap("inet", "weft", "pub_port", List.of("inet_proto", "inet_service"), "inet_service", List.of())
                .addRule("inet", "weft", "forward", List.of(match(ct("state"), "in", set("established", "related")), accept()),
                        "replies")
                .addRule("inet", "weft", "forward", List.of(match(meta("iifname"), "==", set("@bridges")), jump("isolate")), null)
                .addRule("inet", "weft", "isolate", List.of(match(meta("iifname"), "==", value("wb-a")),
                        match(meta("oifname"), "==", value("wb-b")), counter(), drop()), "isolate a from b")
                .addRule("inet", "weft", "postrouting", List.of(match(payload("ip", "saddr"), "==", prefix("192.0.2.0", 24)),
                        match(meta("oifname"), "!=", value("wb-a")), masquerade()), "masquerade 192.0.2.0/24")
                .addRule("inet", "weft", "prerouting", List.of(match(meta("nfproto"), "==", value("ipv4")),
                        dnat("ip", mapLookup(concat(meta("l4proto"), payload("th", "dport")), "pub_addr"),
                                mapLookup(concat(meta("l4proto"), payload("th", "dport")), "pub_port"))), "published ports");
    }

    private JsonNode listedByNft() throws Exception {
        return json.readTree(Shell.run("ip", "netns", "exec", ns.name(), "nft", "-j", "list", "table", "inet", "weft"))
                .path("nftables");
    }

    private static List<String> kinds(JsonNode listing, String kind) {
        List<String> out = new ArrayList<>();
        listing.forEach(i -> {
            if (i.has(kind)) {
                out.add(i.get(kind).path("name").asText(i.get(kind).path("chain").asText()));
            }
        });
        return out;
    }

    @Test
    void aWholeTableIsCreatedInOneBatchAndReadsBack() throws Exception {
        nft.apply(weftTable());
        JsonNode ours = nft.listTable("inet", "weft");
        assertThat(kinds(ours, "chain")).containsExactlyInAnyOrder("forward", "isolate", "postrouting", "prerouting");
        assertThat(kinds(ours, "set")).containsExactly("bridges");
        assertThat(kinds(ours, "map")).containsExactlyInAnyOrder("pub_addr", "pub_port");
        assertThat(kinds(ours, "rule")).hasSize(5);
        JsonNode theirs = listedByNft();
        assertThat(kinds(theirs, "rule")).hasSize(5);
        assertThat(Shell.run("ip", "netns", "exec", ns.name(), "nft", "list", "table", "inet", "weft"))
                .contains("ct state { established, related } accept")
                .contains("ip saddr 192.0.2.0/24 oifname != \"wb-a\" masquerade")
                .contains("dnat ip to meta l4proto . th dport map @pub_addr:meta l4proto . th dport map @pub_port");
        assertThat(nft.listTables()).containsExactly(new NftBatch.TableRef("inet", "weft"));
    }

    @Test
    void replacingATableDropsItsOldContentAtomically() {
        nft.apply(weftTable());
        nft.apply(new NftBatch().replaceTable("inet", "weft")
                .addChain("inet", "weft", "forward", NftBatch.Hook.filter("forward", 0, "drop")));
        JsonNode ours = nft.listTable("inet", "weft");
        assertThat(kinds(ours, "chain")).containsExactly("forward");
        assertThat(kinds(ours, "rule")).isEmpty();
        assertThat(kinds(ours, "map")).isEmpty();
    }

    @Test
    void aFailingBatchChangesNothingAndSaysWhy() {
        nft.apply(weftTable());
        NftBatch broken = new NftBatch().replaceTable("inet", "weft")
                .addChain("inet", "weft", "forward", NftBatch.Hook.filter("forward", 0, "accept"))
                .addRule("inet", "weft", "forward", List.of(jump("no-such-chain")), null);
        assertThatThrownBy(() -> nft.apply(broken)).isInstanceOf(KernelException.class)
                .hasMessageContaining("cannot apply nftables batch replace table inet weft")
                .hasMessageContaining("in namespace " + ns.name())
                .satisfies(e -> assertThat(((KernelException) e).kernelMessage()).isNotBlank());
        assertThat(kinds(nft.listTable("inet", "weft"), "rule")).as("the old table is intact").hasSize(5);
    }

    @Test
    void elementsAreAddedAndDeletedInSetsAndMaps() throws Exception {
        nft.apply(weftTable());
        nft.apply(new NftBatch()
                .addElements("inet", "weft", "bridges", List.of(value("wb-a"), value("wb-b")))
                .addElements("inet", "weft", "pub_addr", List.of(mapping(concat(value("tcp"), value(8080)), value("192.0.2.2"))))
                .addElements("inet", "weft", "pub_port", List.of(mapping(concat(value("tcp"), value(8080)), value(80)))));
        String listing = Shell.run("ip", "netns", "exec", ns.name(), "nft", "list", "table", "inet", "weft");
        assertThat(listing.replaceAll("\\s+", " ")).contains("elements = { \"wb-a\", \"wb-b\" }").contains("tcp . 8080 : 192.0.2.2")
                .contains("tcp . 8080 : 80");
        nft.apply(new NftBatch().deleteElements("inet", "weft", "bridges", List.of(value("wb-a")))
                .deleteElements("inet", "weft", "pub_addr", List.of(concat(value("tcp"), value(8080)))));
        listing = Shell.run("ip", "netns", "exec", ns.name(), "nft", "list", "table", "inet", "weft");
        assertThat(listing).contains("elements = { \"wb-b\" }").doesNotContain("192.0.2.2");
    }

    @Test
    void tablesWeftDoesNotOwnAreNeverTouched() {
        Shell.run("ip", "netns", "exec", ns.name(), "nft", "add", "table", "ip", "theirs");
        assertThatThrownBy(() -> nft.apply(new NftBatch().replaceTable("ip", "theirs")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not weft's");
        assertThatThrownBy(() -> nft.deleteTable("ip", "theirs")).isInstanceOf(IllegalArgumentException.class);
        assertThat(nft.listTables()).isEmpty();
        assertThat(Shell.run("ip", "netns", "exec", ns.name(), "nft", "list", "tables")).contains("table ip theirs");
    }

    @Test
    void deleteTableTreatsMissingAsDone() {
        nft.apply(weftTable());
        assertThat(nft.deleteTable("inet", "weft")).isTrue();
        assertThat(nft.deleteTable("inet", "weft")).isFalse();
        assertThat(nft.listTables()).isEmpty();
    }
}

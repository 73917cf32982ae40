package dev.weft.linux.nft;

import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.weft.linux.nft.Nft.accept;
import static dev.weft.linux.nft.Nft.match;
import static dev.weft.linux.nft.Nft.meta;
import static dev.weft.linux.nft.Nft.value;
import static org.assertj.core.api.Assertions.assertThat;

/** nftables deletion notifications from other processes, and the damage a context finds in its tables. */
class NftEventsTest {

    private static NftBatch table() {
        return new NftBatch().replaceTable("inet", "weft")
                .addChain("inet", "weft", "forward", NftBatch.Hook.filter("forward", 0, "accept"))
                .addSet("inet", "weft", "bridges", List.of("ifname"), List.of())
                .addElements("inet", "weft", "bridges", List.of(value("hea0"), value("hea1")))
                .addRule("inet", "weft", "forward", List.of(match(meta("iifname"), "==", value("@bridges")), accept()), null)
                .addRule("inet", "weft", "forward", List.of(match(meta("oifname"), "==", value("@bridges")), accept()), null);
    }

    private static void nft(Netns ns, String... args) {
        String[] cmd = new String[args.length + 5];
        System.arraycopy(new String[] {"ip", "netns", "exec", ns.name(), "nft"}, 0, cmd, 0, 5);
        System.arraycopy(args, 0, cmd, 5, args.length);
        Shell.run(cmd);
    }

    @Test
    void deletionsByAnotherProcessAreReportedAndThisProcessesOwnAreNot() throws Exception {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("nfe");
            BlockingQueue<NftEvents.NftEvent> events = new LinkedBlockingQueue<>();
            try (NftEvents ignored = NftEvents.subscribe(ns, events::add); Nftables nft = Nftables.open(ns, "weft")) {
                nft.apply(table());
                nft.apply(table()); // a rewrite deletes the table inside its transaction: weft's own, not reported
                nft.apply(new NftBatch().deleteElements("inet", "weft", "bridges", List.of(value("hea1"))));
                nft(ns, "add", "table", "ip", "other");
                nft(ns, "delete", "table", "ip", "other");
                NftEvents.NftEvent other = events.poll(5, TimeUnit.SECONDS);
                assertThat(other).as("another process's deletion of its own table").isInstanceOf(NftEvents.NftEvent.Deleted.class);
                NftEvents.NftEvent.Deleted d = (NftEvents.NftEvent.Deleted) other;
                assertThat(d.touches("weft")).isFalse();
                assertThat(d.deletions()).containsExactly(new NftEvents.Deletion("table", "ip", "other"));
                assertThat(d.pid()).isPositive();
                assertThat(d.process()).isEqualTo("nft");

                nft(ns, "delete", "table", "inet", "weft");
                NftEvents.NftEvent gone = events.poll(5, TimeUnit.SECONDS);
                assertThat(gone).isInstanceOf(NftEvents.NftEvent.Deleted.class);
                assertThat(((NftEvents.NftEvent.Deleted) gone).touches("weft")).isTrue();
                assertThat(((NftEvents.NftEvent.Deleted) gone).deletions()).contains(new NftEvents.Deletion("table", "inet", "weft"));
                assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("nothing else").isNull();
            }
        }
    }

    @Test
    void aContextFindsWhatOthersRemovedFromItsTablesAndNothingWhenIntact() {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("nfd");
            try (Nftables nft = Nftables.open(ns, "weft")) {
                assertThat(nft.damage()).as("no tables yet").isEmpty();
                nft.apply(table());
                nft.apply(new NftBatch().addElements("inet", "weft", "bridges", List.of(value("hea2"))));
                nft.apply(new NftBatch().deleteElements("inet", "weft", "bridges", List.of(value("hea0"))));
                assertThat(nft.damage()).as("after weft's own changes").isEmpty();

                nft(ns, "delete", "element", "inet", "weft", "bridges", "{ hea1 }");
                assertThat(nft.damage()).singleElement().asString().contains("set elements").contains("bridges=1");
                nft.apply(table());
                assertThat(nft.damage()).isEmpty();

                nft(ns, "flush", "chain", "inet", "weft", "forward");
                assertThat(nft.damage()).singleElement().asString().contains("chains and rules {forward=0}");
                nft.apply(table());

                nft(ns, "flush", "ruleset");
                assertThat(nft.damage()).containsExactly("table inet weft is gone");
                nft.apply(new NftBatch().addTable("inet", "weft").deleteTable("inet", "weft"));
                assertThat(nft.damage()).as("a table weft deleted is not missed").isEmpty();
            }
        }
    }
}

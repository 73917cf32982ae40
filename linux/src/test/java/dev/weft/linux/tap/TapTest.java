package dev.weft.linux.tap;

import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TapTest {

    @Test
    void aPersistentTapOutlivesItsDescriptorKeepsItsAddressWhenMadeAgainAndDeletesLikeALink() {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("tap");
            Tap.createPersistent(ns, "wtap0");
            try (Rtnetlink nl = Rtnetlink.open(ns)) {
                Link link = nl.links().get("wtap0");
                assertThat(link.kind()).isEqualTo("tun");
                assertThat(Shell.run("nsenter", "--net=" + ns.path(), "ip", "-d", "link", "show", "wtap0"))
                        .contains("tun type tap").contains("persist on");
                nl.addresses().add("wtap0", IpPrefix.parse("192.0.2.7/24"));
                nl.links().setUp("wtap0");

                Tap.createPersistent(ns, "wtap0"); // attaching again keeps the device as it was
                assertThat(nl.links().get("wtap0").index()).isEqualTo(link.index());
                assertThat(nl.addresses().list("wtap0")).anyMatch(a -> a.prefix().toString().equals("192.0.2.7/24"));

                nl.links().delete("wtap0");
                assertThat(nl.links().find("wtap0")).isEmpty();
            }
        }
    }

    @Test
    void aNameTooLongIsRefused() {
        assertThatThrownBy(() -> Tap.createPersistent(null, "a-name-far-too-long"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a-name-far-too-long");
    }
}

package dev.weft.linux.ethtool;

import dev.weft.linux.KernelException;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EthtoolTest {

    @Test
    void txChecksumOffloadGoesOffAndOnAsEthtoolSeesIt() {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("eth");
            try (Rtnetlink nl = Rtnetlink.open(ns)) {
                nl.links().create(new LinkSpec.Veth("wtv0", "wtv1"));
            }
            assertThat(Ethtool.txChecksum(ns, "wtv0")).isTrue();
            Ethtool.setTxChecksum(ns, "wtv0", false);
            assertThat(Ethtool.txChecksum(ns, "wtv0")).isFalse();
            assertThat(Shell.run("nsenter", "--net=" + ns.path(), "ethtool", "-k", "wtv0"))
                    .contains("tx-checksumming: off");
            assertThat(Ethtool.txChecksum(ns, "wtv1")).isTrue();
            Ethtool.setTxChecksum(ns, "wtv0", true);
            assertThat(Shell.run("nsenter", "--net=" + ns.path(), "ethtool", "-k", "wtv0"))
                    .contains("tx-checksumming: on");
        }
    }

    @Test
    void aMissingInterfaceIsNotFound() {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("eth");
            assertThatThrownBy(() -> Ethtool.setTxChecksum(ns, "nosuch0", false))
                    .isInstanceOf(KernelException.NotFound.class).hasMessageContaining("nosuch0");
        }
    }
}

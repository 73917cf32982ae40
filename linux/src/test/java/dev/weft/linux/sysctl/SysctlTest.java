package dev.weft.linux.sysctl;

import dev.weft.linux.KernelException;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SysctlTest {
    private TestNamespaces namespaces;
    private Netns ns;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        ns = namespaces.create("sys");
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    @Test
    void settingsAreReadAndWrittenInsideTheNamespaceOnly() {
        String hostBefore = Sysctl.current().get("net.ipv4.ip_forward");
        Sysctl s = Sysctl.of(ns);
        assertThat(s.get("net.ipv4.ip_forward")).isEqualTo("0");
        s.ipForward(true);
        assertThat(s.get("net.ipv4.ip_forward")).isEqualTo("1");
        assertThat(Shell.run("ip", "netns", "exec", ns.name(), "sysctl", "-n", "net.ipv4.ip_forward").trim()).isEqualTo("1");
        assertThat(Sysctl.current().get("net.ipv4.ip_forward")).as("the host is untouched").isEqualTo(hostBefore);
    }

    @Test
    void perInterfaceKeysInSlashForm() {
        Sysctl s = Sysctl.of(ns);
        s.rpFilter("lo", 2);
        s.arpIgnore("all", 1);
        s.acceptDad("lo", 0);
        s.ipv6Forwarding(true);
        assertThat(s.get("net/ipv4/conf/lo/rp_filter")).isEqualTo("2");
        assertThat(s.get("net.ipv4.conf.all.arp_ignore")).isEqualTo("1");
        assertThat(s.get("net.ipv6.conf.lo.accept_dad")).isEqualTo("0");
        assertThat(s.get("net.ipv6.conf.all.forwarding")).isEqualTo("1");
    }

    @Test
    void missingAndBadKeysAndValuesAreTypedErrors() {
        Sysctl s = Sysctl.of(ns);
        assertThatThrownBy(() -> s.get("net.ipv4.no_such_thing")).isInstanceOf(KernelException.NotFound.class)
                .hasMessageContaining("net.ipv4.no_such_thing").hasMessageContaining("in namespace " + ns.name());
        assertThatThrownBy(() -> s.get("../../etc/passwd")).isInstanceOf(KernelException.InvalidArgument.class);
        assertThatThrownBy(() -> s.set("net.ipv4.ip_forward", "1\n2")).isInstanceOf(KernelException.InvalidArgument.class);
        assertThatThrownBy(() -> s.rpFilter("lo", 7)).isInstanceOf(KernelException.InvalidArgument.class);
        assertThatThrownBy(() -> s.set("net.ipv4.conf.nosuchlink.rp_filter", "1")).isInstanceOf(KernelException.NotFound.class);
        assertThatThrownBy(() -> s.set("net.ipv4.ip_forward", "banana")).isInstanceOf(KernelException.InvalidArgument.class);
    }
}

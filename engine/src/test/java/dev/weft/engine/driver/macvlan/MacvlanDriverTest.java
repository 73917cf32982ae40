package dev.weft.engine.driver.macvlan;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerFixture;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MacvlanDriverTest {
    private ControllerFixture fixture;
    private Store store;
    private Controller controller;

    @BeforeEach
    void start() {
        fixture = new ControllerFixture("mv", host -> {
            try (Rtnetlink h = Rtnetlink.open(host)) {
                h.links().create(new LinkSpec.Veth("wpar", "wparp"));
                h.links().setUp("wpar");
                h.links().setUp("wparp");
            }
            return List.of(new MacvlanDriver(host));
        });
        store = fixture.store();
        controller = fixture.controller();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private Network macvlan(String name, String mode) {
        return controller.newNetwork(NetworkConfig.of(name, "macvlan").withIpv4(IpamConfig.subnet("198.51.100.0/24"))
                .withOptions(Map.of("parent", "wpar", "macvlan_mode", mode)));
    }

    private Sandbox container(Network net, String name) {
        Sandbox sb = controller.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name).join(sb);
        return sb;
    }

    private static boolean ping(Sandbox from, String to) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=" + from.netnsPath(), "ping", "-c", "1", "-W", "1", to)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    @Test
    void endpointsOnOneParentInBridgeModeReachEachOther() throws Exception {
        Network net = macvlan("lan", "bridge");
        Sandbox a = container(net, "a");
        container(net, "b");
        assertThat(ping(a, IpPrefix.format(net.endpoint("b").ipv4().address()))).isTrue();
        try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            Link eth0 = nl.links().get("eth0");
            assertThat(eth0.kind()).isEqualTo("macvlan");
            assertThat(eth0.mac()).isEqualTo(net.endpoint("a").mac());
        }
    }

    @Test
    void privateModeKeepsEndpointsApart() throws Exception {
        Network net = macvlan("priv", "private");
        Sandbox a = container(net, "a");
        container(net, "b");
        assertThat(ping(a, IpPrefix.format(net.endpoint("b").ipv4().address()))).isFalse();
    }

    @Test
    void leaveRemovesTheLinkFromTheSandbox() {
        Network net = macvlan("lan", "vepa");
        Sandbox a = container(net, "a");
        net.endpoint("a").leave(a);
        try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.links().find("eth0")).isEmpty();
        }
    }

    @Test
    void aMissingParentOrBadModeIsAClearErrorAndCreatesNothing() {
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "macvlan")
                .withOptions(Map.of("parent", "wnothere"))))
                .hasMessage("macvlan parent interface wnothere does not exist on this host")
                .extracting(e -> ((WeftException) e).kind()).isEqualTo(WeftException.Kind.NOT_FOUND);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "macvlan")))
                .hasMessageContaining("needs a parent interface");
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "macvlan")
                .withOptions(Map.of("parent", "wpar", "macvlan_mode", "sideways"))))
                .hasMessageContaining("unknown macvlan mode \"sideways\"");
        assertThat(controller.networks()).isEmpty();
        assertThat(store.list("ipam/")).isEmpty();
    }
}

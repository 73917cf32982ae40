package dev.weft.testkit;

import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.linux.sys.Libc;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak check sees what tests could leave behind, and stops seeing it once it is removed. */
class LeakCheckTest {

    @Test
    void findsATestNamespaceUntilItIsDeleted() {
        Namespaces namespaces = new Namespaces();
        String name = "wtleak" + ThreadLocalRandom.current().nextInt(1_000_000);
        namespaces.create(name).close();
        try {
            assertThat(LeakCheck.leftovers()).contains("network namespace " + name);
        } finally {
            namespaces.delete(name);
        }
        assertThat(LeakCheck.leftovers()).noneMatch(l -> l.contains(name));
    }

    @Test
    void findsSandboxMountsInAnotherRunDirectory() throws Exception {
        Path runDir = Path.of("/run", "wtleak" + ThreadLocalRandom.current().nextInt(1_000_000));
        Namespaces namespaces = new Namespaces(runDir);
        try {
            try (Netns ns = namespaces.create("sb1"); Rtnetlink nl = Rtnetlink.open(ns)) {
                nl.links().create(new LinkSpec.Bridge("wb0")); // inside the namespace: not a host leak
            }
            assertThat(LeakCheck.leftovers()).contains("mount " + runDir.resolve("sb1"), "mount " + runDir);
        } finally {
            namespaces.delete("sb1");
            Libc.umount2(runDir.toString(), Libc.MNT_DETACH);
            Files.deleteIfExists(runDir);
        }
        assertThat(LeakCheck.leftovers()).noneMatch(l -> l.contains(runDir.toString()));
    }

    @Test
    void findsAPrivateOpenVswitchUntilItIsClosed() {
        OpenVswitch ovs = OpenVswitch.database();
        try {
            assertThat(LeakCheck.leftovers()).contains("Open vSwitch directory " + ovs.dir())
                    .anyMatch(l -> l.startsWith("process ") && l.contains("ovsdb-server") && l.contains(ovs.dir().toString()));
        } finally {
            ovs.close();
        }
        assertThat(LeakCheck.leftovers()).noneMatch(l -> l.contains(ovs.dir().toString()));
    }
}

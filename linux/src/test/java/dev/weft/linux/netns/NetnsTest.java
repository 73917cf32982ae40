package dev.weft.linux.netns;

import dev.weft.linux.KernelException;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.sys.Libc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetnsTest {
    private TestNamespaces namespaces;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private static String inode() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    @Test
    void createdNamespacesAreSeenByIpAndGoneAfterDelete() {
        Namespaces ns = new Namespaces();
        String name = TestNamespaces.uniqueName("ns");
        ns.create(name).close();
        try {
            assertThat(ns.list()).contains(name);
            assertThat(ns.exists(name)).isTrue();
            assertThat(ns.isMounted(name)).isTrue();
            assertThat(Shell.run("ip", "netns", "list")).contains(name);
            assertThat(Shell.run("ip", "-n", name, "-o", "link")).contains("lo");
        } finally {
            assertThat(ns.delete(name)).isTrue();
        }
        assertThat(ns.delete(name)).as("deleting again is harmless").isFalse();
        assertThat(ns.list()).doesNotContain(name);
        assertThat(Shell.run("ip", "netns", "list")).doesNotContain(name);
    }

    @Test
    void callRunsInsideTheNamespaceAndLeavesTheCallerWhereItWas() throws Exception {
        Netns a = namespaces.create("in");
        String outside = inode();
        String inside = a.call(NetnsTest::inode);
        assertThat(inside).isNotEqualTo(outside);
        assertThat(inode()).isEqualTo(outside);
        assertThat(a.call(NetnsTest::inode)).as("the same namespace each time").isEqualTo(inside);
    }

    @Test
    void callFromAVirtualThreadWorksAndDoesNotMoveIt() throws Exception {
        Netns a = namespaces.create("vt");
        String expected = a.call(NetnsTest::inode);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String[]> f = executor.submit(() -> new String[] {a.call(NetnsTest::inode), inode()});
            String[] r = f.get();
            assertThat(r[0]).isEqualTo(expected);
            assertThat(r[1]).isEqualTo(inode());
        }
    }

    @Test
    void exceptionsInsideKeepTheirType() {
        Netns a = namespaces.create("ex");
        assertThatThrownBy(() -> a.call(() -> {
            throw new IllegalArgumentException("boom");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
    }

    @Test
    void duplicateBadNamesAndMissingPathsAreTypedErrors() {
        Netns a = namespaces.create("dup");
        Namespaces ns = namespaces.namespaces();
        assertThatThrownBy(() -> ns.create(a.name())).isInstanceOf(KernelException.AlreadyExists.class)
                .hasMessageContaining("create network namespace " + a.name());
        assertThat(a.call(NetnsTest::inode)).as("the existing one is intact").isNotEqualTo("");
        for (String bad : new String[] {"", "a/b", "..", "."}) {
            assertThatThrownBy(() -> ns.create(bad)).isInstanceOf(KernelException.InvalidArgument.class);
        }
        assertThatThrownBy(() -> Netns.open(Path.of("/run/netns/wt-does-not-exist")))
                .isInstanceOf(KernelException.NotFound.class).hasMessageContaining("/run/netns/wt-does-not-exist");
    }

    @Test
    void aCustomRunDirectoryWorksAndCanBeUnmountedCleanly() throws Exception {
        Path dir = Path.of("/run", TestNamespaces.uniqueName("dir"));
        Namespaces custom = new Namespaces(dir);
        try {
            try (Netns n = custom.create("sb")) {
                assertThat(n.path()).isEqualTo(dir.resolve("sb"));
                assertThat(custom.list()).containsExactly("sb");
                assertThat(n.call(NetnsTest::inode)).isNotEqualTo(inode());
            }
            assertThat(custom.isMounted("sb")).isTrue();
            Libc.umount2(dir.resolve("sb").toString(), Libc.MNT_DETACH); // as a delete killed halfway leaves it
            assertThat(custom.exists("sb")).isTrue();
            assertThat(custom.isMounted("sb")).as("a bare file is no namespace").isFalse();
            assertThat(custom.delete("sb")).isTrue();
            assertThat(custom.list()).isEmpty();
        } finally {
            custom.delete("sb");
            Libc.umount2(dir.toString(), Libc.MNT_DETACH);
            Files.deleteIfExists(dir);
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dir.toString());
    }
}

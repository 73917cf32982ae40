package dev.weft.engine;

import dev.weft.engine.driver.NetworkDriver;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.testkit.RunDir;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A controller for one test: its host namespace (a throwaway one, or one the test brings), a run
 * directory, a store file, and drivers made for that host. {@link #restart()} simulates a daemon
 * restart on the same state; {@link #close()} removes everything, also after a failure.
 */
public final class ControllerFixture implements AutoCloseable {
    private final TestNamespaces namespaces = new TestNamespaces();
    private final RunDir runDir = new RunDir();
    private final Netns host;
    private final Store store;
    private final Function<Netns, List<NetworkDriver>> drivers;
    private final UnaryOperator<ControllerConfig> configure;
    private Controller controller;

    /** A controller in a fresh namespace named "wt" + label + digits. */
    public ControllerFixture(String label, Function<Netns, List<NetworkDriver>> drivers) {
        this(null, label, drivers, UnaryOperator.identity());
    }

    /** As {@link #ControllerFixture(String, Function)}, its configuration changed by {@code configure} (a global store, say). */
    public ControllerFixture(String label, Function<Netns, List<NetworkDriver>> drivers,
                             UnaryOperator<ControllerConfig> configure) {
        this(null, label, drivers, configure);
    }

    /** A controller treating {@code host} (the test's own) as the host namespace. */
    public ControllerFixture(Netns host, Function<Netns, List<NetworkDriver>> drivers) {
        this(host, null, drivers, UnaryOperator.identity());
    }

    private ControllerFixture(Netns host, String label, Function<Netns, List<NetworkDriver>> drivers,
                              UnaryOperator<ControllerConfig> configure) {
        this.host = host != null ? host : namespaces.create(label);
        this.store = LocalStore.open(runDir.path().resolve("weft.db"));
        this.drivers = drivers;
        this.configure = configure;
        this.controller = start();
    }

    private Controller start() {
        return Controller.start(configure.apply(ControllerConfig.of(store, runDir.path(), host).withDrivers(drivers.apply(host))));
    }

    public Controller controller() {
        return controller;
    }

    public Netns host() {
        return host;
    }

    public Store store() {
        return store;
    }

    public RunDir runDir() {
        return runDir;
    }

    /** Closes the controller and starts a new one on the same store, run directory and host. */
    public Controller restart() {
        controller.close();
        controller = start();
        return controller;
    }

    /** Closes the controller only (to change the kernel or store behind its back before {@link #restart}). */
    public void stop() {
        controller.close();
    }

    @Override
    public void close() {
        controller.close();
        store.close();
        runDir.close();
        namespaces.close();
    }
}

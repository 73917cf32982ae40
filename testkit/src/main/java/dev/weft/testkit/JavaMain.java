package dev.weft.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that runs a main class of this test's class path in a JVM of its own. */
public final class JavaMain {
    private JavaMain() {
    }

    public static List<String> command(String mainClass, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), mainClass));
        argv.addAll(args);
        return argv;
    }
}

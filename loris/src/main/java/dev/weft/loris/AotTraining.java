package dev.weft.loris;

import dev.weft.linux.rtnl.Rtnetlink;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The training run for loris's JDK AOT cache (scripts/build): the command line, an OVSDB session
 * against the database given (a throwaway ovsdb-server the build starts), an error path, and a
 * read-only rtnetlink dump, so the classes a connect loads are cached. Changes nothing.
 */
final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) {
        String db = args.length > 0 ? args[0] : "unix:/nonexistent/db.sock";
        PrintWriter sink = new PrintWriter(new StringWriter());
        LorisCli.run(new String[] {"--help"}, sink, sink);
        LorisCli.run(new String[] {"connect", "--help"}, sink, sink);
        LorisCli.run(new String[] {"--db=" + db, "status"}, sink, sink);
        LorisCli.run(new String[] {"--db=" + db, "connect", "/nonexistent", "198.51.100.1/24", "1"}, sink, sink);
        LorisCli.run(new String[] {"--db=unix:/nonexistent/db.sock", "status"}, sink, sink);
        try (Rtnetlink nl = Rtnetlink.open()) {
            nl.links().list();
            nl.addresses().list();
        }
    }
}

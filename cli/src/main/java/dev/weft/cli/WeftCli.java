package dev.weft.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The weft command line. */
@Command(name = "weft", mixinStandardHelpOptions = true, version = "weft 0.1.0",
        description = "Container networking: talks to weftd over its Unix socket.")
public final class WeftCli implements CommandTree.Group {
    static final String DEFAULT_HOST = "unix:///run/weft/weft.sock";

    @Option(names = {"-H", "--host"}, paramLabel = "unix://PATH", scope = CommandLine.ScopeType.INHERIT,
            description = "weftd's socket (default: $WEFT_HOST, else " + DEFAULT_HOST + ")")
    String host;

    @Override
    public List<Class<?>> children() {
        return List.of(NetworkCommand.class, ServiceCommand.class, ContainerCommands.Run.class, ContainerCommands.Ps.class,
                ContainerCommands.Logs.class, ContainerCommands.Exec.class, ContainerCommands.Rm.class, ContainerCommands.Inspect.class,
                CniCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class);
    }

    DaemonClient client() {
        return new DaemonClient(socket());
    }

    /** The socket to talk to: -H, else $WEFT_HOST, else the default. */
    Path socket() {
        String h = host != null ? host : System.getenv().getOrDefault("WEFT_HOST", DEFAULT_HOST);
        if (h.startsWith("unix://")) {
            return Path.of(h.substring("unix://".length()));
        }
        if (h.contains("://")) {
            throw new CliException("only unix:// daemon addresses are supported, not " + h);
        }
        return Path.of(h);
    }

    /** Every command of weft in one tree, as help and completion see it (scripts/package makes the man pages from it). */
    public static CommandLine wholeTree() {
        return CommandTree.build(new WeftCli(), new String[0]);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = run(args, out, err);
        out.flush();
        err.flush();
        // Runtime.exit logs through System.Logger (since JDK 21), loading the JDK's logging for
        // ~10 ms; the CLI registers no shutdown hook, so halting after the flush loses nothing
        Runtime.getRuntime().halt(status);
    }

    /** Runs one command line; returns the exit status (0 ok, 1 failed, 2 usage). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = CommandTree.build(new WeftCli(), args);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException) {
                err.println("weft: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("weft: " + e.getMessage());
            err.println("(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cli.execute(args);
    }
}

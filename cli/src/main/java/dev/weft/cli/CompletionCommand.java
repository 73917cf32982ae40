package dev.weft.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** weft completion: prints a bash (and zsh, via bashcompinit) completion script. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for weft.",
                "Load it with: source <(weft completion)   or save it as /etc/bash_completion.d/weft"})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash("weft", root));
    }
}

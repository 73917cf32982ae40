import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.File;

/**
 * Writes AsciiDoc man pages for a picocli program and all its subcommands with picocli-codegen's
 * ManPageGenerator (scripts/package turns them into roff with asciidoctor). Run with the program's
 * class path and picocli-codegen: java -cp ... scripts/lib/ManPages.java OUTDIR CLASS. A class with
 * a static wholeTree() method (weft's CLI, which adds its subcommands at run time) gives its tree that way.
 */
public final class ManPages {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ManPages OUTDIR CLASS");
            System.exit(2);
        }
        Class<?> c = Class.forName(args[1]);
        CommandLine cl;
        try {
            cl = (CommandLine) c.getMethod("wholeTree").invoke(null);
        } catch (NoSuchMethodException e) {
            cl = new CommandLine(c);
        }
        int status = ManPageGenerator.generateManPage(new File(args[0]), null, new boolean[0], true, cl.getCommandSpec());
        System.exit(status);
    }
}

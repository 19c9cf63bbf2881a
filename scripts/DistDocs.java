import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sonicmigration.cli.Sonic;
import picocli.AutoComplete;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The distribution's completion script and man pages (AsciiDoc), made from the whole command tree.
 * picocli's own command-line entries would build the tree from the class's annotation alone, which no
 * longer names the subcommands (Sonic adds them itself so that a run builds only the one it runs).
 * Run by scripts/dist.sh: java -cp sonic.jar:picocli-codegen.jar scripts/DistDocs.java COMPLETION MANDIR
 */
class DistDocs {
    public static void main(String[] args) throws Exception {
        var tree = Sonic.commandLine();
        Files.writeString(Path.of(args[0]), AutoComplete.bash("sonic", tree));
        int status = ManPageGenerator.generateManPage(new File(args[1]), null, new boolean[0], true, tree.getCommandSpec());
        System.exit(status);
    }
}

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The lab's own Java check, run as a single-file program inside dom0's chroot of the host: it
 * proves that the host's JDK runs in dom0 and reaches Xen's real control interfaces, which is what
 * the project's Java checks rely on. It lists /dev/xen, opens /dev/xen/privcmd read-write, confirms
 * from /proc/xen/capabilities that it runs in the control domain, and that LAB_DOMID names a guest
 * id. Exit status 0 only if all of that holds; otherwise one line saying what is wrong.
 */
public final class DevXenProbe {

    private static final Path DEV_XEN = Path.of("/dev/xen");
    private static final Path PRIVCMD = DEV_XEN.resolve("privcmd");
    private static final Path CAPABILITIES = Path.of("/proc/xen/capabilities");

    public static void main(String[] args) {
        try {
            System.out.println("java " + Runtime.version() + " on " + System.getProperty("os.name")
                    + " " + System.getProperty("os.version"));
            System.out.println("LAB_DOMID=" + guestDomid());
            System.out.println("/dev/xen: " + listDevXen());
            openPrivcmd();
            System.out.println(PRIVCMD + ": opened read-write");
            requireControlDomain();
            System.out.println(CAPABILITIES + ": control_d");
            System.out.println("DevXenProbe PASS");
        } catch (ProbeFailure | IOException e) {
            System.out.println("DevXenProbe FAIL: " + e.getMessage());
            System.exit(1);
        }
    }

    private static int guestDomid() throws ProbeFailure {
        String text = System.getenv("LAB_DOMID");
        if (text == null || !text.matches("[1-9][0-9]{0,4}")) {
            throw new ProbeFailure("LAB_DOMID is not a guest domain id: " + text);
        }
        return Integer.parseInt(text);
    }

    private static List<String> listDevXen() throws IOException, ProbeFailure {
        if (!Files.isDirectory(DEV_XEN)) {
            throw new ProbeFailure(DEV_XEN + " does not exist: not a Xen domain, or /dev not bound into the chroot");
        }
        try (Stream<Path> entries = Files.list(DEV_XEN)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void openPrivcmd() throws ProbeFailure {
        try (RandomAccessFile ignored = new RandomAccessFile(PRIVCMD.toFile(), "rw")) {
            // Opening is the check: it needs the device node, the driver and root.
        } catch (IOException e) {
            throw new ProbeFailure("cannot open " + PRIVCMD + " read-write: " + e.getMessage());
        }
    }

    private static void requireControlDomain() throws IOException, ProbeFailure {
        if (!Files.isReadable(CAPABILITIES)) {
            throw new ProbeFailure(CAPABILITIES + " is not readable: xenfs not mounted in dom0");
        }
        if (!Files.readString(CAPABILITIES).contains("control_d")) {
            throw new ProbeFailure(CAPABILITIES + " lacks control_d: not running in dom0");
        }
    }

    /** A check that did not hold; its message is the one line the user sees. */
    private static final class ProbeFailure extends Exception {
        ProbeFailure(String message) {
            super(message);
        }
    }
}

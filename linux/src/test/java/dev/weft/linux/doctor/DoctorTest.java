package dev.weft.linux.doctor;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DoctorTest {

    @Test
    void thisMachineHasEverythingRequiredAndTheProbeLeavesNothing() {
        List<Check> checks = Doctor.run(Doctor::nftablesCheck);
        assertThat(checks).extracting(Check::name)
                .contains("privileges", "jdk", "netns", "veth", "bridge", "vxlan", "macvlan", "xfrm", "esp", "libnftables", "nf_tables");
        assertThat(checks).filteredOn(Check::required).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Doctor.print(checks, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("CHECK        STATUS   DETAIL")
                .contains("veth         ok").endsWith("weft can run on this machine.\n");
    }

    /** The ESP probe agrees with the kernel's own configuration, where the kernel publishes it. */
    @Test
    void espIsReportedAsTheKernelIsBuilt() throws IOException {
        Path config = Path.of("/proc/config.gz");
        assumeTrue(Files.exists(config), "the kernel does not publish its configuration");
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(config))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Check esp = Doctor.run(List::of).stream().filter(c -> c.name().equals("esp")).findFirst().orElseThrow();
        assertThat(esp.required()).isFalse();
        if (text.contains("# CONFIG_INET_ESP is not set")) {
            assertThat(esp.ok()).isFalse();
            assertThat(esp.detail()).isEqualTo("XFRM netlink is there but the kernel has no ESP (esp4 is neither built in nor"
                    + " loadable); encrypted overlays unavailable");
        } else {
            assumeTrue(text.contains("CONFIG_INET_ESP=y"), "ESP is a module here: whether it loads depends on the machine");
            assertThat(esp.ok()).as(esp.detail()).isTrue();
        }
    }

    @Test
    void aMissingRequiredFeatureIsReportedAndFailsTheRun() {
        List<Check> checks = Doctor.run(() -> List.of(new Check("nf_tables", true, false, "missing kernel feature nf_tables")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Doctor.print(checks, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("nf_tables    MISSING  missing kernel feature nf_tables")
                .contains("1 required check(s) failed");
    }
}

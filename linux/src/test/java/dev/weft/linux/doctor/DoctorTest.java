package dev.weft.linux.doctor;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DoctorTest {

    @Test
    void thisMachineHasEverythingRequiredAndTheProbeLeavesNothing() {
        List<Check> checks = Doctor.run(Doctor::nftablesCheck);
        assertThat(checks).extracting(Check::name)
                .contains("privileges", "jdk", "netns", "veth", "bridge", "vxlan", "macvlan", "xfrm", "libnftables", "nf_tables");
        assertThat(checks).filteredOn(Check::required).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Doctor.print(checks, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("CHECK        STATUS   DETAIL")
                .contains("veth         ok").endsWith("weft can run on this machine.\n");
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

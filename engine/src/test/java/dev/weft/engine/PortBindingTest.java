package dev.weft.engine;

import dev.weft.net.IpPrefix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortBindingTest {
    @Test
    void dockerFormsParse() {
        assertThat(PortBinding.parse("8080:80")).containsExactly(new PortBinding("tcp", null, 8080, 80));
        assertThat(PortBinding.parse("127.0.0.1:53:5353/udp"))
                .containsExactly(new PortBinding("udp", IpPrefix.parseAddress("127.0.0.1"), 53, 5353));
        assertThat(PortBinding.parse("8000-8002:80-82")).extracting(PortBinding::hostPort, PortBinding::containerPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8000, 80), org.assertj.core.groups.Tuple.tuple(8001, 81),
                        org.assertj.core.groups.Tuple.tuple(8002, 82));
        assertThat(PortBinding.parse("0.0.0.0:8080:80").getFirst().hostIp()).isNull();
        assertThat(PortBinding.parse("8080:80/udp").getFirst().toString()).isEqualTo("8080:80/udp");
    }

    @Test
    void badFormsAreClearErrors() {
        assertThatThrownBy(() -> PortBinding.parse("80")).hasMessageContaining("expected HOSTPORT:PORT");
        assertThatThrownBy(() -> PortBinding.parse("x:80")).hasMessageContaining("invalid port \"x\"");
        assertThatThrownBy(() -> PortBinding.parse("70000:80")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> PortBinding.parse("8000-8001:80")).hasMessageContaining("differ in length");
        assertThatThrownBy(() -> PortBinding.parse("8080:80/sctp")).hasMessageContaining("tcp or udp");
        assertThatThrownBy(() -> PortBinding.parse("999.1.1.1:8080:80")).hasMessageContaining("invalid host address");
    }
}

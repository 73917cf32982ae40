package dev.weft.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScaleModelTest {
    private final ScaleModel model = new ScaleModel(new ScaleModel.Cost(3, 600, 2, 1, 0.5),
            new ScaleModel.Cost(2, 100, 1, 1, 0), 1, 10.0 / 3);

    @Test
    void ratesFollowFromThePerOperationCosts() {
        ScaleModel.Load l = model.at(1000, 50, 6);
        assertThat(l.joinsPerSecond()).isCloseTo(100, within(1e-9));
        assertThat(l.writesPerSecond()).isCloseTo(500, within(1e-9));
        assertThat(l.bytesPerSecond()).isCloseTo(70_000, within(1e-9));
        // join: 2 + 49 * 1 + 950 * 0.5 = 526; leave: 1 + 49 = 50
        assertThat(l.eventsPerSecond()).isCloseTo(100 * 576, within(1e-6));
        assertThat(l.eventsPerHostPerSecond()).isCloseTo(57.6, within(1e-9));
        assertThat(l.leases()).isEqualTo(1000);
        assertThat(l.renewalsPerSecond()).isCloseTo(300, within(1e-9));
    }

    @Test
    void eventsToHostsOutsideTheNetworkGrowWithTheHostCount() {
        double small = model.at(100, 50, 6).eventsPerHostPerSecond();
        double large = model.at(1000, 50, 6).eventsPerHostPerSecond();
        assertThat(large).isGreaterThan(small);
        ScaleModel onlyMembers = new ScaleModel(new ScaleModel.Cost(3, 600, 2, 1, 0), new ScaleModel.Cost(2, 100, 1, 1, 0), 1, 3);
        assertThat(onlyMembers.at(1000, 50, 6).eventsPerHostPerSecond())
                .isCloseTo(onlyMembers.at(100, 50, 6).eventsPerHostPerSecond(), within(1e-9));
    }

    @Test
    void refusesMoreHostsPerNetworkThanHosts() {
        assertThatThrownBy(() -> model.at(10, 11, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ScaleModel.table(java.util.List.of(model.at(1000, 50, 6))).get(2))
                .startsWith("| 1000 | 50 | 6 | 100.0 | 500 | 68.4 | 57600 | 57.6 | 1000 | 300 |");
    }
}

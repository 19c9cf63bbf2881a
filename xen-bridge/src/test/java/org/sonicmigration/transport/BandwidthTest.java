package org.sonicmigration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BandwidthTest {

    @Test
    void networkUnitsAreBitsAndByteUnitsAreBytes() {
        assertThat(Bandwidth.parse("1Gbit").bytesPerSecond()).isEqualTo(125_000_000L);
        assertThat(Bandwidth.parse("1Gbit/s").bytesPerSecond()).isEqualTo(125_000_000L);
        assertThat(Bandwidth.parse("1G").bytesPerSecond()).isEqualTo(125_000_000L);
        assertThat(Bandwidth.parse("500Mbit").bytesPerSecond()).isEqualTo(62_500_000L);
        assertThat(Bandwidth.parse("100MB").bytesPerSecond()).isEqualTo(100_000_000L);
        assertThat(Bandwidth.parse("64MiB").bytesPerSecond()).isEqualTo(64L << 20);
        assertThat(Bandwidth.parse("2.5Gbit").bytesPerSecond()).isEqualTo(312_500_000L);
    }

    @Test
    void nonsenseIsRefusedWithAHint() {
        assertThatThrownBy(() -> Bandwidth.parse("fast")).hasMessageContaining("1Gbit");
        assertThatThrownBy(() -> Bandwidth.parse("0Mbit")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bandwidth.parse("-1G")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timeForBytesFollowsTheRate() {
        assertThat(Bandwidth.parse("1Gbit").nanosFor(125_000_000L)).isEqualTo(1_000_000_000L);
    }
}

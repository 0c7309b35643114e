package io.k8scap.pcap;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapngWriterTest {

    @Test
    void sectionInterfacesAndPacketsFollowTheSpec() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(bytes);
        int a = w.addInterface(1, 262144, "default/web-1", "lab-node-1 veth1234", false);
        int b = w.addInterface(276, 65535, "flyte/flyteadmin-0", "lab-node-2 any", true);
        byte[] data = "0123456789abcdefghijklmnopq".getBytes(StandardCharsets.US_ASCII); // 27 bytes: padding 1
        w.writePacket(a, 1_700_000_000_123_456_000L, 27, 1500, data, 0);
        w.writePacket(b, 1_700_000_000_123_456_789L, 5, 5, data, 10);
        w.writePacket(a, 1_700_000_001_000_000_000L, 0, 0, data, 0);
        w.flush();

        Pcapng r = Pcapng.read(bytes.toByteArray());
        assertThat(new String(r.shbOptions.get(4), StandardCharsets.UTF_8)).startsWith("k8scap ");
        assertThat(r.ifaces).hasSize(2);
        assertThat(r.ifaces.get(0).linkType()).isEqualTo(1);
        assertThat(r.ifaces.get(0).name()).isEqualTo("default/web-1");
        assertThat(r.ifaces.get(0).description()).isEqualTo("lab-node-1 veth1234");
        assertThat(r.ifaces.get(0).options()).doesNotContainKey(9); // default resolution: µs
        assertThat(r.ifaces.get(1).linkType()).isEqualTo(276);
        assertThat(r.ifaces.get(1).snaplen()).isEqualTo(65535);
        assertThat(r.ifaces.get(1).options().get(9)).containsExactly(9);
        assertThat(r.packets).extracting(Pcapng.Pkt::iface, Pcapng.Pkt::ts, Pcapng.Pkt::capLen, Pcapng.Pkt::origLen)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, 1_700_000_000_123_456L, 27, 1500),
                        org.assertj.core.groups.Tuple.tuple(1, 1_700_000_000_123_456_789L, 5, 5),
                        org.assertj.core.groups.Tuple.tuple(0, 1_700_000_001_000_000L, 0, 0));
        assertThat(r.packets.get(0).data()).isEqualTo(data);
        assertThat(new String(r.packets.get(1).data(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
        assertThat(w.packets()).isEqualTo(3);
        assertThat(w.bytes()).isEqualTo(bytes.size());
    }

    @Test
    void commentsGoInTheSectionHeaderAndALongOneIsCutOnACharacterBoundary() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String longText = "é".repeat(40_000); // 80,000 bytes of two-byte characters
        new PcapngWriter(bytes, java.util.List.of(longText)).flush();
        Pcapng r = Pcapng.read(bytes.toByteArray());
        byte[] kept = r.shbOptions.get(1);
        assertThat(kept.length).isLessThanOrEqualTo(PcapngWriter.MAX_COMMENT);
        String text = new String(kept, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\uFFFD").endsWith("… (cut at 60000 bytes)\n").startsWith("éé");

        ByteArrayOutputStream two = new ByteArrayOutputStream();
        new PcapngWriter(two, java.util.List.of("first pod", "second pod")).flush();
        String shb = new String(two.toByteArray(), StandardCharsets.UTF_8);
        assertThat(shb).contains("first pod").contains("second pod");
        assertThat(new String(Pcapng.read(two.toByteArray()).shbOptions.get(1), StandardCharsets.UTF_8)).isEqualTo("second pod");
    }

    @Test
    void packetForAnUnknownInterfaceIsRefused() throws IOException {
        PcapngWriter w = new PcapngWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> w.writePacket(0, 0, 0, 0, new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interface 0");
    }
}

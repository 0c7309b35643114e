package io.k8scap.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import org.junit.jupiter.api.Test;

/**
 * Which HTTP client every fabric8 client here is built on (the behaviour it buys is tested where it
 * matters: PodNodeSessionTest#stdinWrittenFasterThanTheSocketSendsArrivesWholeAndInOrder).
 */
class OrderedSendsHttpClientFactoryTest {
    @Test
    void fabric8PicksTheOrderedSendsFactoryOverTheStockJdkOne() {
        assertThat(HttpClientUtils.getHttpClientFactory()).isInstanceOf(OrderedSendsHttpClientFactory.class);
    }
}

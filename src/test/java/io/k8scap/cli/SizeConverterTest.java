package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class SizeConverterTest {
    @ParameterizedTest
    @CsvSource({"1048576,1048576", "500k,512000", "10M,10485760", "2G,2147483648", "1.5M,1572864", "10MiB,10485760", "64kb,65536"})
    void parsesSizes(String text, long bytes) {
        assertThat(SizeConverter.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "big", "10X", "-5M", "0"})
    void rejectsOthers(String text) {
        assertThatThrownBy(() -> SizeConverter.parse(text)).isInstanceOf(TypeConversionException.class);
    }
}

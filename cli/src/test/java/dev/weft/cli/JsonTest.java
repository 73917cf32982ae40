package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CLI's own JSON reader and writer agree with Jackson's ObjectMapper, which they replace. */
class JsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "null", "true", "false", "0", "-0", "7", "-2147483648", "2147483648", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1.5", "-1e3", "2E-2",
        "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\ud83d\\ude00 é\"",
        " [ 1 , { \"a\" : [ ] , \"b\" : { \"c\" : null } } , \"x\" ] ",
        "[{\"Name\":\"n\",\"Id\":\"0123\",\"Labels\":{},\"IPAM\":{\"Config\":[{\"Subnet\":\"192.0.2.0/24\"}]},\"Internal\":false}]",
        "{\"a\":1,\"a\":2}"
    })
    void readsAsObjectMapperDoes(String json) throws IOException {
        JsonNode ours = read(json);
        JsonNode theirs = MAPPER.readTree(json);
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours.getNodeType()).isEqualTo(theirs.getNodeType());
        assertThat(Json.pretty(ours)).isEqualTo(theirs.toPrettyString());
        assertThat(Json.text(ours)).isEqualTo(MAPPER.writeValueAsString(theirs));
        assertThat(Json.bytes(ours)).isEqualTo(MAPPER.writeValueAsBytes(theirs));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "[1,]", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", "-", "1e", "tru", "nul", "\"abc",
        "\"\\x\"", "\"\\u12\"", "\"a\nb\"", "[] []", "{\"a\":1,}", "+1", ".5"})
    void refusesWhatIsNotJson(String json) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(IOException.class).hasMessageContaining("invalid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n"})
    void readsAnEmptyBodyAsNull(String json) throws IOException {
        assertThat(read(json).isNull()).isTrue();
    }

    private static JsonNode read(String json) throws IOException {
        return Json.read(json.getBytes(StandardCharsets.UTF_8));
    }
}

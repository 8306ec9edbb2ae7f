package dev.mailroom.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The endpoint variables, as the service's configuration and the CLI both read them. */
class AwsEndpointsTest {

    private static AwsEndpoints read(Map<String, String> variables) {
        return AwsEndpoints.fromVariables(name -> Optional.ofNullable(variables.get(name)));
    }

    @Test
    void fromVariablesShouldLetEachServicesOwnVariableWinOverTheCommonOne() {
        AwsEndpoints endpoints = read(Map.of("MAILROOM_AWS_ENDPOINT", "http://127.0.0.1:4566",
                "MAILROOM_S3_ENDPOINT", "http://127.0.0.1:9000"));

        assertThat(endpoints).isEqualTo(new AwsEndpoints(URI.create("http://127.0.0.1:4566"),
                URI.create("http://127.0.0.1:9000"), URI.create("http://127.0.0.1:4566"), URI.create("http://127.0.0.1:4566")));
    }

    @Test
    void fromVariablesShouldGiveNoOverrideWhenNoneIsSet() {
        assertThat(read(Map.of())).isEqualTo(AwsEndpoints.none());
        assertThat(read(Map.of("MAILROOM_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000")).secretsManager()).isNull();
    }

    @Test
    void fromVariablesShouldNameTheFirstVariableThatIsNotAUrlCommonOneFirst() {
        assertThatThrownBy(() -> read(Map.of("MAILROOM_SQS_ENDPOINT", "127.0.0.1:9324", "MAILROOM_AWS_ENDPOINT", "nowhere")))
                .isInstanceOfSatisfying(AwsEndpoints.InvalidEndpointException.class, e -> {
                    assertThat(e.source()).isEqualTo("MAILROOM_AWS_ENDPOINT");
                    assertThat(e.problem()).isEqualTo("must be a URL such as http://127.0.0.1:4566, was 'nowhere'");
                });
        assertThatThrownBy(() -> read(Map.of("MAILROOM_SQS_ENDPOINT", "127.0.0.1:9324")))
                .hasMessage("MAILROOM_SQS_ENDPOINT: must be a URL such as http://127.0.0.1:4566, was '127.0.0.1:9324'");
    }

    @Test
    void everywhereShouldPutEveryServiceOnTheOneEndpoint() {
        URI localStack = AwsEndpoints.parse("--endpoint", "http://localhost:4566");

        assertThat(AwsEndpoints.everywhere(localStack)).isEqualTo(new AwsEndpoints(localStack, localStack, localStack, localStack));
        assertThatThrownBy(() -> AwsEndpoints.parse("--endpoint", "http://[bad"))
                .hasMessage("--endpoint: must be a URL such as http://127.0.0.1:4566, was 'http://[bad'");
    }
}

package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mailroom.deploy.SamTemplate.Lambda;
import dev.mailroom.handler.SendHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The functions of template.yaml run code that exists: each handler names a method Lambda can call
 * on a class it can instantiate, the runtime runs the compiled bytecode, and SnapStart is on.
 */
class FunctionRuntimeTest {

    @Test
    void everyHandlerShouldNameAPublicMethodTakingItsEventOnAClassLambdaCanInstantiate() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        for (Lambda lambda : template.lambdas()) {
            String function = lambda.logicalId;
            String handler = template.functionProperty(function, "Handler").asText();
            String[] parts = handler.split("::");
            assertThat(parts).as("%s Handler '%s' should read class::method", function, handler).hasSize(2);

            Class<?> type = loadWithoutInitialising(function, parts[0]);

            assertThat(Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(parts[1])))
                    .as("%s Handler %s: no public %s(%s, Context)", function, handler, parts[1], lambda.event.getSimpleName())
                    .anyMatch(m -> Arrays.equals(m.getParameterTypes(), new Class<?>[] {lambda.event, Context.class}));
            assertThat(Arrays.stream(type.getConstructors()))
                    .as("%s Handler %s: Lambda needs a public no-arg constructor", function, handler)
                    .anyMatch(c -> c.getParameterCount() == 0 && Modifier.isPublic(c.getModifiers()));
        }
    }

    @Test
    void theRuntimeShouldRunTheCompiledBytecode() throws IOException {
        SamTemplate template = SamTemplate.load(Map.of());
        int classFileVersion;
        try (InputStream in = SendHandler.class.getResourceAsStream("SendHandler.class")) {
            DataInputStream data = new DataInputStream(in);
            data.readInt();
            data.readUnsignedShort();
            classFileVersion = data.readUnsignedShort();
        }
        for (String function : template.functions()) {
            String runtime = template.functionProperty(function, "Runtime").asText();
            int javaVersion = Integer.parseInt(runtime.replaceFirst("^java(\\d+).*", "$1"));

            assertThat(classFileVersion - 44).as("%s runs %s: bytecode for Java %d", function, runtime,
                    classFileVersion - 44).isLessThanOrEqualTo(javaVersion);
        }
    }

    @Test
    void theUnsubscribeEndpointShouldBeAPublicFunctionUrlOnItsFunction() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        JsonNode url = template.properties("UnsubscribeFunctionUrl");

        // Public by design (RFC 8058: mailbox providers POST without credentials; the token authorises);
        // Lambda wants both statements for a NONE-auth URL.
        assertThat(url.path("AuthType").asText()).isEqualTo("NONE");
        assertThat(url.path("TargetFunctionArn").asText()).isEqualTo("{UnsubscribeFunction.Arn}");
        assertThat(url.has("Cors")).as("no CORS: no browser script calls it").isFalse();
        JsonNode urlPermission = template.properties("UnsubscribeFunctionUrlPermission");
        assertThat(urlPermission.path("Action").asText()).isEqualTo("lambda:InvokeFunctionUrl");
        assertThat(urlPermission.path("FunctionUrlAuthType").asText()).isEqualTo("NONE");
        JsonNode invokePermission = template.properties("UnsubscribeFunctionInvokePermission");
        assertThat(invokePermission.path("Action").asText()).isEqualTo("lambda:InvokeFunction");
        assertThat(invokePermission.path("InvokedViaFunctionUrl").asBoolean()).isTrue();
        assertThat(Stream.of("UnsubscribeFunctionUrlPermission", "UnsubscribeFunctionInvokePermission")
                .map(id -> template.properties(id).path("FunctionName").asText())).containsOnly("{Ref:UnsubscribeFunction}");
    }

    @Test
    void theUnsubscribeEndpointShouldBeDeployedOnlyWhenEnabled() {
        assertThat(SamTemplate.load(SCENARIOS.get("relay with a secret")).lambdas()).doesNotContain(Lambda.UNSUBSCRIBE);
        assertThat(SamTemplate.load(SCENARIOS.get("mx in a VPC")).lambdas()).contains(Lambda.UNSUBSCRIBE);
        Map<String, String> withoutKeys = new java.util.HashMap<>(SCENARIOS.get("relay with a secret"));
        withoutKeys.put("UnsubscribeEndpoint", "enabled");
        assertThat(SamTemplate.load(withoutKeys).brokenRules()).anyMatch(rule -> rule.startsWith("UnsubscribeEndpointNeedsKeys"));
    }

    @Test
    void snapStartShouldBeOnByDefaultForTheSendFunction() {
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));

        // Safe since lease owners are drawn per attempt and jitter comes from SecureRandom (nothing
        // drawn at init must differ between restored environments); SnapStartPriming primes the snapshot.
        assertThat(template.functionProperty(Lambda.SEND.logicalId, "SnapStart").path("ApplyOn").asText())
                .as("SendFunction SnapStart default").isEqualTo("PublishedVersions");
    }

    private Class<?> loadWithoutInitialising(String function, String className) {
        try {
            return Class.forName(className, false, getClass().getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(function + " Handler: no class " + className, e);
        }
    }
}

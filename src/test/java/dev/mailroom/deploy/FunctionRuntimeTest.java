package dev.mailroom.deploy;

import static dev.mailroom.deploy.SamTemplate.SCENARIOS;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.mailroom.deploy.SamTemplate.Lambda;
import dev.mailroom.handler.SendHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The functions of template.yaml run code that exists: each handler names a method Lambda can call
 * on a class it can instantiate, the runtime runs the compiled bytecode, and SnapStart is on.
 */
class FunctionRuntimeTest {

    @Test
    void everyHandlerShouldNameAPublicMethodOfItsEventOnAClassLambdaCanInstantiate() {
        // The scenario with a bounce domain: every function deployed.
        SamTemplate template = SamTemplate.load(SCENARIOS.get("mx in a VPC"));
        assertThat(template.lambdas()).containsExactlyInAnyOrder(Lambda.values());
        for (String function : template.functions()) {
            Class<?> event = function.equals(Lambda.BOUNCE.logicalId) ? S3Event.class : SQSEvent.class;
            String handler = template.functionProperty(function, "Handler").asText();
            String[] parts = handler.split("::");
            assertThat(parts).as("%s Handler '%s' should read class::method", function, handler).hasSize(2);

            Class<?> type = loadWithoutInitialising(function, parts[0]);

            assertThat(Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(parts[1])))
                    .as("%s Handler %s: no public %s(%s, Context)", function, handler, parts[1], event.getSimpleName())
                    .anyMatch(m -> Arrays.equals(m.getParameterTypes(), new Class<?>[] {event, Context.class}));
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

package dev.mailroom.aws;

import dev.mailroom.MailroomException;
import java.net.URI;
import java.util.Optional;
import java.util.function.Function;

/**
 * Endpoint overrides per service, for emulators and LocalStack; all null in AWS. LocalStack serves
 * every service on one endpoint ({@value #COMMON_VARIABLE}); the Docker-free emulators each have their
 * own ({@value #SQS_VARIABLE}, {@value #S3_VARIABLE}, {@value #DYNAMODB_VARIABLE}), which win. The
 * service's configuration and the CLI read them with {@link #fromVariables}, the one definition.
 */
public record AwsEndpoints(URI sqs, URI s3, URI dynamo, URI secretsManager) {

    public static final String COMMON_VARIABLE = "MAILROOM_AWS_ENDPOINT";
    public static final String SQS_VARIABLE = "MAILROOM_SQS_ENDPOINT";
    public static final String S3_VARIABLE = "MAILROOM_S3_ENDPOINT";
    public static final String DYNAMODB_VARIABLE = "MAILROOM_DYNAMODB_ENDPOINT";

    public static AwsEndpoints none() {
        return new AwsEndpoints(null, null, null, null);
    }

    /** Every service on one endpoint, as LocalStack serves them. */
    public static AwsEndpoints everywhere(URI endpoint) {
        return new AwsEndpoints(endpoint, endpoint, endpoint, endpoint);
    }

    /**
     * The overrides the variables set: each service's own, else {@value #COMMON_VARIABLE} (the only one
     * Secrets Manager has).
     *
     * @param variable a variable's value, stripped; empty when it is unset or blank
     * @throws InvalidEndpointException naming the first variable (common one first) that is not a URL
     */
    public static AwsEndpoints fromVariables(Function<String, Optional<String>> variable) {
        URI common = endpoint(variable, COMMON_VARIABLE, null);
        return new AwsEndpoints(endpoint(variable, SQS_VARIABLE, common), endpoint(variable, S3_VARIABLE, common),
                endpoint(variable, DYNAMODB_VARIABLE, common), common);
    }

    /**
     * @param source where the value comes from (a variable, an option), for the error
     * @throws InvalidEndpointException unless the value is a URL with a scheme and a host
     */
    public static URI parse(String source, String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() != null && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new InvalidEndpointException(source, value);
    }

    public boolean any() {
        return sqs != null || s3 != null || dynamo != null || secretsManager != null;
    }

    private static URI endpoint(Function<String, Optional<String>> variable, String name, URI fallback) {
        return variable.apply(name).map(value -> parse(name, value)).orElse(fallback);
    }

    /** An endpoint that is not a URL; each reader words it its own way, from {@link #source} and {@link #problem}. */
    public static final class InvalidEndpointException extends MailroomException {

        private final String source;
        private final String problem;

        private InvalidEndpointException(String source, String value) {
            super(source + ": " + problem(value));
            this.source = source;
            this.problem = problem(value);
        }

        private static String problem(String value) {
            return "must be a URL such as http://127.0.0.1:4566, was '" + value + "'";
        }

        /** The variable or option that held the value. */
        public String source() {
            return source;
        }

        /** What is wrong, quoting the value (an endpoint is no secret). */
        public String problem() {
            return problem;
        }
    }
}

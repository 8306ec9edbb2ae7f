package dev.mailroom.bench;

import java.util.Locale;

/**
 * AWS list prices (us-east-1, as given in the issue) applied to measured per-job figures; the
 * result in US dollars per million emails, beside Amazon SES's $0.10 per 1,000.
 *
 * @param lambdaMemoryGb      the function's memory setting
 * @param durationSecondsPerJob billed Lambda duration per job
 * @param recordsPerInvocation SQS records per Lambda invocation (batch size reached)
 * @param sqsRequestsPerJob   SQS requests per job, 64 KiB chunks counted as requests
 * @param writeUnitsPerJob    DynamoDB write request units per job
 * @param readUnitsPerJob     DynamoDB read request units per job
 * @param s3GetsPerJob        S3 GET-class requests (GET, HEAD) per job
 * @param s3PutsPerJob        S3 PUT-class requests per job
 */
record CostModel(double lambdaMemoryGb, double durationSecondsPerJob, double recordsPerInvocation,
                 double sqsRequestsPerJob, double writeUnitsPerJob, double readUnitsPerJob,
                 double s3GetsPerJob, double s3PutsPerJob) {

    static final double LAMBDA_GB_SECOND_ARM = 0.0000133334;
    static final double LAMBDA_PER_REQUEST = 0.20 / 1e6;
    static final double SQS_PER_REQUEST = 0.40 / 1e6;
    static final double DYNAMO_PER_WRU = 1.25 / 1e6;
    static final double DYNAMO_PER_RRU = 0.25 / 1e6;
    static final double S3_PER_GET = 0.0004 / 1000;
    static final double S3_PER_PUT = 0.005 / 1000;
    static final double SES_PER_MILLION = 0.10 * 1000;
    /** Lambda gives a function one full vCPU at 1,769 MB, proportionally less below. */
    static final double MB_PER_VCPU = 1769;

    double lambdaCompute() {
        return 1e6 * lambdaMemoryGb * durationSecondsPerJob * LAMBDA_GB_SECOND_ARM;
    }

    double lambdaRequests() {
        return 1e6 / recordsPerInvocation * LAMBDA_PER_REQUEST;
    }

    double sqs() {
        return 1e6 * sqsRequestsPerJob * SQS_PER_REQUEST;
    }

    double dynamo() {
        return 1e6 * (writeUnitsPerJob * DYNAMO_PER_WRU + readUnitsPerJob * DYNAMO_PER_RRU);
    }

    double s3() {
        return 1e6 * (s3GetsPerJob * S3_PER_GET + s3PutsPerJob * S3_PER_PUT);
    }

    double total() {
        return lambdaCompute() + lambdaRequests() + sqs() + dynamo() + s3();
    }

    /** Wall time a CPU-bound job needs at this memory size: CPU time over the vCPU share. */
    static double cpuBoundSeconds(double cpuSeconds, double memoryMb) {
        return cpuSeconds / Math.min(1.0, memoryMb / MB_PER_VCPU);
    }

    String row(String scenario) {
        return String.format(Locale.ROOT,
                "%-44s dur=%7.1f ms  λ-GB-s $%7.2f  λ-req $%5.2f  SQS $%5.2f  DDB $%5.2f  S3 $%5.2f  = $%7.2f /M  (%.2f× SES $%.0f)",
                scenario, durationSecondsPerJob * 1000, lambdaCompute(), lambdaRequests(), sqs(), dynamo(), s3(), total(),
                total() / SES_PER_MILLION, SES_PER_MILLION);
    }
}

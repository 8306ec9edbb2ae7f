package dev.mailroom.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Counts AWS API calls per {@code Service.Operation} (one per SDK execution; HTTP attempts, retries
 * included, separately) and, for DynamoDB item writes and reads, asks for and adds up the consumed
 * capacity units — the figures SQS, DynamoDB and S3 bill by. Bench instrumentation only: it adds
 * {@code ReturnConsumedCapacity=TOTAL} to DynamoDB item requests, which changes nothing else.
 */
final class ApiCallCounter implements ExecutionInterceptor {

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> attempts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("bench.started");
    private final DoubleAdder writeUnits = new DoubleAdder();
    private final DoubleAdder readUnits = new DoubleAdder();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        calls.computeIfAbsent(name(attributes), k -> new LongAdder()).increment();
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attempts.computeIfAbsent(name(attributes), k -> new LongAdder()).increment();
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof UpdateItemRequest update) {
            return update.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        }
        if (request instanceof PutItemRequest put) {
            return put.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        }
        if (request instanceof GetItemRequest get) {
            return get.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        }
        if (request instanceof DeleteItemRequest delete) {
            return delete.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
        }
        return request;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(STARTED);
        if (started != null) {
            nanos.computeIfAbsent(name(attributes), k -> new LongAdder()).add(System.nanoTime() - started);
        }
        SdkResponse response = context.response();
        if (response instanceof UpdateItemResponse r) {
            add(r.consumedCapacity(), true);
        } else if (response instanceof PutItemResponse r) {
            add(r.consumedCapacity(), true);
        } else if (response instanceof DeleteItemResponse r) {
            add(r.consumedCapacity(), true);
        } else if (response instanceof GetItemResponse r) {
            add(r.consumedCapacity(), false);
        }
    }

    private void add(ConsumedCapacity capacity, boolean write) {
        if (capacity != null && capacity.capacityUnits() != null) {
            (write ? writeUnits : readUnits).add(capacity.capacityUnits());
        }
    }

    private static String name(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    /** A snapshot, sorted by name. */
    Map<String, Long> calls() {
        Map<String, Long> snapshot = new TreeMap<>();
        calls.forEach((name, count) -> snapshot.put(name, count.sum()));
        return snapshot;
    }

    Map<String, Long> attempts() {
        Map<String, Long> snapshot = new TreeMap<>();
        attempts.forEach((name, count) -> snapshot.put(name, count.sum()));
        return snapshot;
    }

    /** Total wall time spent in each operation, milliseconds. */
    Map<String, Double> millis() {
        Map<String, Double> snapshot = new TreeMap<>();
        nanos.forEach((name, total) -> snapshot.put(name, total.sum() / 1e6));
        return snapshot;
    }

    double writeUnits() {
        return writeUnits.sum();
    }

    double readUnits() {
        return readUnits.sum();
    }

    void reset() {
        calls.clear();
        attempts.clear();
        nanos.clear();
        writeUnits.reset();
        readUnits.reset();
    }
}

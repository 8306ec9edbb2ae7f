/**
 * Publishing the events the ledger keeps: the outbox of each job's item ({@link dev.mailroom.ledger.OutboxEvent})
 * to the destinations the deployment names — an SQS queue, an EventBridge bus — and, once they have
 * them, out of the item. Whoever writes a job's item flushes its outbox right after ({@link Outbox});
 * whoever touches the job next flushes what a crash left; the sweeper flushes the rest. An event is
 * published only once the ledger holds its transition, and may be published again (a crash between
 * the publish and the mark): consumers de-duplicate by its {@code eventId}.
 */
package dev.mailroom.outbox;

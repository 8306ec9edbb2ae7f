/**
 * Mailroom's delivery events as values, in Amazon SES's event-publishing shape, and their JSON.
 *
 * <p>A pure library: it reads the ledger's, the job's and the feedback parser's values and builds
 * {@link dev.mailroom.events.SesEvent}s; it calls nothing outside, publishes nothing and keeps
 * nothing. Field names and JSON types follow "Contents of event data that Amazon SES publishes to
 * Amazon SNS" (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html)
 * and SES's examples of it; the one field of Mailroom's own is the top-level {@code eventId}
 * ({@link dev.mailroom.events.EventId}).
 */
package dev.mailroom.events;

package dev.mailroom.ledger;

/**
 * Why an address is on the suppression list. BOUNCE, COMPLAINT and UNSUBSCRIBE are added by the
 * service's own rules ({@code feedback.SuppressionRules}, whose reasons carry the same names); MANUAL
 * by an operator.
 */
public enum SuppressionReason {
    /** A permanent failure that says the mailbox or domain is dead (5.1.1, 5.1.10…). */
    BOUNCE,
    /** The recipient reported a message as spam (ARF, RFC 5965). */
    COMPLAINT,
    /** The recipient asked for no more mail (RFC 8058 one-click, or an opt-out report). */
    UNSUBSCRIBE,
    /** An operator put it there. */
    MANUAL
}

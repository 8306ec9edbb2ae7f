package dev.mailroom.run;

import dev.mailroom.deliver.Outcome;
import dev.mailroom.deliver.RecipientResult;
import dev.mailroom.feedback.RecipientResult.Action;
import dev.mailroom.feedback.RecipientResult.Severity;
import dev.mailroom.feedback.SuppressionRules;
import dev.mailroom.ledger.Suppression;
import dev.mailroom.ledger.SuppressionList;
import dev.mailroom.ledger.SuppressionReason;
import dev.mailroom.ledger.SuppressionScope;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The suppression stage of a job's attempt, between the claim and composition: which of the
 * recipients still open are on the suppression list (one batched read for all of them, global and
 * tenant entries together), and, once delivery has answered, which permanent failures put an address
 * on it — decided by the one rule set ({@link SuppressionRules}) bounce intake uses too.
 *
 * <p>Without a list ({@link #none()}: {@code MAILROOM_SUPPRESSION_TABLE} unset) nothing is checked
 * or added.
 */
public final class Suppressions {

    /** The tag that names a job's tenant, whose own entries apply beside the global ones. */
    public static final String TENANT_TAG = "tenant";

    private final Optional<SuppressionList> list;
    private final SuppressionRules rules;

    public Suppressions(SuppressionList list, SuppressionRules rules) {
        this.list = Optional.of(list);
        this.rules = rules;
    }

    private Suppressions() {
        this.list = Optional.empty();
        this.rules = null;
    }

    /** No suppression list: every recipient is sent to, nothing is added. */
    public static Suppressions none() {
        return new Suppressions();
    }

    /**
     * The recipient key a suppression entry is stored and looked up under: the ledger's own key of a
     * recipient ({@link Attempt#key}), so that the list and the job records agree on what one
     * mailbox is. Operators' tools (the client, the CLI) normalise with this too.
     */
    public static String key(String address) {
        return Attempt.key(address);
    }

    /**
     * @return recipient key → the entry that suppresses it, for those of {@code open} on the list
     */
    Map<String, Suppression> check(List<InternetAddress> open, Map<String, String> tags, Instant now) {
        if (list.isEmpty() || open.isEmpty()) {
            return Map.of();
        }
        return list.get().find(open.stream().map(r -> key(r.getAddress())).distinct().toList(),
                Optional.ofNullable(tags.get(TENANT_TAG)).filter(t -> !t.isBlank()), now);
    }

    /**
     * A permanent failure at SMTP time that says the mailbox or domain is dead (5.1.1, 5.1.10…, by
     * the rules' data) adds the address, globally — a dead mailbox is dead for every tenant — with
     * reason BOUNCE and the job id as its source. An entry already in force is left as it is.
     *
     * @return the entry added, if any
     */
    Optional<Suppression> afterDelivery(String jobId, RecipientResult result, Instant now) {
        if (list.isEmpty() || !(result.outcome() instanceof Outcome.Permanent permanent)) {
            return Optional.empty();
        }
        Optional<SuppressionRules.Suppression> decision = rules.suppresses(asReported(result.address(), permanent));
        if (decision.isEmpty()) {
            return Optional.empty();
        }
        Suppression entry = new Suppression(SuppressionScope.GLOBAL, key(result.address()),
                SuppressionReason.valueOf(decision.get().reason().name()), jobId, now, null);
        return list.get().putIfAbsent(entry, now) ? Optional.of(entry) : Optional.empty();
    }

    /** Our own SMTP verdict, as a delivery status notification would have reported it (RFC 3464 §2.3). */
    private static dev.mailroom.feedback.RecipientResult asReported(String address, Outcome.Permanent outcome) {
        var diagnosis = outcome.diagnosis();
        return new dev.mailroom.feedback.RecipientResult(address, Optional.empty(), Action.FAILED,
                Optional.ofNullable(diagnosis.enhancedCode()),
                diagnosis.hasReply() ? Optional.of(diagnosis.replyCode()) : Optional.empty(),
                Optional.ofNullable(diagnosis.text()), Optional.ofNullable(outcome.mxHost()), Severity.PERMANENT);
    }
}

package dev.mailroom.deliver;

import dev.mailroom.budget.Deadline;
import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.resolve.MxHost;
import dev.mailroom.resolve.MxResolver;
import dev.mailroom.resolve.Route;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The MX loop for one group of recipients: resolve where they go, then try host after host (and
 * address after address) until one runs the transaction. The next host is tried only when the
 * previous one never got ready (connection failure, timeout, TLS failure, rejected greeting or
 * EHLO); a definite answer to the transaction ends the loop.
 *
 * <p>When every host fails before a transaction, the group gets the diagnosis that says most: that of
 * the host that got furthest in the protocol ({@link Progress}), the last one on a tie. The outcome
 * is transient if any host's failure was, since then the group may yet get through. Every host's
 * failure is kept in the result's trail.
 */
final class DomainDelivery {

    /**
     * The group's outcomes, and the hosts that failed on the way to them.
     *
     * @param domainWide whether the outcome is the domain's (unroutable, every host down…), so that
     *                   another message to it would meet the same: no host ran the transaction, and
     *                   none refused this message for what it is ({@link Progress#READY})
     */
    record Result(Map<InternetAddress, Outcome> outcomes, List<HostFailure> trail, boolean domainWide) {
    }

    /** Postfix's smtp_mx_address_limit: a Lambda can't wait on dozens of dead addresses. */
    static final int MAX_ADDRESSES_TRIED = 5;

    private final SmtpSettings settings;
    private final MxResolver resolver;
    private final SmtpTransaction transaction;

    DomainDelivery(SmtpSettings settings, MxResolver resolver, SmtpTransaction transaction) {
        this.settings = settings;
        this.resolver = resolver;
        this.transaction = transaction;
    }

    Result deliver(String domain, List<InternetAddress> recipients, ComposedMessage message, String envelopeFrom,
                   Deadline deadline) {
        List<SmtpTransaction.Target> targets;
        if (settings.relayMode()) {
            Relay relay = settings.relay();
            targets = List.of(new SmtpTransaction.Target(relay.host(), relay.host(), relay.port(),
                    relay.implicitTls()));
        } else {
            Route route = resolver.resolve(domain, deadline);
            if (!(route instanceof Route.Hosts hosts)) {
                Outcome unroutable = OutcomeClassifier.ofUnroutable(route);
                return new Result(SmtpTransaction.sameFor(recipients, unroutable), List.of(), true);
            }
            targets = targets(hosts.hosts());
        }
        return tryInTurn(targets, recipients, message, envelopeFrom, deadline);
    }

    private Result tryInTurn(List<SmtpTransaction.Target> targets, List<InternetAddress> recipients,
                             ComposedMessage message, String envelopeFrom, Deadline deadline) {
        List<HostFailure> trail = new ArrayList<>();
        SmtpTransaction.NotReady furthest = null;
        boolean anyTransient = false;
        for (SmtpTransaction.Target target : targets) {
            // Don't try a host that could not even be connected to before the deadline.
            if (!deadline.allows(settings.connectTimeout())) {
                Outcome late = OutcomeClassifier.ofDeadline(target.hostName());
                trail.add(new HostFailure(target.hostName(), target.address(), late));
                furthest = furthest == null ? new SmtpTransaction.NotReady(late, Progress.UNREACHABLE) : furthest;
                anyTransient = true;
                break;
            }
            SmtpTransaction.Result result = transaction.run(target, message, envelopeFrom, recipients, deadline);
            if (result instanceof SmtpTransaction.Completed completed) {
                return new Result(completed.outcomes(), trail, false);
            }
            SmtpTransaction.NotReady failure = (SmtpTransaction.NotReady) result;
            trail.add(new HostFailure(target.hostName(), target.address(), failure.failure()));
            anyTransient |= failure.failure() instanceof Outcome.Transient;
            // The furthest in the protocol says most; on a tie, the later one.
            furthest = furthest == null || failure.reached().compareTo(furthest.reached()) >= 0 ? failure : furthest;
        }
        Outcome outcome = furthest.failure();
        if (anyTransient && outcome instanceof Outcome.Permanent permanent) {
            // Another host failed only for now, so the domain may yet take the message: deferred, with
            // the furthest host's words as the reason.
            outcome = OutcomeClassifier.deferredDespite(permanent);
        }
        return new Result(SmtpTransaction.sameFor(recipients, outcome), trail, furthest.reached() != Progress.READY);
    }

    private List<SmtpTransaction.Target> targets(List<MxHost> hosts) {
        List<SmtpTransaction.Target> targets = new ArrayList<>();
        for (MxHost host : hosts) {
            for (InetAddress address : host.addresses()) {
                if (targets.size() == MAX_ADDRESSES_TRIED) {
                    return targets;
                }
                targets.add(new SmtpTransaction.Target(host.name(), address.getHostAddress(), settings.port(), false));
            }
        }
        return targets;
    }
}

package dev.mailroom.deliver;

import dev.mailroom.compose.ComposedMessage;
import dev.mailroom.resolve.MxHost;
import dev.mailroom.resolve.MxResolver;
import dev.mailroom.resolve.Route;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The MX loop for one group of recipients: resolve where they go, then try host after host (and
 * address after address) until one runs the transaction. The next host is tried only when the
 * previous one never got ready (connection failure, timeout, TLS failure, rejected greeting or
 * EHLO); a definite answer to the transaction ends the loop.
 */
final class DomainDelivery {

    /** Postfix's smtp_mx_address_limit: a Lambda can't wait on dozens of dead addresses. */
    static final int MAX_ADDRESSES_TRIED = 5;

    private final SmtpSettings settings;
    private final MxResolver resolver;
    private final SmtpSession session;

    DomainDelivery(SmtpSettings settings, MxResolver resolver, SmtpSession session) {
        this.settings = settings;
        this.resolver = resolver;
        this.session = session;
    }

    Map<InternetAddress, Outcome> deliver(String domain, List<InternetAddress> recipients,
                                          ComposedMessage message, String envelopeFrom, Instant deadline) {
        List<SmtpSession.Target> targets;
        if (settings.relayMode()) {
            Relay relay = settings.relay();
            targets = List.of(new SmtpSession.Target(relay.host(), relay.host(), relay.port(), relay.implicitTls()));
        } else {
            Route route = resolver.resolve(domain);
            if (!(route instanceof Route.Hosts hosts)) {
                return SmtpSession.sameFor(recipients, OutcomeClassifier.ofUnroutable(route));
            }
            targets = targets(hosts.hosts());
        }
        return tryInTurn(targets, recipients, message, envelopeFrom, deadline);
    }

    private Map<InternetAddress, Outcome> tryInTurn(List<SmtpSession.Target> targets, List<InternetAddress> recipients,
                                                    ComposedMessage message, String envelopeFrom, Instant deadline) {
        Outcome firstTransient = null;
        Outcome last = null;
        for (SmtpSession.Target target : targets) {
            // Don't start a session that could not even connect before the deadline.
            if (Instant.now().plus(settings.connectTimeout()).isAfter(deadline)) {
                last = OutcomeClassifier.ofDeadline(target.hostName());
                firstTransient = firstTransient == null ? last : firstTransient;
                break;
            }
            SmtpSession.Result result = session.deliver(target, message, envelopeFrom, recipients, deadline);
            if (result instanceof SmtpSession.Completed completed) {
                return completed.outcomes();
            }
            last = ((SmtpSession.NotReady) result).failure();
            if (firstTransient == null && last instanceof Outcome.Transient) {
                firstTransient = last;
            }
        }
        // Every host failed before a transaction. If any failure may pass, the whole group may.
        return SmtpSession.sameFor(recipients, firstTransient != null ? firstTransient : last);
    }

    private List<SmtpSession.Target> targets(List<MxHost> hosts) {
        List<SmtpSession.Target> targets = new ArrayList<>();
        for (MxHost host : hosts) {
            for (InetAddress address : host.addresses()) {
                if (targets.size() == MAX_ADDRESSES_TRIED) {
                    return targets;
                }
                targets.add(new SmtpSession.Target(host.name(), address.getHostAddress(), settings.port(), false));
            }
        }
        return targets;
    }
}

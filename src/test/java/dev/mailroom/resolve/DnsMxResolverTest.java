package dev.mailroom.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.budget.Deadline;
import dev.mailroom.testing.DnsTestServer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** The production resolver against a real DNS server on loopback. */
class DnsMxResolverTest {

    /** A resolver timeout no test should wait out. */
    private static final Duration PATIENT = Duration.ofSeconds(5);

    private static DnsTestServer dns;
    private DnsMxResolver resolver;

    @BeforeAll
    static void startDns() {
        dns = DnsTestServer.start();
    }

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @BeforeEach
    void freshResolver() {
        dns.reset();
        resolver = DnsMxResolver.create(List.of(dns.address()), Duration.ofMillis(500));
    }

    @Test
    void resolveShouldOrderHostsByPreferenceWhenSeveralMxExist() {
        // Given
        dns.mx("example.test", 20, "backup.example.test").a("backup.example.test", "127.0.0.3")
                .mx("example.test", 10, "primary.example.test").a("primary.example.test", "127.0.0.2");

        // When
        Route route = resolve("example.test");

        // Then
        assertThat(route).isInstanceOf(Route.Hosts.class);
        List<MxHost> hosts = ((Route.Hosts) route).hosts();
        assertThat(hosts).extracting(MxHost::name).containsExactly("primary.example.test", "backup.example.test");
        assertThat(hosts).extracting(MxHost::preference).containsExactly(10, 20);
        assertThat(hosts.get(0).addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.2");
    }

    @Test
    void resolveShouldShuffleHostsOfEqualPreference() {
        // Given: four hosts of equal preference
        for (int i = 1; i <= 4; i++) {
            dns.mx("spread.test", 10, "mx" + i + ".spread.test").a("mx" + i + ".spread.test", "127.0.0." + (i + 1));
        }

        // When: resolved many times (answers come from the cache; only the order varies)
        Set<String> firstHosts = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            firstHosts.add(((Route.Hosts) resolve("spread.test")).hosts().get(0).name());
        }

        // Then: every host comes first sometimes (RFC 5321 §5.1 load spreading)
        assertThat(firstHosts).hasSize(4);
    }

    @Test
    void resolveShouldUseTheDomainItselfWhenItHasNoMxButAnAddress() {
        // Given
        dns.a("implicit.test", "127.0.0.4");

        // When
        Route route = resolve("implicit.test");

        // Then: RFC 5321 §5.1 implicit MX
        assertThat(route).isInstanceOf(Route.Hosts.class);
        MxHost only = ((Route.Hosts) route).hosts().get(0);
        assertThat(only.name()).isEqualTo("implicit.test");
        assertThat(only.addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.4");
    }

    @Test
    void resolveShouldReportNullMxWhenTheDomainPublishesOne() {
        dns.nullMx("nomail.test");

        assertThat(resolve("nomail.test")).isInstanceOf(Route.NullMx.class);
    }

    @Test
    void resolveShouldReportNoSuchDomainOnNxdomain() {
        assertThat(resolve("missing.test")).isInstanceOf(Route.NoSuchDomain.class);
    }

    @Test
    void resolveShouldReportNoAddressWhenNoMxHostResolves() {
        // Given: an MX whose host name does not resolve
        dns.mx("other.test", 10, "mx.other.test");

        assertThat(resolve("other.test")).isInstanceOf(Route.NoAddress.class);
    }

    @Test
    void resolveShouldReportLookupFailureOnServfail() {
        dns.serverFailure("broken.test");

        assertThat(resolve("broken.test")).isInstanceOf(Route.LookupFailed.class);
    }

    @Test
    void resolveShouldReportLookupFailureWhenTheServerStaysSilent() {
        dns.silent("silent.test");

        assertThat(resolve("silent.test")).isInstanceOf(Route.LookupFailed.class);
    }

    @Test
    void aSilentServerShouldBeGivenUpAfterTheConfiguredTimeoutPerQuery() {
        // Given: MAILROOM_DNS_TIMEOUT 4 s, and a server that never answers (dnsjava's own default is 10 s)
        dns.silent("quiet.test");
        Duration timeout = Duration.ofSeconds(4);
        DnsMxResolver configured = DnsMxResolver.create(List.of(dns.address()), timeout);
        Instant start = Instant.now();

        // When
        Route route = configured.resolve("quiet.test", Deadline.in(Duration.ofMinutes(1), Clock.systemUTC()));

        // Then: the query and its one retry, each given the timeout: two, not three (the lookup's last
        // bound) nor dnsjava's ten seconds
        assertThat(route).isInstanceOf(Route.LookupFailed.class);
        assertThat(Duration.between(start, Instant.now())).isLessThan(timeout.multipliedBy(5).dividedBy(2));
    }

    @Test
    void resolveShouldAnswerFromCacheWithinTheTtl() {
        // Given
        dns.ttl(300).mx("cached.test", 10, "mx.cached.test").a("mx.cached.test", "127.0.0.2");

        // When
        resolve("cached.test");
        resolve("cached.test");
        resolve("cached.test");

        // Then: one query on the wire per name and type
        assertThat(dns.queries("cached.test", Type.MX)).isEqualTo(1);
        assertThat(dns.queries("mx.cached.test", Type.A)).isEqualTo(1);
    }

    @Test
    void resolveShouldAskAgainEveryTimeWhenTheTtlIsZero() {
        // Given: records that may not be cached
        dns.ttl(0).mx("fresh.test", 10, "mx.fresh.test").a("mx.fresh.test", "127.0.0.2");

        // When
        resolve("fresh.test");
        resolve("fresh.test");
        resolve("fresh.test");

        // Then: neither dnsjava's cache nor the route memo kept them
        assertThat(dns.queries("fresh.test", Type.MX)).isEqualTo(3);
        assertThat(dns.queries("mx.fresh.test", Type.A)).isEqualTo(3);
    }

    @Test
    void resolveShouldSkipMxHostsWithoutAddresses() {
        // Given: the preferred host has no address record
        dns.mx("partial.test", 10, "ghost.partial.test")
                .mx("partial.test", 20, "real.partial.test").a("real.partial.test", "127.0.0.5");

        // When
        Route route = resolve("partial.test");

        // Then
        assertThat(((Route.Hosts) route).hosts()).extracting(MxHost::name).containsExactly("real.partial.test");
    }

    @Test
    void resolveShouldKeepThePreferenceOrderWhenTheHostsAreLookedUpTogether() {
        // Given: five hosts, registered out of order, one of them with an IPv6 address only
        dns.mx("order.test", 40, "d.order.test").a("d.order.test", "127.0.0.5")
                .mx("order.test", 10, "a.order.test").a("a.order.test", "127.0.0.2")
                .mx("order.test", 50, "e.order.test").a("e.order.test", "127.0.0.6")
                .mx("order.test", 30, "c.order.test").aaaa("c.order.test", "::1")
                .mx("order.test", 20, "b.order.test").a("b.order.test", "127.0.0.3");

        // When
        Route route = resolve("order.test");

        // Then
        assertThat(((Route.Hosts) route).hosts()).extracting(MxHost::name)
                .containsExactly("a.order.test", "b.order.test", "c.order.test", "d.order.test", "e.order.test");
    }

    @Test
    void resolveShouldStartNoLookupWhenTheDeadlineHasPassed() {
        // Given
        dns.mx("late.test", 10, "mx.late.test").a("mx.late.test", "127.0.0.2");

        // When
        Route route = resolver.resolve("late.test", Deadline.immediately());

        // Then: transient, saying why, and nothing was asked
        assertThat(route).isInstanceOf(Route.LookupFailed.class);
        assertThat(((Route.LookupFailed) route).detail()).contains("late.test").contains("deadline");
        assertThat(dns.queries("late.test", Type.MX)).isZero();
    }

    @Test
    void resolveShouldStopAtTheDeadlineWhenTheServerStaysSilentAboutTheMx() {
        // Given: the domain's MX never comes
        dns.silent("hush.test");

        // When, then
        assertCutByTheDeadline("hush.test");
    }

    @Test
    void resolveShouldStopAtTheDeadlineWhenTheMxHostsStaySilent() {
        // Given: the MX answers, its hosts' addresses never come
        dns.mx("mute.test", 10, "mx1.mute.test").mx("mute.test", 20, "mx2.mute.test")
                .silent("mx1.mute.test").silent("mx2.mute.test");

        // When, then
        assertCutByTheDeadline("mute.test");
    }

    @Test
    void resolveShouldWaitForSeveralSilentHostsNoLongerThanForOne() {
        // Given: five preferred hosts whose addresses never come, and one that answers. A silent
        // lookup is given up after timeout × 3; one host after the other, five would cost five times that.
        Duration timeout = Duration.ofSeconds(1);
        Duration oneSilentHost = timeout.multipliedBy(3);
        for (int i = 1; i <= 5; i++) {
            dns.mx("crowd.test", i * 10, "silent" + i + ".crowd.test").silent("silent" + i + ".crowd.test");
        }
        dns.mx("crowd.test", 60, "last.crowd.test").a("last.crowd.test", "127.0.0.2");
        DnsMxResolver quick = DnsMxResolver.create(List.of(dns.address()), timeout);
        Instant start = Instant.now();

        // When
        Route route = quick.resolve("crowd.test", Deadline.in(Duration.ofMinutes(1), Clock.systemUTC()));

        // Then: the one that answers, after the wait for one silent host, not two
        assertThat(((Route.Hosts) route).hosts()).extracting(MxHost::name).containsExactly("last.crowd.test");
        assertThat(Duration.between(start, Instant.now())).isLessThan(oneSilentHost.multipliedBy(2));
    }

    /**
     * With a resolver that would wait at least 5 s for a silent server and an attempt with 1 s left:
     * a transient route that says the deadline cut it, long before the resolver would have given up.
     */
    private static void assertCutByTheDeadline(String domain) {
        DnsMxResolver patient = DnsMxResolver.create(List.of(dns.address()), PATIENT);
        Instant start = Instant.now();

        Route route = patient.resolve(domain, Deadline.in(Duration.ofSeconds(1), Clock.systemUTC()));

        assertThat(route).isInstanceOf(Route.LookupFailed.class);
        assertThat(((Route.LookupFailed) route).detail()).contains(domain).contains("deadline");
        assertThat(Duration.between(start, Instant.now())).isLessThan(PATIENT);
    }

    private Route resolve(String domain) {
        return resolver.resolve(domain, Deadline.in(Duration.ofMinutes(1), Clock.systemUTC()));
    }
}

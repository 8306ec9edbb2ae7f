package dev.mailroom.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.testing.DnsTestServer;
import java.net.InetAddress;
import java.time.Duration;
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
        Route route = resolver.resolve("example.test");

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
            firstHosts.add(((Route.Hosts) resolver.resolve("spread.test")).hosts().get(0).name());
        }

        // Then: every host comes first sometimes (RFC 5321 §5.1 load spreading)
        assertThat(firstHosts).hasSize(4);
    }

    @Test
    void resolveShouldUseTheDomainItselfWhenItHasNoMxButAnAddress() {
        // Given
        dns.a("implicit.test", "127.0.0.4");

        // When
        Route route = resolver.resolve("implicit.test");

        // Then: RFC 5321 §5.1 implicit MX
        assertThat(route).isInstanceOf(Route.Hosts.class);
        MxHost only = ((Route.Hosts) route).hosts().get(0);
        assertThat(only.name()).isEqualTo("implicit.test");
        assertThat(only.addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.4");
    }

    @Test
    void resolveShouldReportNullMxWhenTheDomainPublishesOne() {
        dns.nullMx("nomail.test");

        assertThat(resolver.resolve("nomail.test")).isInstanceOf(Route.NullMx.class);
    }

    @Test
    void resolveShouldReportNoSuchDomainOnNxdomain() {
        assertThat(resolver.resolve("missing.test")).isInstanceOf(Route.NoSuchDomain.class);
    }

    @Test
    void resolveShouldReportNoAddressWhenNoMxHostResolves() {
        // Given: an MX whose host name does not resolve
        dns.mx("other.test", 10, "mx.other.test");

        assertThat(resolver.resolve("other.test")).isInstanceOf(Route.NoAddress.class);
    }

    @Test
    void resolveShouldReportLookupFailureOnServfail() {
        dns.serverFailure("broken.test");

        assertThat(resolver.resolve("broken.test")).isInstanceOf(Route.LookupFailed.class);
    }

    @Test
    void resolveShouldReportLookupFailureWhenTheServerStaysSilent() {
        dns.silent("silent.test");

        assertThat(resolver.resolve("silent.test")).isInstanceOf(Route.LookupFailed.class);
    }

    @Test
    void resolveShouldAnswerFromCacheWithinTheTtl() {
        // Given
        dns.ttl(300).mx("cached.test", 10, "mx.cached.test").a("mx.cached.test", "127.0.0.2");

        // When
        resolver.resolve("cached.test");
        resolver.resolve("cached.test");
        resolver.resolve("cached.test");

        // Then: one query on the wire per name and type
        assertThat(dns.queries("cached.test", Type.MX)).isEqualTo(1);
        assertThat(dns.queries("mx.cached.test", Type.A)).isEqualTo(1);
    }

    @Test
    void resolveShouldAskAgainEveryTimeWhenTheTtlIsZero() {
        // Given: records that may not be cached
        dns.ttl(0).mx("fresh.test", 10, "mx.fresh.test").a("mx.fresh.test", "127.0.0.2");

        // When
        resolver.resolve("fresh.test");
        resolver.resolve("fresh.test");
        resolver.resolve("fresh.test");

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
        Route route = resolver.resolve("partial.test");

        // Then
        assertThat(((Route.Hosts) route).hosts()).extracting(MxHost::name).containsExactly("real.partial.test");
    }
}

package dev.mailroom.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SuppressionList} does, run against DynamoDbSuppressionListTest (dynalite) and
 * InMemorySuppressionListTest, so that the in-memory one provably keeps the same rules. Times are
 * fixed: nothing here depends on today's date.
 */
abstract class SuppressionListContract {

    static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    SuppressionList list;

    abstract SuppressionList emptyList();

    @BeforeEach
    void startEmpty() {
        list = emptyList();
    }

    static Suppression global(String address, SuppressionReason reason) {
        return new Suppression(SuppressionScope.GLOBAL, address, reason, "job-1", T0, null);
    }

    static Suppression tenant(String tenant, String address) {
        return new Suppression(SuppressionScope.tenant(tenant), address, SuppressionReason.UNSUBSCRIBE, "token", T0, null);
    }

    @Test
    void findShouldReturnOnlyTheAddressesOnTheListWithTheirEntries() {
        // Given
        list.put(global("ann@example.org", SuppressionReason.BOUNCE));

        // When
        var found = list.find(List.of("ann@example.org", "bob@example.org"), Optional.empty(), T0.plusSeconds(1));

        // Then
        assertThat(found).containsOnlyKeys("ann@example.org");
        assertThat(found.get("ann@example.org")).isEqualTo(global("ann@example.org", SuppressionReason.BOUNCE));
    }

    @Test
    void findShouldApplyATenantsEntriesOnlyToThatTenantsJobs() {
        // Given
        list.put(tenant("acme", "ann@example.org"));

        // When / Then
        assertThat(list.find(List.of("ann@example.org"), Optional.of("acme"), T0)).containsOnlyKeys("ann@example.org");
        assertThat(list.find(List.of("ann@example.org"), Optional.of("globex"), T0)).isEmpty();
        assertThat(list.find(List.of("ann@example.org"), Optional.empty(), T0)).isEmpty();
    }

    @Test
    void findShouldPreferTheGlobalEntryWhenBothScopesHoldTheAddress() {
        list.put(tenant("acme", "ann@example.org"));
        list.put(global("ann@example.org", SuppressionReason.COMPLAINT));

        var found = list.find(List.of("ann@example.org"), Optional.of("acme"), T0);

        assertThat(found.get("ann@example.org").scope()).isEqualTo(SuppressionScope.GLOBAL);
        assertThat(found.get("ann@example.org").reason()).isEqualTo(SuppressionReason.COMPLAINT);
    }

    @Test
    void findShouldIgnoreAnEntryOnceItHasExpiredEvenBeforeTtlRemovesIt() {
        // Given: an entry for a day (TTL is not run by the emulators; DynamoDB's may take days)
        Suppression day = new Suppression(SuppressionScope.GLOBAL, "ann@example.org", SuppressionReason.MANUAL, "ops",
                T0, T0.plus(Duration.ofDays(1)));
        list.put(day);

        // Then: in force up to its expiry, not from then on
        assertThat(list.find(List.of("ann@example.org"), Optional.empty(), T0.plus(Duration.ofHours(23)))).isNotEmpty();
        assertThat(list.find(List.of("ann@example.org"), Optional.empty(), T0.plus(Duration.ofDays(1)))).isEmpty();
        assertThat(list.list(T0.plus(Duration.ofDays(2)))).isEmpty();
    }

    @Test
    void findShouldAnswerForMoreAddressesThanOneBatchHolds() {
        // Given: 150 recipients of a tenant's job, every third on the list: 300 keys, three batches
        List<String> addresses = IntStream.range(0, 150).mapToObj(i -> "u" + i + "@example.org").toList();
        IntStream.range(0, 150).filter(i -> i % 3 == 0).forEach(i -> list.put(global(addresses.get(i), SuppressionReason.BOUNCE)));

        // When
        var found = list.find(addresses, Optional.of("acme"), T0);

        // Then
        assertThat(found).hasSize(50).containsKeys("u0@example.org", "u147@example.org").doesNotContainKey("u1@example.org");
    }

    @Test
    void putIfAbsentShouldLeaveAnEntryInForceAsItIs() {
        // Given: an operator's entry
        Suppression manual = new Suppression(SuppressionScope.GLOBAL, "ann@example.org", SuppressionReason.MANUAL,
                "ticket 42", T0, null);
        list.put(manual);

        // When: a bounce would add it again
        boolean added = list.putIfAbsent(global("ann@example.org", SuppressionReason.BOUNCE), T0.plusSeconds(5));

        // Then
        assertThat(added).isFalse();
        assertThat(list.list(T0.plusSeconds(5))).containsExactly(manual);
    }

    @Test
    void putIfAbsentShouldReplaceAnExpiredEntry() {
        list.put(new Suppression(SuppressionScope.GLOBAL, "ann@example.org", SuppressionReason.MANUAL, "ops", T0,
                T0.plusSeconds(60)));

        boolean added = list.putIfAbsent(new Suppression(SuppressionScope.GLOBAL, "ann@example.org",
                SuppressionReason.BOUNCE, "job-9", T0.plusSeconds(120), null), T0.plusSeconds(120));

        assertThat(added).isTrue();
        assertThat(list.list(T0.plusSeconds(120))).extracting(Suppression::reason).containsExactly(SuppressionReason.BOUNCE);
    }

    @Test
    void putShouldReplaceTheEntryForTheSameScopeAndAddress() {
        list.put(global("ann@example.org", SuppressionReason.BOUNCE));

        list.put(global("ann@example.org", SuppressionReason.MANUAL));

        assertThat(list.list(T0)).extracting(Suppression::reason).containsExactly(SuppressionReason.MANUAL);
    }

    @Test
    void removeShouldTakeOffOneScopesEntryAndLeaveTheOther() {
        list.put(global("ann@example.org", SuppressionReason.BOUNCE));
        list.put(tenant("acme", "ann@example.org"));

        assertThat(list.remove(SuppressionScope.tenant("acme"), "ann@example.org")).isTrue();
        assertThat(list.remove(SuppressionScope.tenant("acme"), "ann@example.org")).isFalse();

        assertThat(list.list(T0)).extracting(Suppression::scope).containsExactly(SuppressionScope.GLOBAL);
    }

    @Test
    void tenantNamesShouldNeverMakeTwoEntriesShareAKey() {
        // Given: '#' separates scope from address in the key, and may appear in both
        list.put(tenant("a#b", "c@example.org"));
        list.put(tenant("a", "b#c@example.org"));

        // Then: two entries, each found by its own tenant
        assertThat(list.list(T0)).hasSize(2);
        assertThat(list.find(List.of("c@example.org"), Optional.of("a#b"), T0)).containsOnlyKeys("c@example.org");
        assertThat(list.find(List.of("c@example.org"), Optional.of("a"), T0)).isEmpty();
        assertThat(SuppressionScope.parse(SuppressionScope.tenant("50%#off").key())).isEqualTo(SuppressionScope.tenant("50%#off"));
    }
}

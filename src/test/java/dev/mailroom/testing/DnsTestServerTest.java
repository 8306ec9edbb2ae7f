package dev.mailroom.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

class DnsTestServerTest {

  private static final Duration TIMEOUT = Duration.ofMillis(300);

  private DnsTestServer server;
  private SimpleResolver resolver;

  @BeforeEach
  void setUp() {
    server = DnsTestServer.start();
    resolver = new SimpleResolver(server.address());
    resolver.setTimeout(TIMEOUT);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void mxQueryShouldReturnRegisteredRecordsWhenDomainHasMx() throws Exception {
    // Given
    server.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");

    // When
    LookupResult result = lookup(session(), "Example.TEST.", Type.MX);

    // Then
    // (names compress against the question, so targets come back in the query's case:
    // compare case-insensitively, as dnsjava's Name.equals does)
    List<String> mx =
        result.getRecords().stream()
            .map(MXRecord.class::cast)
            .map(r -> r.getPriority() + " " + r.getTarget().toString().toLowerCase(Locale.ROOT))
            .collect(Collectors.toList());
    assertThat(mx).containsExactlyInAnyOrder("10 mx1.example.test.", "20 mx2.example.test.");
    assertThat(result.getRecords()).allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(300));
    assertThat(server.queries("example.test", Type.MX)).isEqualTo(1);
  }

  @Test
  void txtQueryShouldReturnALongRecordWholeInStringsOf255() throws Exception {
    // Given: a record longer than any EDNS UDP answer dnsjava asks for (a 4096-bit RSA key's is about
    // 740 characters; this one forces the truncation and TCP retry a resolver must handle)
    String record = "v=DKIM1; k=rsa; p=" + "A".repeat(1500);
    server.txt("s1._domainkey.example.test", record);

    // When: asked over UDP, as a verifier's resolver asks
    Message response = resolver.send(Message.newQuery(
        Record.newRecord(Name.fromString("s1._domainkey.example.test."), Type.TXT, DClass.IN)));

    // Then: truncated over UDP, dnsjava retried over TCP and got it whole, its strings joined giving the record
    TXTRecord txt = (TXTRecord) response.getSection(Section.ANSWER).get(0);
    assertThat(txt.getStrings()).allMatch(part -> part.length() <= 255);
    assertThat(String.join("", txt.getStrings())).isEqualTo(record);
    assertThat(server.queries("s1._domainkey.example.test", Type.TXT)).isEqualTo(2);
  }

  @Test
  void rawResponseShouldBeAuthoritativeAndEchoQueryWhenAnswering() throws Exception {
    // Given
    server.ttl(60).a("host.example.test", "192.0.2.7");
    Record question = Record.newRecord(Name.fromString("host.example.test."), Type.A, DClass.IN);
    Message query = Message.newQuery(question);

    // When
    Message response = resolver.send(query);

    // Then
    assertThat(response.getHeader().getID()).isEqualTo(query.getHeader().getID());
    assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(response.getHeader().getFlag(Flags.RD)).isTrue();
    assertThat(response.getQuestion()).isEqualTo(question);
    assertThat(response.getSection(Section.ANSWER))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(((ARecord) r).getAddress().getHostAddress()).isEqualTo("192.0.2.7");
              assertThat(r.getTTL()).isEqualTo(60);
            });
  }

  @Test
  void mxQueryShouldReturnNullMxWhenDomainPublishesNullMx() throws Exception {
    // Given
    server.nullMx("nomail.test");

    // When
    LookupResult result = lookup(session(), "nomail.test.", Type.MX);

    // Then
    assertThat(result.getRecords())
        .singleElement()
        .satisfies(
            r -> {
              MXRecord mx = (MXRecord) r;
              assertThat(mx.getPriority()).isZero();
              assertThat(mx.getTarget()).isEqualTo(Name.root);
            });
  }

  @Test
  void lookupShouldFailWithNoSuchDomainWhenNameIsUnknown() {
    // Given
    server.mx("example.test", 10, "mx1.example.test");

    // When
    Throwable failure = lookupFailure(session(), "missing.example.test.", Type.MX);

    // Then
    assertThat(failure).isInstanceOf(NoSuchDomainException.class);
    assertThat(server.queries("missing.example.test", Type.MX)).isEqualTo(1);
  }

  @Test
  void lookupShouldReturnEmptyResultWhenNameExistsWithoutThatType() throws Exception {
    // Given
    server.a("example.test", "192.0.2.1");

    // When
    LookupResult result = lookup(session(), "example.test.", Type.MX);
    Message raw =
        resolver.send(
            Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.MX, DClass.IN)));

    // Then: on the wire it is NODATA (NOERROR, no answer, SOA in authority); dnsjava 3.6.3's
    // LookupSession turns an uncached NODATA into an empty result, not NoSuchRRSetException
    assertThat(result.getRecords()).isEmpty();
    assertThat(raw.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(raw.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(raw.getSection(Section.ANSWER)).isEmpty();
    assertThat(raw.getSection(Section.AUTHORITY))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getType()).isEqualTo(Type.SOA);
              assertThat(((SOARecord) r).getMinimum()).isEqualTo(300);
            });
  }

  @Test
  void lookupShouldFailWithNoSuchRRSetWhenNodataIsServedFromCache() throws Exception {
    // Given
    server.a("nomx.test", "192.0.2.2");
    LookupSession session = cachingSession();
    lookup(session, "nomx.test.", Type.MX); // first answer comes from the wire: empty result

    // When
    Throwable failure = lookupFailure(session, "nomx.test.", Type.MX);

    // Then: the negative answer was cached thanks to the SOA, and reported as NoSuchRRSet
    assertThat(failure).isInstanceOf(NoSuchRRSetException.class);
    assertThat(server.queries("nomx.test", Type.MX)).isEqualTo(1);
  }

  @Test
  void lookupShouldFailWithServerFailedWhenNameIsConfiguredToFail() {
    // Given
    server.serverFailure("broken.test");

    // When
    Throwable failure = lookupFailure(session(), "broken.test.", Type.MX);

    // Then
    assertThat(failure).isInstanceOf(ServerFailedException.class);
  }

  @Test
  void lookupShouldTimeOutWhenNameIsSilent() {
    // Given
    server.silent("blackhole.test");

    // When
    long start = System.nanoTime();
    Throwable failure = lookupFailure(session(), "blackhole.test.", Type.MX);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    // Then
    assertThat(failure).isInstanceOf(SocketTimeoutException.class);
    assertThat(elapsedMillis).isLessThan(2_000);
    assertThat(server.queries("blackhole.test", Type.MX)).isGreaterThanOrEqualTo(1);
  }

  @Test
  void lookupShouldSucceedOverTcpWhenResolverForcesTcp() throws Exception {
    // Given
    server.mx("example.test", 5, "mx.example.test");
    resolver.setTCP(true);
    LookupSession session = session();

    // When
    LookupResult first = lookup(session, "example.test.", Type.MX);
    LookupResult second = lookup(session, "example.test.", Type.MX);

    // Then
    assertThat(first.getRecords()).hasSize(1);
    assertThat(second.getRecords()).hasSize(1);
    assertThat(server.queries("example.test", Type.MX)).isEqualTo(2);
  }

  @Test
  void tcpConnectionShouldAnswerEveryQueryWhenSeveralAreSentOnIt() throws Exception {
    // Given
    server.mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "192.0.2.10");
    Message mxQuery =
        Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.MX, DClass.IN));
    Message aQuery =
        Message.newQuery(Record.newRecord(Name.fromString("mx1.example.test."), Type.A, DClass.IN));

    try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
      socket.setSoTimeout(2_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());

      // When: two length-prefixed queries back to back on one connection
      for (Message query : List.of(mxQuery, aQuery)) {
        byte[] wire = query.toWire();
        out.writeShort(wire.length);
        out.write(wire);
      }
      out.flush();
      Message first = readFramed(in);
      Message second = readFramed(in);

      // Then
      assertThat(first.getHeader().getID()).isEqualTo(mxQuery.getHeader().getID());
      assertThat(first.getSection(Section.ANSWER)).singleElement()
          .satisfies(r -> assertThat(r.getType()).isEqualTo(Type.MX));
      assertThat(second.getHeader().getID()).isEqualTo(aQuery.getHeader().getID());
      assertThat(second.getSection(Section.ANSWER)).singleElement()
          .satisfies(r -> assertThat(r.getType()).isEqualTo(Type.A));
    }
  }

  @Test
  void closeShouldReturnPromptlyWhenTcpConnectionIsOpen() throws Exception {
    // Given: an accepted, now idle client connection the server is blocked reading from
    server.a("host.example.test", "192.0.2.7");
    try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
      socket.setSoTimeout(2_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] wire =
          Message.newQuery(
                  Record.newRecord(Name.fromString("host.example.test."), Type.A, DClass.IN))
              .toWire();
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
      readFramed(in);

      // When
      long start = System.nanoTime();
      server.close();
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      // Then: the server hung up on the client, quickly
      assertThat(elapsedMillis).isLessThan(500);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void udpQueryShouldBeRetriedOverTcpWhenAnswerIsTruncated() throws Exception {
    // Given: 100 A records, far more than a 512-byte or 1232-byte UDP answer holds
    for (int i = 1; i <= 100; i++) {
      server.a("big.example.test", "10.0.0." + i);
    }

    // When
    LookupResult result = lookup(session(), "big.example.test.", Type.A);

    // Then: one truncated UDP query, one TCP retry
    assertThat(result.getRecords()).hasSize(100);
    assertThat(server.queries("big.example.test", Type.A)).isEqualTo(2);
  }

  @Test
  void secondLookupShouldBeServedFromCacheWhenSessionHasCache() throws Exception {
    // Given
    server.mx("example.test", 10, "mx1.example.test");
    LookupSession session = cachingSession();

    // When
    lookup(session, "example.test.", Type.MX);
    Throwable firstMissing = lookupFailure(session, "missing.test.", Type.MX);
    LookupResult cached = lookup(session, "example.test.", Type.MX);
    Throwable secondMissing = lookupFailure(session, "missing.test.", Type.MX);

    // Then: positive and negative (NXDOMAIN, via the SOA) answers are both cached
    assertThat(cached.getRecords()).hasSize(1);
    assertThat(firstMissing).isInstanceOf(NoSuchDomainException.class);
    assertThat(secondMissing).isInstanceOf(NoSuchDomainException.class);
    assertThat(server.queries("example.test", Type.MX)).isEqualTo(1);
    assertThat(server.queries("missing.test", Type.MX)).isEqualTo(1);
  }

  @Test
  void resetShouldForgetRecordsAndCountersWhenCalled() {
    // Given
    server.mx("example.test", 10, "mx1.example.test");
    lookupQuietly("example.test.");

    // When
    server.reset();
    Throwable failure = lookupFailure(session(), "example.test.", Type.MX);

    // Then
    assertThat(failure).isInstanceOf(NoSuchDomainException.class);
    assertThat(server.queries("example.test", Type.MX)).isEqualTo(1);
  }

  // ---------------------------------------------------------------- helpers

  private LookupSession session() {
    return LookupSession.builder().resolver(resolver).build();
  }

  private LookupSession cachingSession() {
    return LookupSession.builder().resolver(resolver).cache(new Cache(DClass.IN)).build();
  }

  private static LookupResult lookup(LookupSession session, String name, int type) throws Exception {
    return lookupAsync(session, name, type).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static CompletionStage<LookupResult> lookupAsync(LookupSession session, String name, int type) {
    try {
      return session.lookupAsync(Name.fromString(name), type);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The failure of a lookup, with ExecutionException/CompletionException wrappers removed. */
  private static Throwable lookupFailure(LookupSession session, String name, int type) {
    Throwable thrown = catchThrowable(() -> lookup(session, name, type));
    assertThat(thrown).as("lookup of %s should fail", name).isNotNull();
    Throwable t = thrown;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Message readFramed(DataInputStream in) throws Exception {
    byte[] wire = new byte[in.readUnsignedShort()];
    in.readFully(wire);
    return new Message(wire);
  }

  private void lookupQuietly(String name) {
    catchThrowable(() -> lookup(session(), name, Type.MX));
  }
}

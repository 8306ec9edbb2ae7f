package dev.mailroom.testing;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A real, in-process authoritative DNS server for tests, speaking the DNS wire format (via
 * dnsjava) over UDP and TCP on 127.0.0.1, both on the same port.
 *
 * <p>Production code using dnsjava's {@code SimpleResolver}/{@code ExtendedResolver} and {@code
 * LookupSession} can query it unchanged: point the resolver at {@link #address()}.
 *
 * <p>Semantics:
 *
 * <ul>
 *   <li>A name "exists" if any record or behaviour ({@link #serverFailure}, {@link #silent}) was
 *       registered for exactly that name (case-insensitive). Ancestors of registered names do not
 *       implicitly exist.
 *   <li>Existing name, type without records: NOERROR, empty answer, synthetic SOA in authority
 *       (NODATA, negative-cacheable).
 *   <li>Unknown name: NXDOMAIN with synthetic SOA in authority.
 *   <li>The synthetic SOA's owner is the zone apex, taken as the last two labels of the queried name
 *       (or the name itself if it has fewer); its TTL and minimum are the current {@link #ttl}.
 *   <li>UDP answers larger than 512 bytes (or the client's advertised EDNS payload size) are
 *       truncated with TC set, so the client retries over TCP. TCP uses 2-byte length framing and
 *       serves any number of queries per connection.
 *   <li>Every received query is counted under (name, type) before it is answered, including queries
 *       for {@link #serverFailure} and {@link #silent} names. A UDP query that is truncated and
 *       retried over TCP is therefore counted twice.
 * </ul>
 *
 * <p>Registration is thread-safe and may happen while the server runs. All threads are daemons.
 */
public final class DnsTestServer implements AutoCloseable {

  /** Default TTL in seconds for records and the synthetic SOA. */
  public static final long DEFAULT_TTL = 300;

  private static final int PLAIN_UDP_LIMIT = 512;
  private static final int MAX_UDP_PACKET = 65_535;
  private static final int OUR_EDNS_PAYLOAD = 1232;
  private static final int BIND_ATTEMPTS = 20;

  /**
   * dnsjava's NIO client checks query timeouts only when its selector wakes up, by default once a
   * second, so a 300 ms resolver timeout fires after up to ~1 s. Tighten that (unless the property
   * is already set) so tests against {@link #silent} names stay fast. It takes effect only if
   * dnsjava's selector thread has not started yet in this JVM, i.e. when this class loads before
   * the first dnsjava query.
   */
  public static final String SELECTOR_TIMEOUT_PROPERTY = "dnsjava.nio.selector_timeout";

  static {
    if (System.getProperty(SELECTOR_TIMEOUT_PROPERTY) == null) {
      System.setProperty(SELECTOR_TIMEOUT_PROPERTY, "50");
    }
  }

  private enum Behaviour {
    SERVFAIL,
    SILENT
  }

  private record Key(Name name, int type) {}

  private final Object lock = new Object();

  // Guarded by lock. Records per name, then per type, each list in registration order.
  private final Map<Name, Map<Integer, List<Record>>> records = new HashMap<>();
  private final Map<Name, Behaviour> behaviours = new HashMap<>();
  private long ttl = DEFAULT_TTL;

  private final Map<Key, AtomicInteger> counters = new ConcurrentHashMap<>();

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final InetSocketAddress address;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private DnsTestServer(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
  }

  /** Binds UDP and TCP on 127.0.0.1 on the same free port and starts serving. */
  public static DnsTestServer start() {
    InetAddress loopback;
    try {
      loopback = InetAddress.getByName("127.0.0.1");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IOException last = null;
    for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      DatagramSocket udp = null;
      try {
        udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
        ServerSocket tcp = new ServerSocket();
        try {
          tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()), 50);
        } catch (IOException e) {
          tcp.close();
          throw e;
        }
        DnsTestServer server = new DnsTestServer(udp, tcp);
        server.startThreads();
        return server;
      } catch (BindException e) {
        last = e;
        if (udp != null) {
          udp.close();
        }
      } catch (IOException e) {
        if (udp != null) {
          udp.close();
        }
        throw new UncheckedIOException(e);
      }
    }
    throw new UncheckedIOException("could not bind UDP and TCP on the same port", last);
  }

  public int port() {
    return address.getPort();
  }

  /** 127.0.0.1:{@link #port()}. */
  public InetSocketAddress address() {
    return address;
  }

  /** Adds an MX record, e.g. {@code mx("example.test", 10, "mx1.example.test")}. */
  public DnsTestServer mx(String domain, int preference, String exchange) {
    Name owner = name(domain);
    Name target = name(exchange);
    synchronized (lock) {
      add(new MXRecord(owner, DClass.IN, ttl, preference, target));
    }
    return this;
  }

  /** Adds an RFC 7505 null MX: {@code domain. MX 0 .}. */
  public DnsTestServer nullMx(String domain) {
    Name owner = name(domain);
    synchronized (lock) {
      add(new MXRecord(owner, DClass.IN, ttl, 0, Name.root));
    }
    return this;
  }

  public DnsTestServer a(String name, String ipv4) {
    Name owner = name(name);
    InetAddress addr = literal(ipv4, 4);
    synchronized (lock) {
      add(new ARecord(owner, DClass.IN, ttl, addr));
    }
    return this;
  }

  public DnsTestServer aaaa(String name, String ipv6) {
    Name owner = name(name);
    InetAddress addr = literal(ipv6, 16);
    synchronized (lock) {
      add(new AAAARecord(owner, DClass.IN, ttl, addr));
    }
    return this;
  }

  /**
   * Adds a TXT record (a DKIM key's, say), split into character-strings of at most 255 bytes, which a
   * reader joins (RFC 7208 §3.3, RFC 6376 §3.6.2.2). Answers too large for UDP are truncated there and
   * come whole over TCP.
   */
  public DnsTestServer txt(String name, String text) {
    Name owner = name(name);
    List<String> strings = new ArrayList<>();
    for (int from = 0; from < text.length(); from += 255) {
      strings.add(text.substring(from, Math.min(text.length(), from + 255)));
    }
    synchronized (lock) {
      add(new TXTRecord(owner, DClass.IN, ttl, strings));
    }
    return this;
  }

  /** Every query for this name (any type) is answered with rcode SERVFAIL. */
  public DnsTestServer serverFailure(String name) {
    Name owner = name(name);
    synchronized (lock) {
      behaviours.put(owner, Behaviour.SERVFAIL);
    }
    return this;
  }

  /** Every query for this name (any type) gets no answer at all; the client times out. */
  public DnsTestServer silent(String name) {
    Name owner = name(name);
    synchronized (lock) {
      behaviours.put(owner, Behaviour.SILENT);
    }
    return this;
  }

  /** TTL in seconds for records added after this call, and for the synthetic SOA (default 300). */
  public DnsTestServer ttl(long seconds) {
    if (seconds < 0 || seconds > 0x7FFFFFFFL) {
      throw new IllegalArgumentException("ttl out of range: " + seconds);
    }
    synchronized (lock) {
      ttl = seconds;
    }
    return this;
  }

  /** How many queries for (name, type) the server has received, over UDP and TCP together. */
  public int queries(String name, int type) {
    AtomicInteger counter = counters.get(new Key(name(name), type));
    return counter == null ? 0 : counter.get();
  }

  /** Forgets all records, behaviours and counters, and restores the default TTL. */
  public void reset() {
    synchronized (lock) {
      records.clear();
      behaviours.clear();
      ttl = DEFAULT_TTL;
      counters.clear();
    }
  }

  /** Stops the threads and closes the sockets, including open TCP connections. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : connections) {
      closeQuietly(s);
    }
    for (Thread t : threads) {
      if (t != Thread.currentThread()) {
        try {
          t.join(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "DnsTestServer[" + address.getHostString() + ":" + port() + "]";
  }

  // ---------------------------------------------------------------- registration helpers

  private void add(Record record) {
    List<Record> list =
        records
            .computeIfAbsent(record.getName(), n -> new LinkedHashMap<>())
            .computeIfAbsent(record.getType(), t -> new ArrayList<>());
    // Record.equals ignores the TTL; a duplicate would be collapsed by any RRset anyway.
    if (!list.contains(record)) {
      list.add(record);
    }
  }

  private static Name name(String s) {
    try {
      return Name.fromString(s, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad DNS name: " + s, e);
    }
  }

  private static InetAddress literal(String ip, int expectedLength) {
    // Only literals: never touch a real resolver.
    boolean looksLiteral =
        expectedLength == 4 ? ip.matches("[0-9.]+") : ip.contains(":") && ip.matches("[0-9a-fA-F:.]+");
    if (!looksLiteral) {
      throw new IllegalArgumentException("not an IPv" + (expectedLength == 4 ? 4 : 6) + " literal: " + ip);
    }
    try {
      InetAddress addr = InetAddress.getByName(ip);
      byte[] bytes = addr.getAddress();
      if (bytes.length == expectedLength) {
        return addr;
      }
      if (expectedLength == 16 && bytes.length == 4) {
        // "::ffff:1.2.3.4" collapses to an Inet4Address; keep it as a 16-byte address.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return InetAddress.getByAddress(mapped);
      }
      throw new IllegalArgumentException("wrong address family: " + ip);
    } catch (IOException e) {
      throw new IllegalArgumentException("bad address literal: " + ip, e);
    }
  }

  // ---------------------------------------------------------------- serving

  private void startThreads() {
    Thread udpThread = daemon(this::serveUdp, "dns-test-udp-" + port());
    Thread tcpThread = daemon(this::acceptTcp, "dns-test-tcp-" + port());
    udpThread.start();
    tcpThread.start();
  }

  private Thread daemon(Runnable body, String threadName) {
    Thread t = new Thread(body, threadName);
    t.setDaemon(true);
    threads.add(t);
    return t;
  }

  private void serveUdp() {
    byte[] buffer = new byte[MAX_UDP_PACKET];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      byte[] in = new byte[packet.getLength()];
      System.arraycopy(packet.getData(), packet.getOffset(), in, 0, in.length);
      try {
        byte[] out = answer(in, true);
        if (out != null) {
          udp.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        // A broken query or a failed send must not stop the server.
      }
    }
  }

  private void acceptTcp() {
    while (!closed) {
      Socket socket;
      try {
        socket = tcp.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      connections.add(socket);
      if (closed) {
        closeQuietly(socket);
        return;
      }
      threads.removeIf(t -> !t.isAlive() && t.getState() == Thread.State.TERMINATED);
      daemon(() -> serveTcp(socket), "dns-test-tcp-conn-" + port()).start();
    }
  }

  private void serveTcp(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException e) {
          return;
        }
        byte[] query = new byte[length];
        in.readFully(query);
        byte[] response;
        try {
          response = answer(query, false);
        } catch (RuntimeException e) {
          response = null;
        }
        if (response == null) {
          continue; // silent name, or unparseable: keep the connection, say nothing
        }
        byte[] frame = new byte[response.length + 2];
        frame[0] = (byte) (response.length >>> 8);
        frame[1] = (byte) response.length;
        System.arraycopy(response, 0, frame, 2, response.length);
        out.write(frame);
        out.flush();
      }
    } catch (SocketException | EOFException e) {
      // peer went away or we are closing
    } catch (IOException e) {
      // same: nothing useful to do in a test server
    } finally {
      connections.remove(socket);
    }
  }

  /**
   * Builds the wire-format response to one wire-format query, or returns null when nothing must be
   * sent (silent name, or a query too broken to answer).
   */
  private byte[] answer(byte[] wire, boolean udpTransport) {
    Message query;
    try {
      query = new Message(wire);
    } catch (IOException e) {
      return formErr(wire);
    }
    Header queryHeader = query.getHeader();
    if (queryHeader.getFlag(Flags.QR)) {
      return null; // a response, not a query: ignore
    }

    Message response = new Message(queryHeader.getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    header.setOpcode(queryHeader.getOpcode());
    if (queryHeader.getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }

    OPTRecord queryOpt = query.getOPT();
    int udpLimit = PLAIN_UDP_LIMIT;
    if (queryOpt != null) {
      udpLimit = Math.max(PLAIN_UDP_LIMIT, queryOpt.getPayloadSize());
      response.addRecord(new OPTRecord(OUR_EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
    }

    Record question = query.getQuestion();
    if (queryHeader.getOpcode() != Opcode.QUERY) {
      if (question != null) {
        response.addRecord(question, Section.QUESTION);
      }
      header.setRcode(Rcode.NOTIMP);
      return toWire(response, udpTransport, udpLimit);
    }
    if (question == null) {
      header.setRcode(Rcode.FORMERR);
      return toWire(response, udpTransport, udpLimit);
    }
    response.addRecord(question, Section.QUESTION);

    Name qname = question.getName();
    int qtype = question.getType();
    counters.computeIfAbsent(new Key(qname, qtype), k -> new AtomicInteger()).incrementAndGet();

    Behaviour behaviour;
    List<Record> answers = new ArrayList<>();
    boolean exists;
    long soaTtl;
    synchronized (lock) {
      behaviour = behaviours.get(qname);
      Map<Integer, List<Record>> byType = records.get(qname);
      exists = behaviour != null || (byType != null && !byType.isEmpty());
      if (byType != null) {
        if (qtype == Type.ANY) {
          byType.values().forEach(answers::addAll);
        } else {
          answers.addAll(byType.getOrDefault(qtype, List.of()));
        }
      }
      soaTtl = ttl;
    }

    if (behaviour == Behaviour.SILENT) {
      return null;
    }
    if (behaviour == Behaviour.SERVFAIL) {
      header.setRcode(Rcode.SERVFAIL);
      return toWire(response, udpTransport, udpLimit);
    }

    header.setFlag(Flags.AA);
    if (!exists) {
      header.setRcode(Rcode.NXDOMAIN);
      response.addRecord(soa(qname, soaTtl), Section.AUTHORITY);
    } else if (answers.isEmpty()) {
      header.setRcode(Rcode.NOERROR);
      response.addRecord(soa(qname, soaTtl), Section.AUTHORITY);
    } else {
      header.setRcode(Rcode.NOERROR);
      for (Record r : answers) {
        response.addRecord(r, Section.ANSWER);
      }
    }
    return toWire(response, udpTransport, udpLimit);
  }

  private static byte[] toWire(Message response, boolean udpTransport, int udpLimit) {
    byte[] full = response.toWire();
    if (!udpTransport) {
      return full.length <= 65_535 ? full : response.toWire(65_535);
    }
    if (full.length <= udpLimit) {
      return full;
    }
    // dnsjava drops whole records that do not fit and sets TC.
    byte[] truncated = response.toWire(udpLimit);
    Message check;
    try {
      check = new Message(truncated);
    } catch (IOException e) {
      check = null;
    }
    if (check != null && check.getHeader().getFlag(Flags.TC)) {
      return truncated;
    }
    // Belt and braces: header + question only, TC set.
    Message minimal = new Message(response.getHeader().getID());
    Header h = minimal.getHeader();
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD}) {
      if (response.getHeader().getFlag(flag)) {
        h.setFlag(flag);
      }
    }
    h.setFlag(Flags.TC);
    h.setRcode(response.getHeader().getRcode());
    if (response.getQuestion() != null) {
      minimal.addRecord(response.getQuestion(), Section.QUESTION);
    }
    return minimal.toWire();
  }

  /** FORMERR for a query whose header can be read but whose body cannot; null if even that fails. */
  private static byte[] formErr(byte[] wire) {
    if (wire.length < Header.LENGTH) {
      return null;
    }
    int id = ((wire[0] & 0xff) << 8) | (wire[1] & 0xff);
    boolean isResponse = (wire[2] & 0x80) != 0;
    if (isResponse) {
      return null;
    }
    Message response = new Message(id);
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setRcode(Rcode.FORMERR);
    return response.toWire();
  }

  private static SOARecord soa(Name qname, long ttl) {
    Name zone = zoneOf(qname);
    try {
      Name mname = Name.concatenate(Name.fromConstantString("ns"), zone);
      Name rname = Name.concatenate(Name.fromConstantString("hostmaster"), zone);
      return new SOARecord(zone, DClass.IN, ttl, mname, rname, 1, 3600, 600, 86_400, ttl);
    } catch (Exception e) {
      // Names too long to prefix: fall back to the zone itself.
      return new SOARecord(zone, DClass.IN, ttl, zone, zone, 1, 3600, 600, 86_400, ttl);
    }
  }

  private static Name zoneOf(Name qname) {
    int labels = qname.labels(); // includes the root label
    if (labels <= 3) {
      return qname;
    }
    return new Name(qname, labels - 3);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}

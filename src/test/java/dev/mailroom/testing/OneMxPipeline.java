package dev.mailroom.testing;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The smallest whole world for a pipeline test: a DNS server saying example.org's mail goes to
 * mx.example.org at 127.0.0.2, an SMTP server there, and a {@link PipelineHarness} on the emulators.
 */
public final class OneMxPipeline implements AutoCloseable {

    private static final String MX_ADDRESS = "127.0.0.2";

    private final DnsTestServer dns;
    private SmtpTestServer mx;
    private final PipelineHarness pipeline;

    private OneMxPipeline(DnsTestServer dns, SmtpTestServer mx, PipelineHarness pipeline) {
        this.dns = dns;
        this.mx = mx;
        this.pipeline = pipeline;
    }

    /**
     * @param server how the SMTP server behaves (its address is set here)
     * @param env    environment overrides for the pipeline, as for {@link PipelineHarness}
     */
    public static OneMxPipeline start(UnaryOperator<SmtpTestServerBuilder> server, Map<String, String> env) {
        DnsTestServer dns = DnsTestServer.start();
        dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", MX_ADDRESS);
        SmtpTestServer mx = server.apply(SmtpTestServer.builder()).bind(MX_ADDRESS).start();
        return new OneMxPipeline(dns, mx, new PipelineHarness(dns, mx.port(), env));
    }

    /** @param server a server builder set up by the test (its address is set here) */
    public static OneMxPipeline start(SmtpTestServerBuilder server, Map<String, String> env) {
        return start(builder -> server, env);
    }

    public static OneMxPipeline start() {
        return start(server -> server, Map.of());
    }

    public DnsTestServer dns() {
        return dns;
    }

    public SmtpTestServer mx() {
        return mx;
    }

    public PipelineHarness pipeline() {
        return pipeline;
    }

    /** Replaces the SMTP server by one that behaves as {@code server} says, on the same address and port. */
    public SmtpTestServer replaceMx(UnaryOperator<SmtpTestServerBuilder> server) {
        int port = mx.port();
        mx.close();
        mx = server.apply(SmtpTestServer.builder()).bind(MX_ADDRESS).port(port).start();
        return mx;
    }

    @Override
    public void close() {
        pipeline.close();
        mx.close();
        dns.close();
    }
}

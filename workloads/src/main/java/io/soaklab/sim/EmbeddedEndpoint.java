package io.soaklab.sim;

import io.soaklab.internal.sim.TruthLine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;

/**
 * soaklab's own model endpoint: a real HTTP server (Netty) speaking OpenAI Chat Completions and
 * Anthropic Messages, streamed or whole, on the model of a production API that a {@link SimConfig}
 * describes: batch slots and a queue, prefix caching, rate limits, faults and drift. It can write
 * what it planned and did for every request to a truth log ({@code sim-truth.jsonl}), so that
 * soaklab's measurements can be checked against it. Users run their first soak against it; every
 * test runs against it.
 *
 * <pre>{@code
 * try (EmbeddedEndpoint endpoint = EmbeddedEndpoint.start(SimProfiles.get("self-hosted").build())) {
 *     URI api = endpoint.baseUrl(); // http://127.0.0.1:PORT/v1
 * }
 * }</pre>
 */
public final class EmbeddedEndpoint implements AutoCloseable {

    /** The truth log's file name in a run folder. */
    public static final String TRUTH_FILE = io.soaklab.internal.layout.RunFile.SIM_TRUTH.fileName();

    private static final int MAX_REQUEST_BYTES = 64 << 20;

    private final SimConfig config;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup("soaklab-sim", GlobalEventExecutor.INSTANCE);
    private final Engine engine;
    private final EndpointStats stats;
    private final TruthLog truth;
    private final int port;

    private EmbeddedEndpoint(SimConfig config, Path truthFile) throws java.io.IOException {
        this.config = config;
        this.truth = truthFile == null ? null : new TruthLog(truthFile);
        this.engine = new Engine(config, truth);
        this.stats = engine.stats;
        this.acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("soaklab-sim-accept", true), NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("soaklab-sim", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new SimHandler(engine));
                    }
                });
        try {
            this.server = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) {
            shutdown();
            if (truth != null) {
                truth.close();
            }
            String why = e instanceof BindException || e.getCause() instanceof BindException ? "address in use or not available" : e.toString();
            throw new UncheckedIOException(new BindException("cannot listen on " + config.host() + ":" + config.port() + ": " + why));
        }
        this.port = ((InetSocketAddress) server.localAddress()).getPort();
        // Load waves free and take slots as time passes, not only when a reply ends.
        workers.next().scheduleAtFixedRate(() -> engine.slots.pump(System.nanoTime()), 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Starts an endpoint; it serves until {@link #close()}. */
    public static EmbeddedEndpoint start(SimConfig config) {
        return start(config, null);
    }

    /**
     * Starts an endpoint that writes its truth log to {@code truthFile} (appending).
     *
     * @throws UncheckedIOException when the port cannot be bound or the file cannot be opened
     */
    public static EmbeddedEndpoint start(SimConfig config, Path truthFile) {
        try {
            return new EmbeddedEndpoint(config, truthFile);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("cannot open the truth log " + truthFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts an endpoint that writes its truth log into run folder {@code dir} ({@code sim-truth.jsonl}, appending).
     *
     * @throws UncheckedIOException when the port cannot be bound or the file cannot be opened
     */
    public static EmbeddedEndpoint startIn(SimConfig config, Path dir) {
        return start(config, TruthLine.in(dir));
    }

    /** The API root, e.g. {@code http://127.0.0.1:41234/v1}. */
    public URI baseUrl() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + host + ":" + port + "/v1");
    }

    public int port() {
        return port;
    }

    public SimConfig config() {
        return config;
    }

    /** Requests received, valid or not. */
    public long requests() {
        return stats.requests.sum();
    }

    /** Replies being generated now. */
    public int activeStreams() {
        return stats.active.get();
    }

    /** Most replies ever in flight at once. */
    public int peakActiveStreams() {
        return stats.peakActive.get();
    }

    /** Replies sent to the end. */
    public long completedStreams() {
        return stats.completed.sum();
    }

    /** Replies stopped because the client went away. */
    public long abandonedStreams() {
        return stats.abandoned.sum();
    }

    /** Output tokens sent. */
    public long tokensSent() {
        return stats.tokens.sum();
    }

    /** Requests refused (rate limits, bad requests, injected HTTP errors...). */
    public long rejected() {
        return stats.rejected.sum();
    }

    /** How often an outcome or fault happened: {@code rate_limited}, {@code reset}, {@code stall}, ... */
    public long count(String outcomeOrFault) {
        return stats.counted(outcomeOrFault);
    }

    /** Replies decoding now, and waiting for a slot. */
    public int decoding() {
        return engine.slots.used();
    }

    public int queued() {
        return engine.slots.waiting();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        // Replies still playing end where they are, so that the truth log accounts for every request.
        // (Before the event loops stop: stopping closes their connections first, and that would read as clients leaving.)
        java.util.List<io.netty.util.concurrent.Future<?>> ended = new java.util.ArrayList<>();
        for (Reply reply : engine.live) {
            ended.add(reply.shutdown());
        }
        ended.forEach(f -> f.awaitUninterruptibly(1, TimeUnit.SECONDS));
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS); // clients see the server go, not a silent socket
        shutdown();
        if (truth != null) {
            truth.close();
        }
    }

    private void shutdown() {
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        engine.housekeeping.shutdownNow();
    }
}

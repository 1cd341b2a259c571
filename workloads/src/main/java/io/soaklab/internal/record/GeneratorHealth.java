package io.soaklab.internal.record;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The load generator's own health, window by window: time its garbage collectors took, the CPU
 * its process used (a share of every core) and the machine's, heap in use, live threads. Read
 * from the JVM's management beans at each window's close; a window where the generator was short
 * of CPU or paused for GC measured the generator as much as the endpoint. Its pauses are measured
 * directly ({@link Hiccups}): how late a thread that asks to wake every millisecond wakes.
 */
final class GeneratorHealth implements AutoCloseable {

    /**
     * One window's figures.
     *
     * @param gcMillis  collection time of every collector in the window (for G1, Parallel and
     *                  Serial: their stop-the-world pauses)
     * @param gcCount   collections in the window
     * @param cpu       the process's CPU time over the window's wall time and every core, 0..1;
     *                  -1 when the JVM cannot tell
     * @param systemCpu the whole machine's recent CPU load, 0..1; -1 when unknown
     * @param heapBytes heap in use at the window's close
     * @param threads   live threads
     * @param pauseP99Micros how late, at P99, a thread asking to wake every millisecond woke in the window (GC, safepoints, CPU
     *                       given to others); -1 when not measured
     * @param pauseMaxMicros the longest such delay
     * @param silenceMicros  the longest time in the window that replies were streaming and no byte arrived; -1 when not watched
     */
    record Sample(long gcMillis, long gcCount, double cpu, double systemCpu, long heapBytes, int threads, long pauseP99Micros,
                  long pauseMaxMicros, long silenceMicros) {
    }

    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final int cores = Runtime.getRuntime().availableProcessors();
    private long gcMillis;
    private long gcCount;
    private long cpuNanos;
    private long wallNanos;
    private final Hiccups hiccups = new Hiccups();

    GeneratorHealth() {
        sample(); // the first window starts from here
    }

    @Override
    public void close() {
        hiccups.close();
    }

    /** Watches {@code client}'s calls for the endpoint's silences. */
    void watch(io.soaklab.protocol.ModelClient client) {
        hiccups.silence().watch(client);
    }

    /** The figures since the previous sample. Called by one thread at a time (the one writing the histogram log). */
    Sample sample() {
        long time = 0;
        long count = 0;
        for (GarbageCollectorMXBean gc : collectors) {
            time += Math.max(0, gc.getCollectionTime());
            count += Math.max(0, gc.getCollectionCount());
        }
        long cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        double system = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getCpuLoad() : -1;
        long wall = System.nanoTime();
        double share = cpu < 0 || wallNanos == 0 || wall == wallNanos ? -1 : (double) (cpu - cpuNanos) / ((wall - wallNanos) * (double) cores);
        org.HdrHistogram.Histogram pauses = hiccups.interval();
        boolean measured = pauses.getTotalCount() > 0;
        Sample s = new Sample(time - gcMillis, count - gcCount, share < 0 ? -1 : Math.min(1, share), system < 0 ? -1 : system,
                memory.getHeapMemoryUsage().getUsed(), threads.getThreadCount(), measured ? pauses.getValueAtPercentile(99) : -1,
                measured ? pauses.getMaxValue() : -1, hiccups.silence().takeLongestMicros());
        gcMillis = time;
        gcCount = count;
        cpuNanos = cpu;
        wallNanos = wall;
        return s;
    }
}

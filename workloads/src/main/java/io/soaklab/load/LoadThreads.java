package io.soaklab.load;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The threads episodes run on. soaklab compiles for Java 17; on a Java 21 or later runtime the
 * episodes run on virtual threads, so an episode waiting for its model call, its tool time or its
 * next intended start holds no platform thread, and 10,000 users cost heap, not 10,000 stacks. On
 * Java 17 they are platform threads with a small stack (an episode's code is shallow; its calls'
 * I/O runs on the HTTP client's event loops). Either way every timing is taken from the intended
 * start, so the kind of thread never changes what is measured, only what it costs.
 */
final class LoadThreads {

    /** The stack of a platform episode thread: enough for a scenario, its JSON and its recorder, a quarter of the default. */
    static final long PLATFORM_STACK_BYTES = 256 * 1024;

    /** {@code Thread.ofVirtual()} and {@code Thread.Builder.unstarted(Runnable)}, or null before Java 21. */
    private static final MethodHandle OF_VIRTUAL;
    private static final MethodHandle UNSTARTED;
    private static final MethodHandle NAME;

    static {
        MethodHandle ofVirtual = null;
        MethodHandle unstarted = null;
        MethodHandle name = null;
        if (!Boolean.getBoolean("soaklab.platformThreads")) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> builder = Class.forName("java.lang.Thread$Builder");
                Class<?> ofVirtualType = Class.forName("java.lang.Thread$Builder$OfVirtual");
                ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualType));
                unstarted = lookup.findVirtual(builder, "unstarted", MethodType.methodType(Thread.class, Runnable.class));
                name = lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class));
            } catch (ReflectiveOperationException | LinkageError before21) {
                ofVirtual = null;
            }
        }
        OF_VIRTUAL = ofVirtual;
        UNSTARTED = unstarted;
        NAME = name;
    }

    private LoadThreads() {
    }

    /** True when episodes run on virtual threads (Java 21 or later, unless {@code -Dsoaklab.platformThreads=true}). */
    static boolean virtual() {
        return OF_VIRTUAL != null;
    }

    /** A new, unstarted episode thread named {@code name}: virtual where the runtime has them, else a daemon with a small stack. */
    static Thread create(String name, Runnable task) {
        if (OF_VIRTUAL != null) {
            try {
                Object builder = NAME.invoke(OF_VIRTUAL.invoke(), name);
                return (Thread) UNSTARTED.invoke(builder, task);
            } catch (Throwable unexpected) {
                throw new IllegalStateException("cannot make a virtual thread", unexpected);
            }
        }
        Thread t = new Thread(null, task, name, PLATFORM_STACK_BYTES);
        t.setDaemon(true);
        return t;
    }

    /** How episodes run here, in a few words, for the run's description. */
    static String describe() {
        return virtual() ? "virtual threads" : "platform threads";
    }
}

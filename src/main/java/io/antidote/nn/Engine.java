package io.antidote.nn;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads libtorch once per JVM and owns process-wide engine state: threads, seeding, device.
 */
public final class Engine {
    private static volatile boolean loaded;
    private static String version = "unknown";

    private Engine() {}

    /** Extracts the bundled natives before loading them, so a system libtorch can never be picked up beside ours. */
    public static synchronized void init() {
        if (loaded) return;
        try {
            Loader.cacheResources(torch.class, Loader.getPlatform());
        } catch (Exception e) {
            // cacheResources only pre-extracts; Loader.load below extracts what is still missing
        }
        Loader.load(torch.class);
        String threads = System.getenv("ANTIDOTE_THREADS");
        int n = threads != null ? Integer.parseInt(threads) : Runtime.getRuntime().availableProcessors();
        torch.set_num_threads(Math.max(1, n));
        Package p = torch.class.getPackage();
        version = "pytorch " + (p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "2.10.0-1.5.13");
        loaded = true;
    }

    /** Seeds libtorch's generator (weight init, dropout); Java-side randomness is seeded by its owners. */
    public static void seed(long seed) {
        init();
        torch.manual_seed(seed);
    }

    public static String version() {
        init();
        return version;
    }

    public static boolean cudaAvailable() {
        init();
        try {
            return torch.cuda_is_available();
        } catch (Throwable t) {
            return false;
        }
    }

    public static String device() {
        return cudaAvailable() ? "cuda" : "cpu";
    }

    public static int threads() {
        init();
        return torch.get_num_threads();
    }
}

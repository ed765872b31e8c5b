package io.antidote.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Default locations of downloaded data sets, so commands work without a path argument. */
public final class DataPaths {
    /** Environment variable that overrides the data location. */
    public static final String ENV = "ANTIDOTE_DATA";

    private DataPaths() {}

    /**
     * The data root: $ANTIDOTE_DATA when set and non-empty, else ~/.cache/antidote.
     */
    public static Path root() {
        return root(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Where CIFAR-10 is looked for by default. ANTIDOTE_DATA may name either the
     * cifar-10-batches-bin directory itself or a root that holds it; both are honoured because
     * users set it both ways. Without it: ~/.cache/antidote/cifar-10-batches-bin.
     */
    public static Path cifar10() {
        return cifar10(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static Path root(Map<String, String> env, Path home) {
        String v = env.get(ENV);
        if (v != null && !v.isBlank()) return Path.of(v);
        return home.resolve(".cache").resolve("antidote");
    }

    static Path cifar10(Map<String, String> env, Path home) {
        String v = env.get(ENV);
        if (v != null && !v.isBlank()) {
            Path p = Path.of(v);
            if (Files.isRegularFile(p.resolve("data_batch_1.bin")) || Files.isRegularFile(p.resolve("test_batch.bin"))
                    || Files.isRegularFile(p)) {
                return p;
            }
            return p.resolve("cifar-10-batches-bin");
        }
        return root(env, home).resolve("cifar-10-batches-bin");
    }
}

package io.antidote.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DataPathsTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsUnderTheUserCache() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/home/u/.cache/antidote/cifar-10-batches-bin"), DataPaths.cifar10(Map.of(), home));
        assertEquals(Path.of("/home/u/.cache/antidote"), DataPaths.root(Map.of("ANTIDOTE_DATA", " "), home));
    }

    @Test
    void environmentMayNameTheRootOrTheCifarDirectory() throws IOException {
        Path home = Path.of("/home/u");
        assertEquals(tmp.resolve("cifar-10-batches-bin"), DataPaths.cifar10(Map.of("ANTIDOTE_DATA", tmp.toString()), home));
        Path direct = Files.createDirectories(tmp.resolve("mine"));
        Files.write(direct.resolve("data_batch_1.bin"), new byte[3073]);
        assertEquals(direct, DataPaths.cifar10(Map.of("ANTIDOTE_DATA", direct.toString()), home));
    }
}

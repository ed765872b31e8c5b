package io.antidote.nn;

import io.antidote.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two resources were written by PyTorch 1.13: legacy.pth by torch.save(checkpoint,
 * _use_new_zipfile_serialization=False) with the state dict under 'state_dict', zip.pt by
 * torch.save(state_dict). Both hold a transposed view and a view at a storage offset.
 */
class TorchCheckpointTest {
    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TorchCheckpointTest.class.getResource("/io/antidote/torch/" + name).toURI());
    }

    private static float[] floats(TensorData t) {
        return t.floats();
    }

    private static void assertTheStateDict(Map<String, TensorData> sd) {
        assertEquals(List.of("conv.weight", "fc.weight", "bn.num_batches_tracked", "half", "view"), List.copyOf(sd.keySet()));
        TensorData w = sd.get("conv.weight");
        assertArrayEquals(new long[]{2, 3, 4}, w.shape());
        float[] expected = new float[24];
        for (int i = 0; i < 24; i++) expected[i] = i / 8f;
        assertArrayEquals(expected, floats(w));
        // torch.arange(6).reshape(2, 3).t(): strides (1, 3), copied out row-major
        assertArrayEquals(new long[]{3, 2}, sd.get("fc.weight").shape());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, floats(sd.get("fc.weight")));
        TensorData n = sd.get("bn.num_batches_tracked");
        assertEquals("I64", n.dtype());
        assertArrayEquals(new long[0], n.shape());
        assertEquals(7L, ByteBuffer.wrap(n.data()).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals("F16", sd.get("half").dtype());
        assertArrayEquals(new byte[]{0x00, 0x3e, 0x00, (byte) 0xc0}, sd.get("half").data()); // 1.5, -2.0
        assertArrayEquals(new float[]{2, 3, 4, 5}, floats(sd.get("view")));   // arange(10)[2:6]
    }

    @Test
    void theLegacyStreamAndTheZipArchiveGiveTheSameTensors() throws Exception {
        assertTheStateDict(TorchCheckpoint.read(resource("legacy.pth")));
        assertTheStateDict(TorchCheckpoint.read(resource("zip.pt")));
    }

    @Test
    void aModelLoadsTorchFilesThroughTheSameNameChecksAsSafetensors() throws Exception {
        try (Model m = Model.create("wrn-10-1", 10, 1, Precision.FP32)) {
            BadInputException e = assertThrows(BadInputException.class, () -> m.load(resource("legacy.pth")));
            assertEquals(resource("legacy.pth") + ": weights lack tensor 'conv1.weight' of model 'wrn-10-1'", e.getMessage());
        }
    }

    @Test
    void aDamagedFileIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        byte[] legacy = Files.readAllBytes(resource("legacy.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(legacy, legacy.length - 10));
        BadInputException e = assertThrows(BadInputException.class, () -> TorchCheckpoint.read(cut));
        assertTrue(e.getMessage().startsWith(cut + ": storage ") && e.getMessage().endsWith("does not fit the file"), e.getMessage());
        Path text = dir.resolve("notes.pt");
        Files.writeString(text, "PK\u0003\u0004 not really a zip");
        e = assertThrows(BadInputException.class, () -> TorchCheckpoint.read(text));
        assertTrue(e.getMessage().startsWith(text + ": not a readable zip"), e.getMessage());
    }
}

package io.antidote.train;

import io.antidote.BadInputException;
import io.antidote.nn.SafeTensors;
import io.antidote.nn.TensorData;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class WeightAverageTest {
    private static TensorData count(long n) {
        return new TensorData("I64", new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
    }

    private static SafeTensors.Contents weights(float[] w, long batches, String mean) {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("fc.weight", TensorData.ofFloats(w, 2, 2));
        t.put("bn.num_batches_tracked", count(batches));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("antidote.arch", "wrn-16-1");
        if (mean != null) meta.put("antidote.input_mean", mean);
        return new SafeTensors.Contents(t, meta);
    }

    private static final List<Path> FILES = List.of(Path.of("e1.safetensors"), Path.of("e2.safetensors"), Path.of("e3.safetensors"));

    @Test
    void floatsAreAveragedAndCountersComeFromTheLastFile() {
        SafeTensors.Contents avg = WeightAverage.average(FILES, List.of(
                weights(new float[]{1, 2, 3, 4}, 10, "0.5"), weights(new float[]{2, 2, 0, -4}, 20, null), weights(new float[]{3, 2.5f, 6, 0.1f}, 30, "0.5")));
        assertArrayEquals(new float[]{2, 6.5f / 3, 3, 0.1f / 3}, avg.tensors().get("fc.weight").floats());
        assertArrayEquals(new long[]{2, 2}, avg.tensors().get("fc.weight").shape());
        assertEquals(count(30), avg.tensors().get("bn.num_batches_tracked"));
        assertEquals("0.5", avg.metadata().get("antidote.input_mean"), "a file without the normalisation takes the others'");
        assertEquals("wrn-16-1", avg.metadata().get("antidote.arch"));
        assertEquals("e1.safetensors,e2.safetensors,e3.safetensors", avg.metadata().get("antidote.averaged_from"));
    }

    @Test
    void filesOfDifferentNetworksOrNormalisationsAreRefusedByName() {
        SafeTensors.Contents a = weights(new float[]{1, 2, 3, 4}, 1, "0.5");
        Map<String, TensorData> wide = new LinkedHashMap<>(a.tensors());
        wide.put("fc.weight", TensorData.ofFloats(new float[6], 2, 3));
        BadInputException shape = assertThrows(BadInputException.class,
                () -> WeightAverage.average(FILES.subList(0, 2), List.of(a, new SafeTensors.Contents(wide, Map.of()))));
        assertEquals("e2.safetensors: tensor 'fc.weight' is F32[2, 3], in e1.safetensors it is F32[2, 2]", shape.getMessage());

        Map<String, TensorData> more = new LinkedHashMap<>(a.tensors());
        more.put("extra.bias", TensorData.ofFloats(new float[1], 1));
        BadInputException extra = assertThrows(BadInputException.class,
                () -> WeightAverage.average(FILES.subList(0, 2), List.of(a, new SafeTensors.Contents(more, Map.of()))));
        assertEquals("e2.safetensors: tensor 'extra.bias' is not in e1.safetensors", extra.getMessage());

        BadInputException norm = assertThrows(BadInputException.class,
                () -> WeightAverage.average(FILES.subList(0, 2), List.of(a, weights(new float[4], 1, "0.4"))));
        assertEquals("e2.safetensors: metadata antidote.input_mean is '0.4', an earlier file has '0.5'", norm.getMessage());

        Map<String, TensorData> half = Map.of("fc.weight", new TensorData("F16", new long[]{2}, new byte[4]));
        BadInputException f16 = assertThrows(BadInputException.class, () -> WeightAverage.average(FILES.subList(0, 2),
                List.of(new SafeTensors.Contents(half, Map.of()), new SafeTensors.Contents(half, Map.of()))));
        assertEquals("e1.safetensors: tensor 'fc.weight' is F16; only F32 weights can be averaged", f16.getMessage());
    }
}

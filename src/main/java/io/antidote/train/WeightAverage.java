package io.antidote.train;

import io.antidote.BadInputException;
import io.antidote.nn.SafeTensors;
import io.antidote.nn.TensorData;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The uniform average of several weights files of one network (stochastic weight averaging over epochs, or a
 * model soup): float tensors averaged element by element, integer counters taken from the last file.
 */
public final class WeightAverage {
    private WeightAverage() {}

    /** Metadata that states what function the weights compute, so the files must agree on it where they carry it. */
    private static final List<String> MUST_AGREE = List.of("antidote.arch", "antidote.classes", "antidote.input_mean", "antidote.input_std");

    /** Averages `weights`, read from `files` (same order; the names go into errors and the output's metadata). */
    public static SafeTensors.Contents average(List<Path> files, List<SafeTensors.Contents> weights) {
        if (files.size() != weights.size() || files.isEmpty()) throw new IllegalArgumentException("one or more files, each with its weights");
        Path first = files.get(0);
        Map<String, TensorData> ref = weights.get(0).tensors();
        Map<String, String> meta = new LinkedHashMap<>();
        for (int f = 0; f < files.size(); f++) {
            Map<String, TensorData> t = weights.get(f).tensors();
            for (String k : t.keySet()) {
                if (!ref.containsKey(k)) throw new BadInputException(files.get(f) + ": tensor '" + k + "' is not in " + first);
            }
            for (Map.Entry<String, TensorData> e : ref.entrySet()) {
                TensorData d = t.get(e.getKey());
                if (d == null) throw new BadInputException(files.get(f) + ": lacks tensor '" + e.getKey() + "' of " + first);
                if (!d.dtype().equals(e.getValue().dtype()) || !Arrays.equals(d.shape(), e.getValue().shape())) {
                    throw new BadInputException(files.get(f) + ": tensor '" + e.getKey() + "' is " + d + ", in " + first + " it is " + e.getValue());
                }
            }
            for (String k : MUST_AGREE) {
                String v = weights.get(f).metadata().get(k);
                if (v == null) continue;
                String seen = meta.putIfAbsent(k, v);
                if (seen != null && !seen.equals(v)) {
                    throw new BadInputException(files.get(f) + ": metadata " + k + " is '" + v + "', an earlier file has '" + seen + "'");
                }
            }
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : ref.entrySet()) {
            String k = e.getKey();
            TensorData last = weights.get(weights.size() - 1).tensors().get(k);
            switch (e.getValue().dtype()) {
                case "F32" -> {
                    double[] sum = new double[(int) e.getValue().numel()];
                    for (SafeTensors.Contents w : weights) {
                        float[] v = w.tensors().get(k).floats();
                        for (int i = 0; i < v.length; i++) sum[i] += v[i];
                    }
                    float[] mean = new float[sum.length];
                    for (int i = 0; i < sum.length; i++) mean[i] = (float) (sum[i] / weights.size());
                    out.put(k, TensorData.ofFloats(mean, e.getValue().shape()));
                }
                // batch norm's num_batches_tracked: a count, not a value to average
                case "I64", "I32", "U8", "BOOL" -> out.put(k, last);
                default -> throw new BadInputException(first + ": tensor '" + k + "' is " + e.getValue().dtype() + "; only F32 weights can be averaged");
            }
        }
        meta.put("antidote.averaged_from", String.join(",", files.stream().map(Path::toString).toList()));
        return new SafeTensors.Contents(out, meta);
    }
}

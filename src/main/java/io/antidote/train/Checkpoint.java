package io.antidote.train;

import io.antidote.BadInputException;
import io.antidote.nn.Model;
import io.antidote.nn.Optimizer;
import io.antidote.nn.SafeTensors;
import io.antidote.nn.TensorData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One file per training stage holding weights, optimiser state and the position in the run
 * (epochs done, schedule, data-order seed), written atomically after every epoch.
 */
public final class Checkpoint {
    private final Path file;

    public Checkpoint(Path file) {
        this.file = file;
    }

    public Path file() { return file; }

    public boolean exists() { return Files.isRegularFile(file); }

    /** Saves after `epochsDone` epochs; RNG streams are derived from (seed, epoch), so the seed pins them. */
    public void save(int epochsDone, Model model, Optimizer opt, TrainConfig cfg, Map<String, String> extra) {
        Map<String, TensorData> t = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> t.put(Model.CHECKPOINT_MODEL + k, v));
        opt.state().forEach((k, v) -> t.put(Model.CHECKPOINT_OPTIMIZER + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epochs_done", Integer.toString(epochsDone));
        meta.put("config", cfg.fingerprint());
        meta.put("arch", model.arch());
        meta.put("precision", model.precision().label());
        meta.put("data_order", "epoch e uses seed mix(seed, e); augmentation of sample k uses mix(epoch seed, k)");
        meta.put("learning_rate", Double.toString(opt.learningRate()));
        // so that eval and average can read the model out of a checkpoint as they read a weights file
        meta.putAll(model.weightsMetadata());
        if (extra != null) meta.putAll(extra);
        try {
            SafeTensors.write(file, t, meta);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write checkpoint", e);
        }
    }

    /** Restores model and optimiser; returns the number of epochs already done. */
    public int restore(Model model, Optimizer opt, TrainConfig cfg) {
        SafeTensors.Contents c = SafeTensors.read(file);
        String fp = c.metadata().get("config");
        if (fp != null && !fp.equals(cfg.fingerprint())) {
            throw new BadInputException(file + ": checkpoint was written with a different config (" + fp + "); start a fresh run directory");
        }
        Map<String, TensorData> m = new LinkedHashMap<>();
        Map<String, TensorData> o = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith(Model.CHECKPOINT_MODEL)) m.put(k.substring(Model.CHECKPOINT_MODEL.length()), v);
            else if (k.startsWith(Model.CHECKPOINT_OPTIMIZER)) o.put(k.substring(Model.CHECKPOINT_OPTIMIZER.length()), v);
        });
        model.loadStateDict(m, true);
        opt.loadState(o);
        return Integer.parseInt(c.metadata().getOrDefault("epochs_done", "0"));
    }

    public Map<String, String> metadata() {
        return SafeTensors.read(file).metadata();
    }
}

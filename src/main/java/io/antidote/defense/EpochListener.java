package io.antidote.defense;

import io.antidote.nn.Model;
import io.antidote.train.Trainer;

/** Receives every epoch of a post-training defense's stages (for CA/ASR records) and its notes. */
@FunctionalInterface
public interface EpochListener {
    void epoch(String stage, Trainer.EpochStats stats, Model model);

    default void note(String message) { System.out.println(message); }

    static EpochListener silent() {
        return new EpochListener() {
            @Override
            public void epoch(String stage, Trainer.EpochStats stats, Model model) {}

            @Override
            public void note(String message) {}
        };
    }
}

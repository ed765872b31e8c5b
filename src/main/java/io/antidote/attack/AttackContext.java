package io.antidote.attack;

import io.antidote.data.ImageSet;

/**
 * What an attack may need beyond its own parameters: the clean training set (Refool draws its
 * reflections from it) and the target label (so those reflections avoid the target class).
 *
 * @param cleanTrain the clean training set, or null when none is at hand
 */
public record AttackContext(ImageSet cleanTrain, int target) {
    public static final AttackContext NONE = new AttackContext(null, -1);
}

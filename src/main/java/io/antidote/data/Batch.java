package io.antidote.data;

/**
 * One training batch as prepared by {@link BatchLoader}: augmented uint8 HWC pixels, labels and the
 * positions (in the source ImageSet) the samples came from. The arrays belong to the receiver.
 *
 * @param index     batch number within the epoch, from 0
 * @param pixels    size() images of height x width x channels bytes, back to back
 * @param labels    label of each sample
 * @param positions position of each sample in the ImageSet, for provenance look-ups
 */
public record Batch(int index, byte[] pixels, int[] labels, int[] positions, int height, int width, int channels) {
    /** Number of samples in the batch. */
    public int size() {
        return labels.length;
    }
}

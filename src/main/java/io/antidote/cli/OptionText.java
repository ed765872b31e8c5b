package io.antidote.cli;

/**
 * Help texts shared by several commands' options, as constants because picocli annotations take
 * only compile-time strings; one copy keeps `defend abl --help` and `train --help` from drifting.
 */
final class OptionText {
    static final String DATA = "synthetic[:SEED[:TRAIN_SIZE:TEST_SIZE]] | poisoned:DIR (written by antidote poison) | cifar10[:DIR|TGZ]"
            + " | cifar100:DIR|TGZ | gtsrb:DIR | folder:TRAIN_DIR,TEST_DIR | npz:TRAIN.npz,TEST.npz (default: ${DEFAULT-VALUE})";
    static final String MODEL = "wrn-16-1, wrn-D-K, resnet18, preact-resnet18 (default: ${DEFAULT-VALUE})";
    static final String PRECISION = "fp32 | fp32-cl | bf16 | auto (bf16 where the CPU has AVX512-BF16/AMX, else fp32-cl: fp32 with"
            + " channels-last tensors) (default: ${DEFAULT-VALUE})";
    static final String SEED = "Seed of the model's initialisation, the batch order and the augmentation; also of the poisoning"
            + " unless --poison-seed is given (default: ${DEFAULT-VALUE}).";

    private OptionText() {}
}

package io.antidote.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Numeric mode of a run: fp32 (NCHW or channels-last), or bf16 autocast with fp32 master weights and channels-last tensors. */
public enum Precision {
    FP32,
    FP32_CHANNELS_LAST,
    BF16;

    /** Whether convolutions run under bf16 autocast. */
    public boolean autocast() {
        return this == BF16;
    }

    /** Whether weights and inputs are kept NHWC, the layout oneDNN's fast convolution kernels want. */
    public boolean channelsLast() {
        return this != FP32;
    }

    /**
     * bf16 only pays off where the CPU multiplies bf16 natively (AVX512-BF16 or AMX); elsewhere it was
     * 10x slower than fp32 (AMD EPYC with AVX2 only, 2026-12-07), and fp32 with channels-last
     * tensors 1.36x faster than fp32 in NCHW (`bench/throughput`).
     */
    public static Precision detect() {
        try {
            String flags = Files.readString(Path.of("/proc/cpuinfo"));
            if (flags.contains("avx512_bf16") || flags.contains("amx_bf16")) return BF16;
        } catch (IOException | RuntimeException e) {
            // no cpuinfo (not Linux): fall through to the safe choice
        }
        return FP32_CHANNELS_LAST;
    }

    /** The names {@link #parse} takes; experiment files check theirs against it, and the refusal lists it. */
    public static final List<String> NAMES = List.of("auto", "fp32", "fp32-cl", "bf16");

    /** Parses one of {@link #NAMES} ("default" is taken for "auto"). */
    public static Precision parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "fp32" -> FP32;
            case "fp32-cl" -> FP32_CHANNELS_LAST;
            case "bf16" -> BF16;
            case "auto", "default" -> detect();
            default -> throw new io.antidote.BadInputException("precision '" + s + "' is not one of " + String.join(", ", NAMES));
        };
    }

    public String label() {
        return switch (this) {
            case FP32 -> "fp32";
            case FP32_CHANNELS_LAST -> "fp32+channels-last";
            case BF16 -> "bf16-autocast+channels-last";
        };
    }
}

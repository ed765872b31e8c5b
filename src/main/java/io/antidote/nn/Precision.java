package io.antidote.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Numeric mode of a run: fp32, or bf16 autocast with fp32 master weights and channels-last tensors. */
public enum Precision {
    FP32,
    BF16;

    /** bf16 only pays off where the CPU multiplies bf16 natively (AVX512-BF16 or AMX); elsewhere it is slower than fp32. */
    public static Precision detect() {
        try {
            String flags = Files.readString(Path.of("/proc/cpuinfo"));
            if (flags.contains("avx512_bf16") || flags.contains("amx_bf16")) return BF16;
        } catch (IOException | RuntimeException e) {
            // no cpuinfo (not Linux): fall through to the safe choice
        }
        return FP32;
    }

    /** Parses "fp32", "bf16" or "auto". */
    public static Precision parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "fp32" -> FP32;
            case "bf16" -> BF16;
            case "auto", "default" -> detect();
            default -> throw new io.antidote.BadInputException("precision '" + s + "' is not one of fp32, bf16, auto");
        };
    }

    public String label() {
        return this == BF16 ? "bf16-autocast+channels-last" : "fp32";
    }
}

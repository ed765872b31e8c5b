package io.antidote.data;

import java.nio.file.Path;

/** Writes an ImageSet in the CIFAR-10 binary record layout so poisoned sets can be handed to other tools. */
public final class CifarWriter {
    private CifarWriter() {}

    /**
     * One 3073-byte record per sample: the label byte, then the R, G and B planes row-major. The
     * file appears complete or not at all (written beside it, then moved into place).
     */
    public static void write(ImageSet set, Path file) {
        if (set.height() != 32 || set.width() != 32 || set.channels() != 3) {
            throw Inputs.bad(file, "CIFAR records hold 32x32x3 images, " + set.name() + " has "
                    + set.height() + "x" + set.width() + "x" + set.channels());
        }
        if (set.numClasses() > 256) {
            throw Inputs.bad(file, "a CIFAR label is one byte, " + set.name() + " has " + set.numClasses() + " classes");
        }
        byte[] rec = new byte[1 + CifarReader.IMAGE_BYTES];
        byte[] img = new byte[CifarReader.IMAGE_BYTES];
        Inputs.writeAtomically(file, out -> {
            for (int i = 0; i < set.size(); i++) {
                rec[0] = (byte) set.label(i);
                set.copyImage(i, img, 0);
                for (int p = 0; p < 1024; p++) {
                    rec[1 + p] = img[p * 3];
                    rec[1 + 1024 + p] = img[p * 3 + 1];
                    rec[1 + 2048 + p] = img[p * 3 + 2];
                }
                out.write(rec);
            }
        });
    }
}

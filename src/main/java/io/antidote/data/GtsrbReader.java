package io.antidote.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the German Traffic Sign Recognition Benchmark (43 classes) from its official layout and
 * resizes every image to a square of the configured size.
 *
 * <p>Training images come from {@code Final_Training/Images/000NN/} with {@code GT-000NN.csv},
 * classes in directory order and images in CSV order; test images from
 * {@code Final_Test/Images/} with the ground-truth {@code GT-final_test.csv} (distributed
 * separately from the test images). The root may also be the directory that contains
 * {@code GTSRB/}. Class directories that are absent are simply not read, so a partial copy loads.
 */
public final class GtsrbReader {
    /** Number of traffic-sign classes. */
    public static final int NUM_CLASSES = 43;
    private static final String[] COLUMNS = {"Filename", "Width", "Height", "Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2", "ClassId"};

    private GtsrbReader() {}

    /**
     * How images are turned into samples. By default the whole image is resized, as BackdoorBench
     * does; {@code cropToRoi} first crops to the annotated sign box (Roi.X2/Roi.Y2 inclusive).
     */
    public record Options(int size, boolean cropToRoi) {
        public Options {
            if (size <= 0) throw Inputs.bad("gtsrb", "size " + size + " must be positive");
        }

        /** 32x32, whole image. */
        public static Options defaults() {
            return new Options(32, false);
        }
    }

    /** The training split with default options. */
    public static ImageSet train(Path root) {
        return read(root, true, Options.defaults());
    }

    /** The test split with default options. */
    public static ImageSet test(Path root) {
        return read(root, false, Options.defaults());
    }

    /** One split, resized as the options say. */
    public static ImageSet read(Path root, boolean train, Options options) {
        Path base = locate(root, train ? "Final_Training" : "Final_Test");
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        if (train) {
            Path imagesDir = base.resolve("Final_Training").resolve("Images");
            List<Path> classDirs;
            try (Stream<Path> s = Files.list(imagesDir)) {
                classDirs = s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("\\d{5}")).sorted().toList();
            } catch (IOException e) {
                throw Inputs.io(imagesDir, e);
            }
            if (classDirs.isEmpty()) throw Inputs.bad(imagesDir, "holds no class directories (00000 .. 00042)");
            for (Path dir : classDirs) {
                String n = dir.getFileName().toString();
                int dirClass = Integer.parseInt(n);
                if (dirClass >= NUM_CLASSES) throw Inputs.bad(dir, "class directory is outside 00000 .. 00042");
                readCsv(dir.resolve("GT-" + n + ".csv"), dir, dirClass, options, images, labels);
            }
        } else {
            Path imagesDir = base.resolve("Final_Test").resolve("Images");
            Path csv = null;
            for (Path c : new Path[]{imagesDir.resolve("GT-final_test.csv"), base.resolve("Final_Test").resolve("GT-final_test.csv"),
                    base.resolve("GT-final_test.csv")}) {
                if (Files.isRegularFile(c)) {
                    csv = c;
                    break;
                }
            }
            if (csv == null) {
                throw Inputs.bad(imagesDir.resolve("GT-final_test.csv"), "file not found (the test labels come in GTSRB_Final_Test_GT.zip;"
                        + " GT-final_test.test.csv has no ClassId column)");
            }
            readCsv(csv, imagesDir, -1, options, images, labels);
        }
        int size = options.size();
        int bytes = size * size * 3;
        byte[] pixels = new byte[Math.multiplyExact(images.size(), bytes)];
        int[] l = new int[labels.size()];
        for (int i = 0; i < l.length; i++) {
            System.arraycopy(images.get(i), 0, pixels, i * bytes, bytes);
            l[i] = labels.get(i);
        }
        return ImageSet.of(train ? "gtsrb-train" : "gtsrb-test", size, size, 3, NUM_CLASSES, pixels, l);
    }

    private static Path locate(Path root, String split) {
        if (Files.isDirectory(root.resolve(split))) return root;
        if (Files.isDirectory(root.resolve("GTSRB").resolve(split))) return root.resolve("GTSRB");
        if (!Files.isDirectory(root)) throw Inputs.bad(root, "directory not found");
        throw Inputs.bad(root, "has no " + split + " directory (nor GTSRB/" + split + ")");
    }

    /** Reads every row of one ground-truth file; {@code dirClass} >= 0 requires that ClassId. */
    private static void readCsv(Path csv, Path imagesDir, int dirClass, Options o, List<byte[]> images, List<Integer> labels) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Inputs.io(csv, e);
        }
        if (lines.isEmpty()) throw Inputs.bad(csv, "file is empty");
        String[] header = lines.get(0).replace("\uFEFF", "").trim().split(";", -1);
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.length; i++) col.put(header[i].trim(), i);
        int[] at = new int[COLUMNS.length];
        for (int k = 0; k < COLUMNS.length; k++) {
            Integer i = col.get(COLUMNS[k]);
            if (i == null) throw Inputs.bad(csv, "header lacks column " + COLUMNS[k]);
            at[k] = i;
        }
        for (int ln = 1; ln < lines.size(); ln++) {
            String line = lines.get(ln).trim();
            if (line.isEmpty()) continue;
            String where = "line " + (ln + 1);
            String[] f = line.split(";", -1);
            if (f.length < header.length) throw Inputs.bad(csv, where + " has " + f.length + " fields, expected " + header.length);
            String file = f[at[0]].trim();
            int width = integer(csv, where, COLUMNS[1], f[at[1]]);
            int height = integer(csv, where, COLUMNS[2], f[at[2]]);
            int x1 = integer(csv, where, COLUMNS[3], f[at[3]]);
            int y1 = integer(csv, where, COLUMNS[4], f[at[4]]);
            int x2 = integer(csv, where, COLUMNS[5], f[at[5]]);
            int y2 = integer(csv, where, COLUMNS[6], f[at[6]]);
            int cls = integer(csv, where, COLUMNS[7], f[at[7]]);
            if (cls < 0 || cls >= NUM_CLASSES) throw Inputs.bad(csv, where + ": ClassId " + cls + " is outside [0," + NUM_CLASSES + ")");
            if (dirClass >= 0 && cls != dirClass) {
                throw Inputs.bad(csv, where + ": ClassId " + cls + " does not match directory " + String.format("%05d", dirClass));
            }
            if (file.isEmpty() || file.contains("/") || file.contains("\\")) throw Inputs.bad(csv, where + ": bad Filename '" + file + "'");
            Path img = imagesDir.resolve(file);
            if (!Files.isRegularFile(img)) throw Inputs.bad(img, "file not found (listed on " + where + " of " + csv.getFileName() + ")");
            Ppm.Image p = Ppm.read(img);
            if (p.width() != width || p.height() != height) {
                throw Inputs.bad(img, "is " + p.width() + "x" + p.height() + " but " + where + " of " + csv.getFileName()
                        + " says " + width + "x" + height);
            }
            byte[] rgb = p.rgb();
            int h = height, w = width;
            if (o.cropToRoi()) {
                if (x1 < 0 || y1 < 0 || x2 < x1 || y2 < y1 || x2 >= width || y2 >= height) {
                    throw Inputs.bad(csv, where + ": ROI (" + x1 + "," + y1 + ")-(" + x2 + "," + y2 + ") is not inside the "
                            + width + "x" + height + " image");
                }
                rgb = crop(rgb, width, x1, y1, x2 + 1, y2 + 1);
                w = x2 + 1 - x1;
                h = y2 + 1 - y1;
            }
            images.add(Resize.bilinear(rgb, h, w, 3, o.size(), o.size()));
            labels.add(cls);
        }
    }

    private static byte[] crop(byte[] rgb, int width, int x1, int y1, int x2, int y2) {
        int w = x2 - x1;
        byte[] out = new byte[(y2 - y1) * w * 3];
        for (int y = y1; y < y2; y++) System.arraycopy(rgb, (y * width + x1) * 3, out, (y - y1) * w * 3, w * 3);
        return out;
    }

    private static int integer(Path csv, String where, String column, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw Inputs.bad(csv, where + ": " + column + " '" + value.trim() + "' is not an integer");
        }
    }
}

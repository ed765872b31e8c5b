package io.antidote.data;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads a class-per-directory image tree (root/classname/*.png|jpg|jpeg) as RGB: classes are the
 * subdirectories sorted by name, images within a class are sorted by file name.
 */
public final class ImageFolderReader {
    private ImageFolderReader() {}

    /** The class names in index order. */
    public static List<String> classes(Path root) {
        if (!Files.isDirectory(root)) throw Inputs.bad(root, "directory not found");
        try (Stream<Path> s = Files.list(root)) {
            List<String> names = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList();
            if (names.isEmpty()) throw Inputs.bad(root, "holds no class directories");
            return names;
        } catch (IOException e) {
            throw Inputs.io(root, e);
        }
    }

    /** Every image resized to 32x32. */
    public static ImageSet read(Path root) {
        return read(root, 32, 32);
    }

    /** Every image, resized (bilinear) to height x width where it differs. */
    public static ImageSet read(Path root, int height, int width) {
        if (height <= 0 || width <= 0) throw Inputs.bad(root, "target size " + height + "x" + width + " must be positive");
        List<String> classes = classes(root);
        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path dir = root.resolve(classes.get(c));
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).filter(ImageFolderReader::isImageName).sorted().toList();
            } catch (IOException e) {
                throw Inputs.io(dir, e);
            }
            if (files.isEmpty()) throw Inputs.bad(dir, "class directory holds no .png, .jpg or .jpeg images");
            for (Path f : files) {
                images.add(load(f, height, width));
                labels.add(c);
            }
        }
        int b = height * width * 3;
        byte[] pixels = new byte[Math.multiplyExact(images.size(), b)];
        int[] l = new int[labels.size()];
        for (int i = 0; i < l.length; i++) {
            System.arraycopy(images.get(i), 0, pixels, i * b, b);
            l[i] = labels.get(i);
        }
        String name = root.getFileName() == null ? "imagefolder" : root.getFileName().toString();
        return ImageSet.of(name, height, width, 3, classes.size(), pixels, l);
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    static byte[] load(Path file, int height, int width) {
        BufferedImage img;
        try (InputStream in = Files.newInputStream(file)) {
            img = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw Inputs.bad(file, "unreadable image (" + why + ")");
        }
        if (img == null) throw Inputs.bad(file, "unreadable image (no decoder recognises it)");
        byte[] rgb = toRgb(img);
        return Resize.bilinear(rgb, img.getHeight(), img.getWidth(), 3, height, width);
    }

    /**
     * HWC RGB bytes. Grey and 8-bit RGB rasters are read directly because getRGB() would pass grey
     * through a colour-space conversion and change the stored values; other models (palettes,
     * 16-bit colour) go through getRGB, which is exact for them or as good as it gets.
     */
    static byte[] toRgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        boolean indexed = cm instanceof IndexColorModel;
        int type = cm.getColorSpace().getType();
        if (!indexed && type == ColorSpace.TYPE_GRAY) {
            int shift = Math.max(0, cm.getComponentSize(0) - 8);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    byte v = (byte) (r.getSample(x, y, 0) >> shift);
                    int o = (y * w + x) * 3;
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
            }
            return out;
        }
        if (!indexed && cm.getColorSpace().isCS_sRGB() && r.getNumBands() >= 3 && cm.getComponentSize(0) == 8
                && cm.getComponentSize(1) == 8 && cm.getComponentSize(2) == 8) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    for (int ch = 0; ch < 3; ch++) out[o + ch] = (byte) r.getSample(x, y, ch);
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                int o = (y * w + x) * 3;
                out[o] = (byte) (argb >> 16);
                out[o + 1] = (byte) (argb >> 8);
                out[o + 2] = (byte) argb;
            }
        }
        return out;
    }
}

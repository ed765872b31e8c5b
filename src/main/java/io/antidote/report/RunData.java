package io.antidote.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.antidote.BadInputException;
import io.antidote.defense.Asd;
import io.antidote.defense.Mcr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A finished run directory read back for reporting: configuration, final results, per-epoch metrics, ABL's
 * isolation data, MCR's curve and ASD's pools.
 */
record RunData(Path dir, Map<String, Object> config, Map<String, Object> result, List<Outcome> outcomes, List<Stage> stages,
               List<IsolationQuality> isolation, IsolationLosses losses, List<CurvePoint> curve, List<Pools> pools,
               byte[] triggerPreview) {

    /**
     * Final scores of one model the run produced; NaN where the run did not measure it. triggeredConfusion
     * counts triggered test images by true class (row) and prediction (column), or is null.
     */
    record Outcome(String key, String defense, double ca, double asr, double caNonTarget, double cleanLoss, double poisonLoss,
                   double isolationPrecision, double isolationRecall, double caTargetClass, int[][] triggeredConfusion) {
        boolean undefended() {
            return NO_DEFENSE.equals(defense);
        }
    }

    /** One metrics.jsonl line of a training stage. */
    record Epoch(String stage, int epoch, double lr, double trainLoss, double trainAcc, double seconds, double ca, double asr,
                 double cleanLoss, double poisonLoss) {}

    /** A training stage's epochs in order; offset is the number of epochs of the stages before it, for one x axis across stages. */
    record Stage(String name, int offset, List<Epoch> epochs) {
        int lastEpoch() {
            return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).epoch();
        }
    }

    /** Precision and recall of ABL's isolated set against the ground truth after an isolation epoch. */
    record IsolationQuality(int epoch, double precision, double recall) {}

    /** A scored point of MCR's curve: its t, test CA and ASR, and the held-out clean accuracy that chose t. */
    record CurvePoint(double t, double ca, double asr, double heldOutAccuracy) {}

    /** The two pools one ASD epoch trained on: the split stage that chose them, their sizes, and the poisoned samples in the clean one. */
    record Pools(int epoch, int splitStage, int labelled, int unlabelled, int poisonedInLabelled) {
        double poisonedFraction() {
            return labelled == 0 ? 0 : (double) poisonedInLabelled / labelled;
        }
    }

    /** Per-example training loss under the isolation model, split by whether the example was poisoned. */
    record IsolationLosses(double[] clean, double[] poisoned) {}

    static final String NO_DEFENSE = "No defense";
    static final String ISOLATION_QUALITY = "isolation-quality";
    private static final ObjectMapper JSON = new ObjectMapper();

    static RunData load(Path dir) {
        if (!Files.isDirectory(dir)) throw new BadInputException(dir + ": no such run directory");
        Path resultFile = dir.resolve("result.json");
        if (!Files.isRegularFile(resultFile)) {
            throw new BadInputException(resultFile + ": no such file (the run has not finished, or this is not a run directory)");
        }
        Map<String, Object> result = readObject(resultFile);
        Path configFile = dir.resolve("config.json");
        Map<String, Object> config = Files.isRegularFile(configFile) ? readObject(configFile) : Map.of();
        List<Outcome> outcomes = outcomes(resultFile, result, config);
        List<Stage> stages = new ArrayList<>();
        List<IsolationQuality> isolation = new ArrayList<>();
        List<CurvePoint> curve = new ArrayList<>();
        List<Pools> pools = new ArrayList<>();
        Path metrics = dir.resolve("metrics.jsonl");
        if (Files.isRegularFile(metrics)) readMetrics(metrics, stages, isolation, curve, pools);
        Path lossesFile = dir.resolve("isolation_losses.csv");
        IsolationLosses losses = Files.isRegularFile(lossesFile) ? readLosses(lossesFile) : null;
        return new RunData(dir, config, result, outcomes, stages, isolation, losses, curve, pools, readPreview(dir.resolve(HtmlReport.TRIGGER_PREVIEW)));
    }

    /** The model the run ends with: the defended one when the run trained both. */
    Outcome last() {
        return outcomes.get(outcomes.size() - 1);
    }

    /** The undefended model's scores when this run measured them itself (the demo does). */
    Outcome undefended() {
        return outcomes.stream().filter(Outcome::undefended).findFirst().orElse(null);
    }

    String command() {
        if (config.get("command") instanceof String s) return s;
        return outcomes.size() > 1 ? "demo" : null;
    }

    String model() {
        if (config.get("model") instanceof String s) return s;
        return result.get("model") instanceof String s ? s : null;
    }

    /** The data set as the command line named it, else the training set's name without the attack suffix. */
    String data() {
        if (config.get("data") instanceof String s) return s;
        if (provenance().get("train_data") instanceof String s) return s.replaceFirst("\\+.*$", "");
        return null;
    }

    Map<?, ?> provenance() {
        if (result.get("provenance") instanceof Map<?, ?> m) return m;
        return config.get("provenance") instanceof Map<?, ?> m ? m : Map.of();
    }

    private Object attack() {
        return result.containsKey("attack") ? result.get("attack") : config.get("attack");
    }

    /** The full poisoning spec (attack, rate, target, seed...), or null for a clean run. */
    String attackSpec() {
        Object a = attack();
        if (a instanceof Map<?, ?> m) return m.get("spec") instanceof String s ? s : String.valueOf(m.get("name"));
        return a instanceof String s ? s : null;
    }

    /** The attack's target class, or -1 for a clean run or one whose record does not say. */
    int target() {
        return attack() instanceof Map<?, ?> m && m.get("target") instanceof Number n ? n.intValue() : -1;
    }

    /** The attack's registry name (badnets, blend...), or null for a clean run. */
    String attackName() {
        Object a = attack();
        if (a instanceof Map<?, ?> m && m.get("name") instanceof String s) return s;
        String spec = attackSpec();
        if (spec == null) return null;
        // specs print as "badnets(...) rate=..." so the name is what precedes the parameters
        return spec.split("[(\\s]", 2)[0];
    }

    /**
     * Results either sit at the top of result.json (one model) or, for the demo, in one object per
     * model ("no_defense", "abl"), in the order they were trained. A defense that starts from a given
     * backdoored model (quick unlearning) keeps its own scores at the top and that model's in "no_defense".
     */
    private static List<Outcome> outcomes(Path file, Map<String, Object> result, Map<String, Object> config) {
        List<Outcome> list = new ArrayList<>();
        for (Map.Entry<String, Object> e : result.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> m && m.containsKey("ca")) {
                list.add(outcome(file, e.getKey() + ".", e.getKey(), defenseOfKey(e.getKey()), m));
            }
        }
        if (list.isEmpty() || (list.stream().allMatch(Outcome::undefended) && result.containsKey("ca"))) {
            String defense = defenseOfCommand(config.get("command"), result.containsKey("isolation_precision"));
            // an undefended run's top-level scores repeat its "no_defense" object
            if (list.isEmpty() || !NO_DEFENSE.equals(defense)) list.add(outcome(file, "", defense.toLowerCase(Locale.ROOT).replace(' ', '-'), defense, result));
        }
        return list;
    }

    private static Outcome outcome(Path file, String prefix, String key, String defense, Map<?, ?> m) {
        String f = file.toString();
        return new Outcome(key.replace('_', '-'), defense, number(f, m, prefix, "ca", true), number(f, m, prefix, "asr", false),
                number(f, m, prefix, "ca_non_target", false), number(f, m, prefix, "clean_loss", false),
                number(f, m, prefix, "poison_loss", false), number(f, m, prefix, "isolation_precision", false),
                number(f, m, prefix, "isolation_recall", false), number(f, m, prefix, "ca_target_class", false),
                matrix(f, m, prefix, "triggered_confusion"));
    }

    /** A square matrix of non-negative counts, or null when the field is absent. */
    static int[][] matrix(String where, Map<?, ?> m, String prefix, String field) {
        Object v = m.get(field);
        if (v == null) return null;
        String bad = where + ": field '" + prefix + field + "' is not a square matrix of counts";
        if (!(v instanceof List<?> rows) || rows.isEmpty()) throw new BadInputException(bad);
        int[][] out = new int[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            if (!(rows.get(r) instanceof List<?> row) || row.size() != out.length) throw new BadInputException(bad);
            out[r] = new int[row.size()];
            for (int c = 0; c < row.size(); c++) {
                if (!(row.get(c) instanceof Integer n) || n < 0) throw new BadInputException(bad);
                out[r][c] = n;
            }
        }
        return out;
    }

    /** The PNG bytes of the run's trigger preview, or null when it has none; anything else is named. */
    private static byte[] readPreview(Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            byte[] b = Files.readAllBytes(file);
            byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
            if (b.length < magic.length || !Arrays.equals(Arrays.copyOf(b, magic.length), magic)) {
                throw new BadInputException(file + ": not a PNG file");
            }
            return b;
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable (" + e.getMessage() + ")");
        }
    }

    private static String defenseOfKey(String key) {
        return switch (key) {
            case "no_defense" -> NO_DEFENSE;
            case "abl", "nad", "ft", "fp", "asd" -> key.toUpperCase(Locale.ROOT);
            default -> key;
        };
    }

    private static String defenseOfCommand(Object command, boolean isolated) {
        if (command instanceof String c && c.startsWith("defend ")) return c.substring(7).toUpperCase(Locale.ROOT);
        if (command == null && isolated) return "ABL";
        return NO_DEFENSE;
    }

    /** where names the file (and line) for the message; prefix is the enclosing object's key, for nested results. */
    static double number(String where, Map<?, ?> m, String prefix, String field, boolean required) {
        Object v = m.get(field);
        if (v instanceof Number n) return n.doubleValue();
        // Jackson writes non-finite doubles (a diverged loss) as these strings
        if (v instanceof String s && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) return Double.parseDouble(s);
        if (v == null && !required) return Double.NaN;
        throw new BadInputException(where + ": field '" + prefix + field + "' is " + (v == null ? "missing" : "not a number"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readObject(Path file) {
        try {
            Object v = JSON.readValue(file.toFile(), Object.class);
            if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
            throw new BadInputException(file + ": not a JSON object");
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable JSON (" + firstLine(e) + ")");
        }
    }

    private static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.split("\n")[0];
    }

    private static void readMetrics(Path file, List<Stage> stages, List<IsolationQuality> isolation, List<CurvePoint> curve, List<Pools> pools) {
        // A resumed run may repeat an epoch; the later line wins.
        Map<String, TreeMap<Integer, Epoch>> byStage = new LinkedHashMap<>();
        TreeMap<Integer, IsolationQuality> quality = new TreeMap<>();
        TreeMap<Integer, CurvePoint> points = new TreeMap<>();
        TreeMap<Integer, Pools> split = new TreeMap<>();
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            Map<?, ?> m;
            try {
                m = JSON.readValue(line, Map.class);
            } catch (IOException e) {
                throw new BadInputException(where + ": not a JSON object (" + firstLine(e) + ")");
            }
            if (!(m.get("stage") instanceof String stage)) throw new BadInputException(where + ": field 'stage' is missing or not text");
            if (!(m.get("epoch") instanceof Integer epoch)) throw new BadInputException(where + ": field 'epoch' is missing or not a whole number");
            if (stage.equals(ISOLATION_QUALITY)) {
                quality.put(epoch, new IsolationQuality(epoch, number(where, m, "", "precision", true), number(where, m, "", "recall", true)));
                continue;
            }
            if (stage.equals(Mcr.CURVE_STAGE)) {
                // a point of t, not an epoch: kept out of the per-epoch charts
                points.put(epoch, new CurvePoint(number(where, m, "", "t", true), number(where, m, "", "ca", false), number(where, m, "", "asr", false),
                        number(where, m, "", "heldout_accuracy", false)));
                continue;
            }
            if (stage.equals(Asd.SPLIT_STAGE)) {
                // the pools that epoch trained on, not an epoch of a stage of its own
                split.put(epoch, new Pools(epoch, whole(where, m, "split_stage"), whole(where, m, "labelled"), whole(where, m, "unlabelled"),
                        whole(where, m, "poisoned_in_labelled")));
                continue;
            }
            byStage.computeIfAbsent(stage, s -> new TreeMap<>()).put(epoch, new Epoch(stage, epoch, number(where, m, "", "lr", false),
                    number(where, m, "", "train_loss", false), number(where, m, "", "train_acc", false),
                    number(where, m, "", "seconds", false), number(where, m, "", "ca", false), number(where, m, "", "asr", false),
                    number(where, m, "", "clean_loss", false), number(where, m, "", "poison_loss", false)));
        }
        int offset = 0;
        for (Map.Entry<String, TreeMap<Integer, Epoch>> e : byStage.entrySet()) {
            Stage s = new Stage(e.getKey(), offset, List.copyOf(e.getValue().values()));
            stages.add(s);
            offset += s.lastEpoch();
        }
        isolation.addAll(quality.values());
        curve.addAll(points.values());
        pools.addAll(split.values());
    }

    private static int whole(String where, Map<?, ?> m, String field) {
        if (m.get(field) instanceof Integer i && i >= 0) return i;
        throw new BadInputException(where + ": field '" + field + "' is " + (m.get(field) == null ? "missing" : "not a whole number >= 0"));
    }

    private static IsolationLosses readLosses(Path file) {
        List<String> lines = readLines(file);
        if (lines.isEmpty() || !lines.get(0).strip().equals("index,poisoned,label,loss")) {
            throw new BadInputException(file + ": header is not 'index,poisoned,label,loss'");
        }
        double[] clean = new double[lines.size()], poisoned = new double[lines.size()];
        int nc = 0, np = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String[] f = line.split(",");
            double loss;
            try {
                if (f.length != 4) throw new NumberFormatException("4 fields expected");
                loss = Double.parseDouble(f[3]);
            } catch (NumberFormatException e) {
                throw new BadInputException(file + ":" + (i + 1) + ": not 'index,poisoned,label,loss' with a numeric loss");
            }
            switch (f[1]) {
                case "0" -> clean[nc++] = loss;
                case "1" -> poisoned[np++] = loss;
                default -> throw new BadInputException(file + ":" + (i + 1) + ": field 'poisoned' is '" + f[1] + "', not 0 or 1");
            }
        }
        return new IsolationLosses(Arrays.copyOf(clean, nc), Arrays.copyOf(poisoned, np));
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(file + ": not readable as UTF-8 text (" + firstLine(e) + ")");
        }
    }
}

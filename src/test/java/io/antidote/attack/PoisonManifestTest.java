package io.antidote.attack;

import io.antidote.BadInputException;
import io.antidote.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PoisonManifestTest {

    @Test
    void roundTripsThroughCsv(@TempDir Path dir) throws Exception {
        ImageSet set = Images.set(300, 4, 4, 3, 10, false);
        ImageSet poisoned = Poisoner.poisonTrain(set, PoisonSpec.of("badnets", 0.1, 0).withLabelMode(LabelMode.ALL2ALL))
                .subset(new int[]{5, 3, 299, 0});
        PoisonManifest m = PoisonManifest.of(poisoned);
        Path csv = dir.resolve("sub/manifest.csv");
        m.write(csv);
        assertEquals(PoisonManifest.HEADER, Files.readAllLines(csv).get(0));
        assertEquals(m, PoisonManifest.read(csv));
        assertEquals(5, PoisonManifest.read(csv).entries().get(0).index());

        PoisonManifest full = PoisonManifest.of(Poisoner.poisonTrain(set, PoisonSpec.of("badnets", 0.1, 0)));
        full.write(csv);
        assertEquals(30, PoisonManifest.read(csv).poisonedCount());
    }

    @Test
    void rejectsMalformedFiles(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "idx,p\n");
        BadInputException e = assertThrows(BadInputException.class, () -> PoisonManifest.read(csv));
        assertEquals("manifest '" + csv + "' does not start with the header index,poisoned,original_label,label", e.getMessage());
        Files.writeString(csv, PoisonManifest.HEADER + "\n0,2,1,1\n");
        e = assertThrows(BadInputException.class, () -> PoisonManifest.read(csv));
        assertEquals("manifest '" + csv + "' line 2: poisoned 2 is not 0 or 1", e.getMessage());
    }
}

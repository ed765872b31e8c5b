package io.antidote;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PickleTest {
    // pickle.dumps({'a': (1, None, True), 'b': [1.5, b'xy'], 'c': 2**70, 'd': -3, 'e': 'hé'}, protocol=2), then protocol=4
    private static final String P2 = "80027d71002858010000006171014b014e8887710258010000006271035d710428473ff8000000000000635f636f646563730a656e636f64650a"
            + "710558020000007879710658060000006c6174696e31710786710852710965580100000063710a8a09000000000000000040580100000064710b4afdffffff"
            + "580100000065710c580300000068c3a9710d752e";
    private static final String P4 = "80049547000000000000007d94288c0161944b014e8887948c0162945d9428473ff80000000000004302787994658c0163948a0900000000000000"
            + "00408c0164944afdffffff8c0165948c0368c3a994752e";

    private static Object load(String hex) {
        return Pickle.load(HexFormat.of().parseHex(hex), 0, "test.pkl", null).value();
    }

    @Test
    void protocolsTwoAndFourGiveTheSameValues() {
        for (String hex : List.of(P2, P4)) {
            Map<?, ?> m = (Map<?, ?>) load(hex);
            assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(m.keySet()));
            assertEquals(java.util.Arrays.asList(1L, null, true), m.get("a"));
            List<?> b = (List<?>) m.get("b");
            assertEquals(1.5, b.get(0));
            assertArrayEquals(new byte[]{'x', 'y'}, (byte[]) b.get(1));
            assertEquals(BigInteger.TWO.pow(70), m.get("c"));
            assertEquals(-3L, m.get("d"));
            assertEquals("h\u00e9", m.get("e"));
        }
    }

    @Test
    void anOrderedDictIsAnOrderedMapAndClassesStayNames() {
        // pickle.dumps(OrderedDict([('k', 1)]), protocol=2)
        Object v = load("800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710158010000006b71024b01732e");
        assertEquals(new LinkedHashMap<>(Map.of("k", 1L)), v);
        // a call of anything else is recorded, not made: os.system('x') stays data
        byte[] call = "cos\nsystem\n(X\u0001\u0000\u0000\u0000xtR.".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Pickle.Call c = (Pickle.Call) Pickle.load(call, 0, "evil.pkl", null).value();
        assertEquals(new Pickle.Global("os", "system"), c.callable);
        assertEquals(List.of("x"), c.args);
    }

    @Test
    void unknownOpcodesTruncationAndUnexpectedPersistentIdsAreRefusedWithFileAndOffset() {
        BadInputException e = assertThrows(BadInputException.class, () -> load("8002ff"));
        assertEquals("test.pkl: unsupported pickle opcode 0xff at byte 2", e.getMessage());
        e = assertThrows(BadInputException.class, () -> load("80024a0100"));
        assertEquals("test.pkl: pickle ends early (4 bytes wanted) at byte 3", e.getMessage());
        e = assertThrows(BadInputException.class, () -> load("80024b0151"));
        assertEquals("test.pkl: a persistent id, which this kind of file does not use at byte 5", e.getMessage());
    }

    @Test
    void loadingStopsAtStopSoTheNextPickleCanFollow() {
        byte[] two = HexFormat.of().parseHex("80024b072e80024b082e");
        Pickle.Loaded first = Pickle.load(two, 0, "two.pkl", null);
        assertEquals(7L, first.value());
        assertEquals(5, first.end());
        assertEquals(8L, Pickle.load(two, first.end(), "two.pkl", null).value());
    }
}

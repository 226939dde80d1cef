package dev.reviewscore.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NumbersTest {
    @Test
    void printsDoublesAsPythonDoes() {
        assertEquals("0.95", Numbers.repr(0.95));
        assertEquals("0.946236559139785", Numbers.repr(88.0 / 93));
        assertEquals("0.9532710280373832", Numbers.repr(102.0 / 107));
        assertEquals("1.0", Numbers.repr(1.0));
        assertEquals("0.0", Numbers.repr(0.0));
        assertEquals("0.1", Numbers.repr(0.1));
        assertEquals("1e-05", Numbers.repr(0.00001));
        assertEquals("0.0001", Numbers.repr(0.0001));
        assertEquals("1.5e+16", Numbers.repr(1.5e16));
        assertEquals("320.0", Numbers.repr(320));
        assertEquals("[0.5, 0.25]", Numbers.reprList(List.of(0.5, 0.25)));
        assertEquals("0.2338", Numbers.fixed4(0.23381));
    }
}

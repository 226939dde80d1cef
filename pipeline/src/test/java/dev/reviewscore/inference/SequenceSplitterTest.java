package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.reviewscore.config.LongTextPolicy;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SequenceSplitterTest {
    private static final long[] CLS = {101};
    private static final long[] SEP = {102};

    private static SequenceSplitter splitter(LongTextPolicy policy, int maxLength, int overlap, int maxWindows) {
        return new SequenceSplitter(CLS, SEP, maxLength, policy, overlap, maxWindows);
    }

    private static long[] tokens(int n) {
        return LongStream.rangeClosed(1, n).toArray();
    }

    @Test
    void aShortReviewIsOneWrappedSequenceUnderEveryPolicy() {
        for (LongTextPolicy policy : LongTextPolicy.values()) {
            SequenceSplitter.Split split = splitter(policy, 10, 2, 4).split(tokens(8));
            assertEquals(1, split.sequences().size());
            assertArrayEquals(new long[] {101, 1, 2, 3, 4, 5, 6, 7, 8, 102}, split.sequences().get(0));
            assertFalse(split.truncated());
        }
    }

    @Test
    void headKeepsTheFirstTokens() {
        SequenceSplitter.Split split = splitter(LongTextPolicy.HEAD, 6, 0, 4).split(tokens(9));
        assertArrayEquals(new long[] {101, 1, 2, 3, 4, 102}, split.sequences().get(0));
        assertTrue(split.truncated());
    }

    @Test
    void headTailKeepsAQuarterFromTheStartAndTheRestFromTheEnd() {
        SequenceSplitter.Split split = splitter(LongTextPolicy.HEAD_TAIL, 10, 0, 4).split(tokens(20));
        assertArrayEquals(new long[] {101, 1, 2, 15, 16, 17, 18, 19, 20, 102}, split.sequences().get(0));
        assertEquals(List.of(8), split.weights());
        assertTrue(split.truncated());
    }

    @Test
    void windowsOverlapAndCoverTheWholeReview() {
        SequenceSplitter.Split split = splitter(LongTextPolicy.WINDOWS, 6, 1, 10).split(tokens(10));
        assertEquals(3, split.sequences().size());
        assertArrayEquals(new long[] {101, 1, 2, 3, 4, 102}, split.sequences().get(0));
        assertArrayEquals(new long[] {101, 4, 5, 6, 7, 102}, split.sequences().get(1));
        assertArrayEquals(new long[] {101, 7, 8, 9, 10, 102}, split.sequences().get(2));
        assertEquals(List.of(4, 4, 4), split.weights());
        assertFalse(split.truncated());
    }

    @Test
    void windowsStopAtTheLimitAndSaySo() {
        SequenceSplitter.Split split = splitter(LongTextPolicy.WINDOWS, 6, 0, 2).split(tokens(20));
        assertEquals(2, split.sequences().size());
        assertArrayEquals(new long[] {101, 5, 6, 7, 8, 102}, split.sequences().get(1));
        assertTrue(split.truncated());
    }

    @Test
    void anOverlapOfMoreThanHalfAWindowIsRejectedOnlyForWindows() {
        splitter(LongTextPolicy.HEAD, 6, 128, 4);
        dev.reviewscore.InvalidInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.reviewscore.InvalidInputException.class, () -> splitter(LongTextPolicy.WINDOWS, 64, 128, 4));
        assertEquals("Invalid configuration: model.window-overlap = 128 is more than half of the 62 text tokens a "
                + "window holds (model.max-length 64 minus 2 special tokens). Fix: use at most 31.", e.getMessage());
    }

    @Test
    void theLastWindowMayBeShorterAndWeighsLess() {
        SequenceSplitter.Split split = splitter(LongTextPolicy.WINDOWS, 6, 0, 10).split(tokens(9));
        assertEquals(List.of(4, 4, 1), split.weights());
        assertArrayEquals(new long[] {101, 9, 102}, split.sequences().get(2));
    }
}

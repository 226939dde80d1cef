package dev.reviewscore.inference;

import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.LongTextPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a review's content token ids into the sequences the model reads, by the long-text policy, each wrapped in
 * the tokenizer's special tokens (for BERT: {@code [CLS] ... [SEP]}).
 */
final class SequenceSplitter {
    private final long[] prefix;
    private final long[] suffix;
    private final int budget;
    private final LongTextPolicy policy;
    private final int overlap;
    private final int maxWindows;

    /**
     * @param prefix special token ids before the content
     * @param suffix special token ids after the content
     * @param maxLength tokens per sequence, special tokens included
     * @param policy what to do with reviews longer than maxLength
     * @param overlap tokens shared by consecutive windows
     * @param maxWindows windows per review at most
     */
    SequenceSplitter(long[] prefix, long[] suffix, int maxLength, LongTextPolicy policy, int overlap,
                     int maxWindows) {
        this.prefix = prefix.clone();
        this.suffix = suffix.clone();
        this.budget = maxLength - prefix.length - suffix.length;
        if (budget < 1) {
            throw new InvalidInputException("Invalid configuration: model.max-length = " + maxLength + " leaves no "
                    + "room for text after " + (prefix.length + suffix.length) + " special tokens. Fix: raise it.");
        }
        if (policy == LongTextPolicy.WINDOWS && overlap > budget / 2) {
            throw new InvalidInputException("Invalid configuration: model.window-overlap = " + overlap + " is more "
                    + "than half of the " + budget + " text tokens a window holds (model.max-length " + maxLength
                    + " minus " + (prefix.length + suffix.length) + " special tokens). Fix: use at most "
                    + budget / 2 + ".");
        }
        this.policy = policy;
        this.overlap = overlap;
        this.maxWindows = maxWindows;
    }

    /** The sequences of one review; {@link Split#truncated()} says whether content was left out. */
    Split split(long[] content) {
        int n = content.length;
        if (n <= budget) {
            return new Split(List.of(wrap(content, 0, n)), List.of(n), false);
        }
        return switch (policy) {
            case HEAD -> new Split(List.of(wrap(content, 0, budget)), List.of(budget), true);
            case HEAD_TAIL -> {
                int head = budget / 4;
                long[] kept = new long[budget];
                System.arraycopy(content, 0, kept, 0, head);
                System.arraycopy(content, n - (budget - head), kept, head, budget - head);
                yield new Split(List.of(wrap(kept, 0, budget)), List.of(budget), true);
            }
            case WINDOWS -> windows(content);
        };
    }

    private Split windows(long[] content) {
        int n = content.length;
        int step = budget - overlap;
        List<long[]> sequences = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        int start = 0;
        while (sequences.size() < maxWindows) {
            int end = Math.min(n, start + budget);
            sequences.add(wrap(content, start, end));
            weights.add(end - start);
            if (end == n) {
                return new Split(sequences, weights, false);
            }
            start += step;
        }
        return new Split(sequences, weights, true);
    }

    private long[] wrap(long[] content, int from, int to) {
        long[] sequence = new long[prefix.length + (to - from) + suffix.length];
        System.arraycopy(prefix, 0, sequence, 0, prefix.length);
        System.arraycopy(content, from, sequence, prefix.length, to - from);
        System.arraycopy(suffix, 0, sequence, prefix.length + to - from, suffix.length);
        return sequence;
    }

    /**
     * @param sequences the token id sequences, special tokens included
     * @param weights content tokens per sequence, the weight of its logits in the review's average
     * @param truncated whether some content tokens are in no sequence
     */
    record Split(List<long[]> sequences, List<Integer> weights, boolean truncated) {
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("Split[");
            sequences.forEach(s -> text.append(Arrays.toString(s)));
            return text.append(", weights=").append(weights).append(", truncated=").append(truncated).append(']')
                    .toString();
        }
    }
}

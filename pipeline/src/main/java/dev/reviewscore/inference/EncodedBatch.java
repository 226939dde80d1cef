package dev.reviewscore.inference;

/**
 * A padded batch of token sequences, row-major: {@code rows x width} ids and attention mask (1 for a token, 0 for
 * padding). Token type ids are all 0 (one text segment per sequence).
 *
 * @param ids token ids, {@code rows * width} values
 * @param mask attention mask, {@code rows * width} values
 * @param rows sequences in the batch
 * @param width tokens per padded sequence
 */
record EncodedBatch(long[] ids, long[] mask, int rows, int width) {

    /** Checks the array sizes. */
    EncodedBatch {
        if (ids.length != (long) rows * width || mask.length != ids.length) {
            throw new IllegalArgumentException("batch arrays must hold rows * width = " + rows * width
                    + " values; ids hold " + ids.length + ", mask " + mask.length);
        }
    }

    /** Pads sequences to the longest one with id 0 and mask 0. */
    static EncodedBatch pad(long[][] sequences) {
        int width = 1;
        for (long[] sequence : sequences) {
            width = Math.max(width, sequence.length);
        }
        long[] ids = new long[sequences.length * width];
        long[] mask = new long[ids.length];
        for (int row = 0; row < sequences.length; row++) {
            System.arraycopy(sequences[row], 0, ids, row * width, sequences[row].length);
            java.util.Arrays.fill(mask, row * width, row * width + sequences[row].length, 1L);
        }
        return new EncodedBatch(ids, mask, sequences.length, width);
    }
}

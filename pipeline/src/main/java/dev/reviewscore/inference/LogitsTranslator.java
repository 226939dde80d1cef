package dev.reviewscore.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * Feeds a padded batch to a traced sequence classifier and reads back its logits.
 *
 * <p>Inputs are {@code (input_ids, attention_mask)} or, with token types, {@code (input_ids, attention_mask,
 * token_type_ids)}, all int64 of shape {@code [rows, width]}. The output may be the logits tensor itself, a tuple or
 * list whose first entry is the logits (as Hugging Face models traced with {@code torchscript=True} return), or a
 * dict with a {@code "logits"} entry. The logits must have shape {@code [rows, labels]}.
 */
final class LogitsTranslator implements NoBatchifyTranslator<EncodedBatch, float[][]> {
    private final boolean tokenTypes;

    LogitsTranslator(boolean tokenTypes) {
        this.tokenTypes = tokenTypes;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, EncodedBatch batch) {
        NDManager manager = ctx.getNDManager();
        Shape shape = new Shape(batch.rows(), batch.width());
        NDList inputs = new NDList(manager.create(batch.ids(), shape), manager.create(batch.mask(), shape));
        if (tokenTypes) {
            inputs.add(manager.zeros(shape, DataType.INT64));
        }
        return inputs;
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray logits = logitsOf(outputs);
        Shape shape = logits.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalStateException("The model returned logits of shape " + shape
                    + "; a sequence classifier returns [batch, labels].");
        }
        int rows = (int) shape.get(0);
        int labels = (int) shape.get(1);
        float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
        float[][] result = new float[rows][labels];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(flat, row * labels, result[row], 0, labels);
        }
        return result;
    }

    private static NDArray logitsOf(NDList outputs) {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("The model returned no tensor.");
        }
        for (NDArray output : outputs) {
            if ("logits".equals(output.getName())) {
                return output;
            }
        }
        NDArray first = outputs.get(0);
        if (first.getName() != null && outputs.size() > 1) {
            StringBuilder names = new StringBuilder();
            outputs.forEach(o -> names.append(names.length() == 0 ? "" : ", ").append(o.getName()));
            throw new IllegalStateException("The model returned a dict without a \"logits\" entry (entries: " + names
                    + "). Return the logits first in a tuple, or under the key \"logits\".");
        }
        return first;
    }
}

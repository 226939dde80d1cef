package dev.reviewscore.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The hardware's reference: FLOP/s of a large float32 matrix multiply through the same libtorch and threads. */
final class MatrixMultiplyBenchmark {
    private MatrixMultiplyBenchmark() {}

    /** Best of {@code rounds} multiplies of two n x n matrices, in FLOP/s (2n^3 per multiply). */
    static double flops(int n, int rounds) {
        try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager()) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = manager.randomUniform(-1, 1, new Shape(n, n));
            double best = 0;
            for (int round = 0; round <= rounds; round++) {
                long start = System.nanoTime();
                try (NDArray product = a.matMul(b)) {
                    product.getFloat(0, 0);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (round > 0) {
                    best = Math.max(best, 2.0 * n * n * n / seconds);
                }
            }
            return best;
        }
    }
}

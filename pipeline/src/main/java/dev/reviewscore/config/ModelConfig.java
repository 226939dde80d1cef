package dev.reviewscore.config;

import java.io.Serializable;

/**
 * The model and how it is run on executors.
 *
 * @param location the model folder, a local path or Hadoop FileSystem URI ({@code model.location}); null only in
 *     {@link #builder()}'s defaults, before a location is set
 * @param positiveLabel the label treated as positive in binary metrics, or null to infer it
 *     ({@code model.positive-label})
 * @param device where tasks score ({@code model.device})
 * @param batchSize sequences per forward pass ({@code model.batch-size})
 * @param maxLength tokens per sequence, or null for the model's maximum ({@code model.max-length})
 * @param longText what to do with reviews longer than the maximum length ({@code model.long-text})
 * @param windowOverlap tokens shared by consecutive windows ({@code model.window-overlap})
 * @param maxWindows windows scored per review at most ({@code model.max-windows})
 * @param tokenTypes whether token type ids are sent, or null to follow serving.properties ({@code model.token-types})
 * @param threads PyTorch intra-op threads per task ({@code model.threads})
 * @param bucketWindow rows sorted by length together before batching; 1 turns sorting off ({@code model.bucket-window})
 */
public record ModelConfig(String location, String positiveLabel, DeviceChoice device, int batchSize,
                          Integer maxLength, LongTextPolicy longText, int windowOverlap, int maxWindows,
                          Boolean tokenTypes, int threads, int bucketWindow) implements Serializable {

    /** Checks ranges; each message names the key. */
    public ModelConfig {
        ConfigCheck.require(location == null || !location.isBlank(), "model.location", location,
                "set the model folder (for the bundled default: models/movie-sentiment)");
        ConfigCheck.require(device != null, "model.device", null, "use auto, cpu or gpu");
        ConfigCheck.require(longText != null, "model.long-text", null, "use head, head-tail or windows");
        ConfigCheck.require(batchSize >= 1 && batchSize <= 4096, "model.batch-size", batchSize,
                "use a whole number from 1 to 4096 (8 is a good start on CPU)");
        ConfigCheck.require(maxLength == null || maxLength >= 8, "model.max-length", maxLength,
                "use at least 8 tokens, or null for the model's maximum");
        ConfigCheck.require(windowOverlap >= 0, "model.window-overlap", windowOverlap, "use 0 or more tokens");
        ConfigCheck.require(maxWindows >= 1, "model.max-windows", maxWindows, "use 1 or more");
        ConfigCheck.require(threads >= 1 && threads <= 256, "model.threads", threads,
                "use a whole number from 1 to 256 (1 per Spark task core is the usual choice)");
        ConfigCheck.require(bucketWindow >= 1 && bucketWindow <= 1024, "model.bucket-window", bucketWindow,
                "use a whole number of batches from 1 (no sorting) to 1024");
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder().location(location).positiveLabel(positiveLabel).device(device).batchSize(batchSize)
                .maxLength(maxLength).longText(longText).windowOverlap(windowOverlap).maxWindows(maxWindows)
                .tokenTypes(tokenTypes).threads(threads).bucketWindow(bucketWindow);
    }

    /**
     * A builder holding the job's defaults, read from the {@code model.*} values of {@code defaults.conf} (their one
     * definition), without a location.
     */
    public static Builder builder() {
        return JobConfigLoader.modelDefaults();
    }

    /** Builds a {@link ModelConfig}; {@link #build()} checks the values as the job's configuration does. */
    public static final class Builder {
        private String location;
        private String positiveLabel;
        private DeviceChoice device;
        private int batchSize;
        private Integer maxLength;
        private LongTextPolicy longText;
        private int windowOverlap;
        private int maxWindows;
        private Boolean tokenTypes;
        private int threads;
        private int bucketWindow;

        Builder() {}

        /** See {@link ModelConfig#location()}. */
        public Builder location(String value) {
            location = value;
            return this;
        }

        /** See {@link ModelConfig#positiveLabel()}. */
        public Builder positiveLabel(String value) {
            positiveLabel = value;
            return this;
        }

        /** See {@link ModelConfig#device()}. */
        public Builder device(DeviceChoice value) {
            device = value;
            return this;
        }

        /** See {@link ModelConfig#batchSize()}. */
        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        /** See {@link ModelConfig#maxLength()}. */
        public Builder maxLength(Integer value) {
            maxLength = value;
            return this;
        }

        /** See {@link ModelConfig#longText()}. */
        public Builder longText(LongTextPolicy value) {
            longText = value;
            return this;
        }

        /** See {@link ModelConfig#windowOverlap()}. */
        public Builder windowOverlap(int value) {
            windowOverlap = value;
            return this;
        }

        /** See {@link ModelConfig#maxWindows()}. */
        public Builder maxWindows(int value) {
            maxWindows = value;
            return this;
        }

        /** See {@link ModelConfig#tokenTypes()}. */
        public Builder tokenTypes(Boolean value) {
            tokenTypes = value;
            return this;
        }

        /** See {@link ModelConfig#threads()}. */
        public Builder threads(int value) {
            threads = value;
            return this;
        }

        /** See {@link ModelConfig#bucketWindow()}. */
        public Builder bucketWindow(int value) {
            bucketWindow = value;
            return this;
        }

        /**
         * @throws dev.reviewscore.InvalidInputException for a value the job would refuse, naming its key
         */
        public ModelConfig build() {
            return new ModelConfig(location, positiveLabel, device, batchSize, maxLength, longText, windowOverlap,
                    maxWindows, tokenTypes, threads, bucketWindow);
        }
    }
}

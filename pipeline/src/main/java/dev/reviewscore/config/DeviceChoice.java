package dev.reviewscore.config;

/** Which device a task scores on. */
public enum DeviceChoice {
    /** The GPU Spark assigned to the task (its {@code gpu} resource), else the CPU. */
    AUTO,
    /** Always the CPU. */
    CPU,
    /** The GPU Spark assigned to the task, else GPU 0; fails when the engine sees no GPU. */
    GPU
}

package dev.reviewscore.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.Option;

/**
 * Picks the device a task scores on: the GPU that Spark assigned to the task (its {@code gpu} resource, from the
 * executor's discovery script), not GPU 0 for everyone, so an executor with several GPUs uses each of them.
 */
public final class TaskDevice {
    private TaskDevice() {}

    /**
     * The device for the running task.
     *
     * @param choice the configured choice
     * @return the device
     * @throws InvalidInputException when {@code gpu} is required and the engine sees none
     */
    public static Device forCurrentTask(DeviceChoice choice) {
        if (choice == DeviceChoice.CPU) {
            return Device.cpu();
        }
        return resolve(choice, assignedGpu(TaskContext.get()), Engine.getEngine("PyTorch").getGpuCount());
    }

    /**
     * The decision itself, free of Spark and engine state.
     *
     * @param choice the configured choice
     * @param assignedGpu the GPU address Spark assigned to the task, or null
     * @param engineGpus GPUs the engine can use
     * @return the device
     */
    static Device resolve(DeviceChoice choice, String assignedGpu, int engineGpus) {
        return switch (choice) {
            case CPU -> Device.cpu();
            case AUTO -> assignedGpu != null && engineGpus > 0 ? Device.gpu(gpuIndex(assignedGpu)) : Device.cpu();
            case GPU -> {
                if (engineGpus == 0) {
                    throw new InvalidInputException("Invalid configuration: model.device = gpu, but the PyTorch "
                            + "engine sees no GPU on this executor. Fix: run on GPU executors with a CUDA build of "
                            + "libtorch (PYTORCH_LIBRARY_PATH or a CUDA pytorch-native jar), or set model.device = auto.");
                }
                yield Device.gpu(assignedGpu == null ? 0 : gpuIndex(assignedGpu));
            }
        };
    }

    /** The first GPU address Spark assigned to the task, or null outside a task or without GPU resources. */
    static String assignedGpu(TaskContext context) {
        if (context == null) {
            return null;
        }
        Option<ResourceInformation> gpu = context.resources().get("gpu");
        if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
            return null;
        }
        return gpu.get().addresses()[0];
    }

    private static int gpuIndex(String address) {
        try {
            return Integer.parseInt(address.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Spark assigned GPU address \"" + address + "\", which is not a device "
                    + "index. Fix: make the GPU discovery script report indices (0, 1, ...), as "
                    + "getGpusResources.sh does.");
        }
    }
}

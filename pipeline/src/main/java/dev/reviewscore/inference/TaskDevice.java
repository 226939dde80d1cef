package dev.reviewscore.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Picks the device a task scores on: the GPU that Spark assigned to the task (its {@code gpu} resource, from the
 * executor's discovery script), not GPU 0 for everyone, so an executor with several GPUs uses each of them.
 */
public final class TaskDevice {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDevice.class);
    /** The choices this JVM has logged, so that each is said once per executor. */
    private static final Set<Choice> SAID = ConcurrentHashMap.newKeySet();
    /** What a GPU executor needs for the engine to see its GPUs. */
    private static final String CUDA_FIX = "Fix: give every executor a CUDA build of libtorch 2.7.1 and point DJL at "
            + "it (spark.executorEnv.PYTORCH_LIBRARY_PATH=<torch>/lib, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128), "
            + "or put DJL's CUDA pytorch-native jar on the classpath.";

    private TaskDevice() {}

    /**
     * A device, and why a task uses it.
     *
     * @param device the device
     * @param why the setting and what Spark and the engine offered, for the executor's log
     * @param expected false when {@code auto} falls back to the CPU although Spark assigned the task a GPU
     */
    record Choice(Device device, String why, boolean expected) {}

    /**
     * The device for the running task. The first task of each choice on an executor logs which device it is and
     * why (a warning when {@code auto} has a GPU from Spark that the engine cannot use).
     *
     * @param choice the configured choice
     * @return the device
     * @throws InvalidInputException when {@code gpu} is required and the engine sees none
     */
    public static Device forCurrentTask(DeviceChoice choice) {
        return forCurrentTask(choice, () -> Engine.getEngine("PyTorch").getGpuCount());
    }

    /**
     * As {@link #forCurrentTask(DeviceChoice)}, with the number of GPUs the engine sees given rather than asked of
     * the engine: the executor's whole decision, on machines whose engine sees none.
     */
    static Device forCurrentTask(DeviceChoice choice, IntSupplier engineGpus) {
        Choice chosen = choice == DeviceChoice.CPU ? resolve(choice, null, 0)
                : resolve(choice, assignedGpu(TaskContext.get()), engineGpus.getAsInt());
        if (SAID.add(chosen)) {
            if (chosen.expected()) {
                LOG.info("This executor scores on {}: {}", chosen.device(), chosen.why());
            } else {
                LOG.warn("This executor scores on {}: {}", chosen.device(), chosen.why());
            }
        }
        return chosen.device();
    }

    /**
     * The decision itself, free of Spark and engine state.
     *
     * @param choice the configured choice
     * @param assignedGpu the GPU address Spark assigned to the task, or null
     * @param engineGpus GPUs the engine can use
     * @return the device and why
     */
    static Choice resolve(DeviceChoice choice, String assignedGpu, int engineGpus) {
        return switch (choice) {
            case CPU -> new Choice(Device.cpu(), "model.device = cpu", true);
            case AUTO -> {
                if (assignedGpu == null) {
                    yield new Choice(Device.cpu(), "model.device = auto, and Spark assigned the task no GPU "
                            + "(spark.task.resource.gpu.amount is not set, or the executor has no GPU)", true);
                }
                if (engineGpus == 0) {
                    yield new Choice(Device.cpu(), "model.device = auto: Spark assigned the task GPU " + assignedGpu
                            + ", but the PyTorch engine sees no GPU. " + CUDA_FIX, false);
                }
                yield new Choice(Device.gpu(gpuIndex(assignedGpu)), "model.device = auto, Spark assigned the task GPU "
                        + assignedGpu + ", and the PyTorch engine sees " + engineGpus + " GPUs", true);
            }
            case GPU -> {
                if (engineGpus == 0) {
                    throw new InvalidInputException("Invalid configuration: model.device = gpu, but the PyTorch "
                            + "engine sees no GPU on this executor. " + CUDA_FIX + " Or set model.device = auto.");
                }
                yield assignedGpu == null
                        ? new Choice(Device.gpu(0), "model.device = gpu, and Spark assigned the task no GPU: GPU 0",
                                true)
                        : new Choice(Device.gpu(gpuIndex(assignedGpu)), "model.device = gpu, and Spark assigned the "
                                + "task GPU " + assignedGpu, true);
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

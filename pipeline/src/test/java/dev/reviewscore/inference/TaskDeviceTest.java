package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import org.junit.jupiter.api.Test;

class TaskDeviceTest {
    @Test
    void autoUsesTheGpuSparkAssignedWhenTheEngineHasGpus() {
        assertEquals(Device.gpu(1), TaskDevice.resolve(DeviceChoice.AUTO, "1", 2).device());
        assertEquals(Device.gpu(0), TaskDevice.resolve(DeviceChoice.AUTO, "0", 2).device());
        TaskDevice.Choice unassigned = TaskDevice.resolve(DeviceChoice.AUTO, null, 2);
        assertEquals(Device.cpu(), unassigned.device(), "no GPU assigned to the task");
        assertTrue(unassigned.expected() && unassigned.why().contains("Spark assigned the task no GPU"),
                unassigned.why());
        TaskDevice.Choice unusable = TaskDevice.resolve(DeviceChoice.AUTO, "1", 0);
        assertEquals(Device.cpu(), unusable.device(), "the engine sees no GPU");
        assertFalse(unusable.expected(), "a GPU Spark assigned that the engine cannot use is worth a warning");
        assertTrue(unusable.why().contains("Spark assigned the task GPU 1, but the PyTorch engine sees no GPU")
                && unusable.why().contains("PYTORCH_LIBRARY_PATH"), unusable.why());
    }

    @Test
    void cpuNeverUsesAGpuAndGpuFailsClearlyWithoutOne() {
        assertEquals(Device.cpu(), TaskDevice.resolve(DeviceChoice.CPU, "1", 2).device());
        assertEquals(Device.gpu(1), TaskDevice.resolve(DeviceChoice.GPU, "1", 2).device());
        assertEquals(Device.gpu(0), TaskDevice.resolve(DeviceChoice.GPU, null, 1).device());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TaskDevice.resolve(DeviceChoice.GPU, "0", 0));
        assertTrue(e.getMessage().startsWith("Invalid configuration: model.device = gpu, but the PyTorch engine sees "
                + "no GPU on this executor.") && e.getMessage().contains("PYTORCH_FLAVOR=cu128"), e.getMessage());
    }

    @Test
    void anAddressThatIsNotAnIndexSaysWhatTheDiscoveryScriptMustReport() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TaskDevice.resolve(DeviceChoice.AUTO, "GPU-5d2a", 1));
        assertTrue(e.getMessage().contains("make the GPU discovery script report indices"), e.getMessage());
    }
}

package dev.reviewscore.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.reviewscore.InvalidInputException;
import dev.reviewscore.config.DeviceChoice;
import org.junit.jupiter.api.Test;

class TaskDeviceTest {
    @Test
    void autoUsesTheGpuSparkAssignedWhenTheEngineHasGpus() {
        assertEquals(Device.gpu(1), TaskDevice.resolve(DeviceChoice.AUTO, "1", 2));
        assertEquals(Device.gpu(0), TaskDevice.resolve(DeviceChoice.AUTO, "0", 2));
        assertEquals(Device.cpu(), TaskDevice.resolve(DeviceChoice.AUTO, null, 2), "no GPU assigned to the task");
        assertEquals(Device.cpu(), TaskDevice.resolve(DeviceChoice.AUTO, "1", 0), "the engine sees no GPU");
    }

    @Test
    void cpuNeverUsesAGpuAndGpuFailsClearlyWithoutOne() {
        assertEquals(Device.cpu(), TaskDevice.resolve(DeviceChoice.CPU, "1", 2));
        assertEquals(Device.gpu(1), TaskDevice.resolve(DeviceChoice.GPU, "1", 2));
        assertEquals(Device.gpu(0), TaskDevice.resolve(DeviceChoice.GPU, null, 1));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TaskDevice.resolve(DeviceChoice.GPU, "0", 0));
        assertTrue(e.getMessage().startsWith("Invalid configuration: model.device = gpu, but the PyTorch engine sees "
                + "no GPU on this executor."), e.getMessage());
    }

    @Test
    void anAddressThatIsNotAnIndexSaysWhatTheDiscoveryScriptMustReport() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> TaskDevice.resolve(DeviceChoice.AUTO, "GPU-5d2a", 1));
        assertTrue(e.getMessage().contains("make the GPU discovery script report indices"), e.getMessage());
    }
}

// The worker's view of the GPU: whether the browser offers a WebGPU adapter (and which), and
// the devices Burn opens on it, watched so that their loss is seen and their buffers counted
// (a long session can show that it does not leak them). Used by worker.js only.

/** The GPU devices opened so far (destroyed by the worker's 'lose-device', as a driver reset would). */
export const gpuDevices = [];
/** Live GPU buffers: how many, and their bytes. */
export const gpuBuffers = { live: 0, bytes: 0 };

/**
 * Wraps WebGPU's requestDevice and createBuffer: `onLost({reason, message})` when a device goes
 * away (driver reset, device destroyed); the page then moves to a fresh worker.
 */
export function watchGpuDevices(onLost) {
  if (!self.GPUAdapter) return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function watchedRequestDevice(...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevices.push(device);
    device.lost.then(({ reason, message }) => onLost({ reason, message }));
    return device;
  };
  const createBuffer = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function countedCreateBuffer(descriptor) {
    const buffer = createBuffer.call(this, descriptor);
    gpuBuffers.live++;
    gpuBuffers.bytes += buffer.size;
    const destroy = buffer.destroy;
    let destroyed = false;
    buffer.destroy = function countedDestroy() {
      if (!destroyed) {
        destroyed = true;
        gpuBuffers.live--;
        gpuBuffers.bytes -= buffer.size;
      }
      return destroy.call(this);
    };
    return buffer;
  };
}

// WebGPU when the browser offers an adapter; Burn's WebGPU init traps where there is none,
// so this is checked here first. Returns the adapter's description, or null.
export async function findAdapter() {
  if (!navigator.gpu) return null;
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
}

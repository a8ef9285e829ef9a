// Which engine runs the model: WebGPU on a real GPU, else the CPU (wasm). A software or
// fallback WebGPU adapter (SwiftShader, llvmpipe, WARP…) emulates a GPU on the CPU, far more
// slowly than the wasm CPU path (a taste took 14.3 s there against about 0.3 s), so 'auto' takes
// the CPU then. 'webgpu' still gets it when asked for (tests, benchmarks).

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

/** Whether `adapter` ({vendor, architecture, description, isFallbackAdapter}) emulates a GPU. */
export function isSoftwareAdapter(adapter) {
  if (!adapter) return false;
  return adapter.isFallbackAdapter || SOFTWARE.test([adapter.vendor, adapter.architecture, adapter.description].join(' '));
}

/** The adapter's name in words ('google · swiftshader · SwiftShader Device'), or ''. */
export const adapterName = (adapter) => (adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' · ') : '');

/**
 * `requested` ('auto' | 'webgpu' | 'cpu') and the browser's adapter (or null) → `{backend,
 * reason}`: 'webgpu' or 'cpu', and why, in words a person reads ('' for a real GPU).
 */
export function chooseBackend(requested, adapter) {
  if (requested === 'cpu') return { backend: 'cpu', reason: 'the CPU was asked for' };
  if (!adapter) return { backend: 'cpu', reason: 'this browser offers no WebGPU adapter' };
  if (requested === 'webgpu') return { backend: 'webgpu', reason: isSoftwareAdapter(adapter) ? 'WebGPU was asked for (a software adapter)' : '' };
  if (isSoftwareAdapter(adapter)) {
    const name = adapterName(adapter);
    return { backend: 'cpu', reason: `the only WebGPU adapter${name ? ` (${name})` : ''} is a software one, slower than the CPU` };
  }
  return { backend: 'webgpu', reason: '' };
}

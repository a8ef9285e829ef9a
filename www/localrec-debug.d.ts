// Types of localrec-debug.js, the library's debug entry (tests, benchmarks, diagnostics).
import type { LocalRec } from './localrec.js';

export interface DebugHooks {
  /** What the engine holds (wasm memory; live GPU buffers). */
  memory(): Promise<{ wasmBytes: number; gpuBuffers: { live: number; bytes: number } }>;
  /** Destroys the engine's GPU devices, as a driver reset would. Resolves to how many. */
  simulateDeviceLoss(): Promise<number>;
}

export declare function debugHooks(rec: LocalRec): DebugHooks;

// backend-choice.js: 'auto' takes WebGPU on a hardware adapter only; a software or fallback
// adapter (SwiftShader, llvmpipe, WARP) is slower than the wasm CPU path, so the CPU is chosen
// and the reason names the adapter. 'webgpu' and 'cpu' are obeyed.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chooseBackend, isSoftwareAdapter } from '../../www/backend-choice.js';

const adapter = (vendor, architecture, description = '', isFallbackAdapter = false) => ({ vendor, architecture, description, isFallbackAdapter });
const swiftshader = adapter('google', 'swiftshader', 'SwiftShader Device (Subzero)');

test('software and fallback adapters are recognised; GPUs are not', () => {
  assert.ok(isSoftwareAdapter(swiftshader));
  assert.ok(isSoftwareAdapter(adapter('mesa', '', 'llvmpipe (LLVM 15.0.6, 256 bits)')));
  assert.ok(isSoftwareAdapter(adapter('microsoft', '', 'Microsoft Basic Render Driver')));
  assert.ok(isSoftwareAdapter(adapter('', '', '', true)), 'the browser says it is a fallback adapter');
  assert.ok(!isSoftwareAdapter(adapter('nvidia', 'ada', 'NVIDIA GeForce RTX 4070')));
  assert.ok(!isSoftwareAdapter(adapter('apple', 'metal-3', '')));
  assert.ok(!isSoftwareAdapter(adapter('intel', 'gen-12lp', 'Intel(R) UHD Graphics (TGL GT2)')));
  assert.ok(!isSoftwareAdapter(null));
});

test("'auto' prefers the CPU over a software adapter and says why", () => {
  const choice = chooseBackend('auto', swiftshader);
  assert.equal(choice.backend, 'cpu');
  assert.match(choice.reason, /only WebGPU adapter \(google · swiftshader · SwiftShader Device \(Subzero\)\) is a software one, slower than the CPU/);
  assert.deepEqual(chooseBackend('auto', adapter('nvidia', 'ada', 'RTX')), { backend: 'webgpu', reason: '' });
  assert.equal(chooseBackend('auto', null).backend, 'cpu');
  assert.match(chooseBackend('auto', null).reason, /no WebGPU adapter/);
});

test("'webgpu' and 'cpu' are obeyed", () => {
  assert.equal(chooseBackend('webgpu', swiftshader).backend, 'webgpu');
  assert.equal(chooseBackend('cpu', adapter('nvidia', 'ada')).backend, 'cpu');
});

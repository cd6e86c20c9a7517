import * as tf from '@tensorflow/tfjs-core';
import { RlCoreError } from '../errors.js';
import { isMissingPeer, missingPeerError } from './peers.js';

/** The TensorFlow.js backends this package runs on. `auto` picks webgpu on a hardware adapter, else wasm. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** The backend `useBackend` selected. */
export interface BackendInfo {
  /** The TensorFlow.js backend in use. */
  name: BackendName;
  /** Adapter description for webgpu (e.g. the llvmpipe software rasteriser), '' otherwise. */
  adapter: string;
}

let active: BackendInfo | undefined;
let webgpuRegistered: Promise<boolean> | undefined;

/**
 * Registers the webgpu backend on Dawn for Node. On a machine without a GPU, Dawn's OpenGL ES backend on
 * Mesa's software rasteriser provides the adapter: it only appears with the compatibility feature level,
 * so the backend is registered here with that adapter instead of by the stock registration.
 */
async function registerWebgpu(): Promise<boolean> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch {
    return false;
  }
  Object.assign(globalThis, mod.globals);
  const tries: [string[], GPURequestAdapterOptions][] = [
    [[], {}],
    [['backend=opengles'], { featureLevel: 'compatibility' } as GPURequestAdapterOptions],
  ];
  for (const [flags, options] of tries) {
    const gpu = mod.create(flags) as GPU;
    const adapter = await gpu.requestAdapter(options).catch(() => null);
    if (!adapter) continue;
    const g = globalThis as { navigator?: Record<string, unknown> };
    if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    // Importing the backend module may register tfjs's own factory, which asks for an adapter without the
    // compatibility feature level and gets none here: replace it with one bound to this adapter.
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
    const info = adapter.info;
    adapterName =
      [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || flags.join(' ') || 'default';
    tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, info as never), 3);
    return true;
  }
  return false;
}
let adapterName = '';

/** True when a WebGPU adapter (hardware, or Dawn's OpenGL ES on a software rasteriser) can be created. */
export async function webgpuAvailable(): Promise<boolean> {
  webgpuRegistered ??= registerWebgpu();
  return webgpuRegistered;
}

/** Adapters that rasterise on the CPU: there WebGPU is an emulation, and wasm measured faster (see the README). */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader/i;

/** True when the WebGPU adapter is a real GPU, not a software rasteriser. */
export async function hardwareWebgpuAvailable(): Promise<boolean> {
  return (await webgpuAvailable()) && !SOFTWARE_ADAPTER.test(adapterName);
}

/**
 * Selects a backend and waits until it is ready. `auto` (the default) takes webgpu when a hardware
 * adapter exists, else wasm; `webgpu` also runs on a software adapter (Mesa llvmpipe), as CI does.
 * Idempotent; switching backends later moves no tensors, so dispose models first.
 */
export async function useBackend(name: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  let want: BackendName = name === 'auto' ? ((await hardwareWebgpuAvailable()) ? 'webgpu' : 'wasm') : name;
  if (active?.name === want && tf.getBackend() === want) return active;
  if (want === 'webgpu' && !(await webgpuAvailable()))
    throw new RlCoreError('backend-unavailable', 'expected a WebGPU adapter, found none (Dawn could not create one)');
  try {
    if (want === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    // The union package registers the gradients of every op (tfjs-core alone does not) and the cpu backend.
    await import('@tensorflow/tfjs');
  } catch (e) {
    throw isMissingPeer(e) ? missingPeerError(`backend ${want}`, e) : e;
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(want);
  } catch (cause) {
    throw new RlCoreError('backend-unavailable', `expected backend ${want} to initialise, found an error`, { cause });
  }
  if (!ok) throw new RlCoreError('backend-unavailable', `expected backend ${want} to initialise, found it failed`);
  await tf.ready();
  want = tf.getBackend() as BackendName;
  active = { name: want, adapter: want === 'webgpu' ? adapterName : '' };
  return active;
}

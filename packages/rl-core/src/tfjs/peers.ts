// Imports nothing from TensorFlow.js: the CLI reads it before deciding to load the engine.
import { RlCoreError } from '../errors.js';

/** The optional peer dependencies the TensorFlow.js engine loads (webgpu and its backend only for `--backend webgpu`). */
export const TFJS_PEERS = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
] as const;

/** True when `error` says that one of the TF.js peers (or a module of one) could not be found. */
export function isMissingPeer(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  const text = typeof e?.message === 'string' ? e.message : '';
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    // the peer itself (or a subpath of it) named as the module not found; a path inside an installed peer
    // in the message ("imported from .../@tensorflow/tfjs-core/...") is a broken install, not a missing peer
    TFJS_PEERS.some((p) => [`'${p}'`, `"${p}"`, `'${p}/`, `"${p}/`].some((quoted) => text.includes(quoted)))
  );
}

/** The error that names what to install, for `what` (a command or a backend) that needs the TF.js peers. */
export function missingPeerError(what: string, cause: unknown): RlCoreError {
  return new RlCoreError(
    'backend-unavailable',
    `${what} needs the optional peer dependencies of @srcode/rl-core/tfjs, which are not installed: npm i ${TFJS_PEERS.join(' ')}`,
    { cause },
  );
}

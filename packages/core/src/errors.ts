/**
 * Errors raised at polytoy's boundaries. Each has a one-line, user-facing message naming the
 * argument, what was expected and what was received; CLIs print `message` without a stack.
 */
export class PolytoyError extends Error {
  override name = 'PolytoyError';
}

/** A configuration value is invalid. `path` is the dotted field name, e.g. `model.nHidden`. */
export class ConfigError extends PolytoyError {
  override name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`${path || 'config'}: expected ${expected}, received ${formatReceived(received)}`);
  }
}

/** The runtime (backend, SIMD, wasm files) is not what polytoy needs. */
export class BackendError extends PolytoyError {
  override name = 'BackendError';
}

/** Training produced NaN/Inf or otherwise diverged. */
export class DivergenceError extends PolytoyError {
  override name = 'DivergenceError';
  constructor(
    message: string,
    readonly step: number,
    readonly instance: number,
  ) {
    super(message);
  }
}

/** Short printable form of a received value for error messages. */
export function formatReceived(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

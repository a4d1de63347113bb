import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernelBinaries, packageDir } from '../scripts/build-wasm.js';
import { kernelBinary, type KernelVariant } from './kernel-module.js';

/** Section ids of a wasm binary with, for the import section, the memory imports' limits. */
function sections(bytes: Uint8Array): {
  ids: number[];
  memoryImports: Array<{ module: string; name: string; flags: number; min: number; max?: number }>;
} {
  let pos = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const name = (): string => {
    const len = leb();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const ids: number[] = [];
  const memoryImports: Array<{ module: string; name: string; flags: number; min: number; max?: number }> = [];
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    const size = leb();
    const end = pos + size;
    ids.push(id);
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const module = name();
        const field = name();
        const kind = bytes[pos++]!;
        if (kind !== 2) throw new Error(`unexpected import kind ${kind} (${module}.${field})`);
        const flags = bytes[pos++]!;
        const min = leb();
        const entry: { module: string; name: string; flags: number; min: number; max?: number } = {
          module,
          name: field,
          flags,
          min,
        };
        if (flags & 1) entry.max = leb();
        memoryImports.push(entry);
      }
    }
    pos = end;
  }
  return { ids, memoryImports };
}

describe('the committed kernel binaries', () => {
  it('are what the pinned compiler builds from assembly/ today (run `npm run build:wasm` if not)', async () => {
    const fresh = await buildKernelBinaries();
    for (const variant of ['plain', 'shared'] as const) {
      const embedded = kernelBinary(variant);
      expect(Buffer.from(embedded).equals(Buffer.from(fresh[variant])), `${variant} (src/wasm-binary.ts)`).toBe(true);
      const file = readFileSync(join(packageDir, 'wasm', variant === 'plain' ? 'kernels.wasm' : 'kernels-shared.wasm'));
      expect(file.equals(Buffer.from(fresh[variant])), `${variant} (wasm/)`).toBe(true);
    }
  }, 60_000);

  for (const variant of ['plain', 'shared'] as KernelVariant[]) {
    it(`${variant}: imports only env.memory (min 0 pages) and has no data, globals, table or start`, () => {
      const bytes = kernelBinary(variant);
      const { ids, memoryImports } = sections(bytes);
      // type, import, function, export, code (and possibly custom 0): nothing that writes memory at
      // instantiation (data = 11, data count = 12), no globals (6, e.g. a heap pointer), no start (8).
      expect(ids.filter((id) => id !== 0)).toEqual([1, 2, 3, 7, 10]);
      expect(memoryImports).toEqual([
        variant === 'plain'
          ? { module: 'env', name: 'memory', flags: 0, min: 0 }
          : { module: 'env', name: 'memory', flags: 3, min: 0, max: 65536 },
      ]);
      const mod = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      expect(
        WebAssembly.Module.exports(mod)
          .map((e) => e.name)
          .sort(),
      ).toEqual([
        'adam',
        'addSignScaled',
        'axpby',
        'biasRelu',
        'gatherRowSum',
        'gemm',
        'gemmBatched',
        'gemmScratchBytes',
        'reluMaskGrad',
        'scale',
        'scatterRowAdd',
        'sgd',
      ]);
    });
  }
});

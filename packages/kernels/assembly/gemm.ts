// Single-precision GEMM on raw byte offsets into an imported memory (tfjs-backend-wasm's heap).
//
// C[M, N] = op(A) · op(B), with op(X) = X or Xᵀ, every matrix row-major and densely packed.
//
// Determinism: every output is the same left-to-right sum in every layout, block size and
// edge position:
//     c = +0;  for k = 0 .. K-1:  c = fl(c + fl(a[i,k] · b[k,j]))
// Only f32x4.mul and f32x4.add (and their scalar twins) touch the values; no FMA, no relaxed
// SIMD, no reassociation. K-blocking keeps the order because the partial sum is stored in C
// and loaded back into the accumulator, which is exact.
//
// Structure (GotoBLAS-style, one core): for each block of op(B) (KC x NC) and op(A) (MC x KC),
// both operands are packed k-major into zero-padded panels, B into panels of NR = 8 columns and
// A into panels of MR = 4 rows (4x4 SIMD transposes for a plain A, straight vector copies for a
// transposed one), so the layouts only matter while packing and the microkernel reads both
// sequentially. One register-blocked 4x8 microkernel (eight f32x4 accumulators, one
// v128.load32_splat per row) does the work, a 4x4 one serves narrow edge panels; partial tiles
// run on a small scratch tile and copy the valid part back. (Measured on V8: larger tiles
// (6x8, 4x12) and unrolling k by 2 are slower, the extra registers spill.)
//
// Memory: this module has no data segment, no globals and no heap. All scratch comes from the
// caller (`scratch`, at least `gemmScratchBytes(m, n, k)` bytes, any alignment).

// Microkernel tile and cache blocking, in elements.
// @ts-ignore: decorator
@inline const MR: i32 = 4;
// @ts-ignore: decorator
@inline const NR: i32 = 8;
// @ts-ignore: decorator
@inline const KC: i32 = 256;
// @ts-ignore: decorator
@inline const MC: i32 = 128;
// @ts-ignore: decorator
@inline const NC: i32 = 512;

// @ts-ignore: decorator
@inline function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

// @ts-ignore: decorator
@inline function byteOffset(elements: i32): usize {
  return (<usize>elements) << 2;
}

/** Bytes of scratch `gemm` needs for a [rows, depth] · [depth, cols] product (0 when nothing is computed). */
export function gemmScratchBytes(rows: i32, cols: i32, depth: i32): i32 {
  // m, n, k: the usual GEMM names inside (not the model's m hidden neurons).
  const m = rows;
  const n = cols;
  const k = depth;
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const kc = min(k, KC);
  const nc = roundUp(min(n, NC), NR);
  const mc = min(m & ~(MR - 1), MC);
  // Packed B block, packed A block, one zero-padded A edge panel,
  // one C edge tile; +16 to align the base.
  return (kc * nc + mc * kc + kc * MR + MR * NR) * 4 + 16;
}

/**
 * The 4x8 microkernel: C[0:4, 0:8] (+)= Ap[0:4, 0:kc] · Bp[0:kc, 0:8].
 * `ap` holds kc groups of MR row values, `bp` kc groups of NR column values (both packed);
 * `ldc` is C's row stride in elements. With `accumulate`, C's current values are the starting
 * partial sums.
 */
function micro8(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, accumulate: bool): void {
  const ldcb = byteOffset(ldc);
  const c1 = c + ldcb;
  const c2 = c1 + ldcb;
  const c3 = c2 + ldcb;
  let c00 = f32x4.splat(0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  if (accumulate) {
    c00 = v128.load(c);
    c01 = v128.load(c, 16);
    c10 = v128.load(c1);
    c11 = v128.load(c1, 16);
    c20 = v128.load(c2);
    c21 = v128.load(c2, 16);
    c30 = v128.load(c3);
    c31 = v128.load(c3, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    ap += MR * 4;
    bp += NR * 4;
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

/** The 4x4 microkernel for narrow edge panels: `micro8` on the first 4 panel columns. */
function micro4(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, accumulate: bool): void {
  const ldcb = byteOffset(ldc);
  const c1 = c + ldcb;
  const c2 = c1 + ldcb;
  const c3 = c2 + ldcb;
  let c00 = f32x4.splat(0);
  let c10 = c00;
  let c20 = c00;
  let c30 = c00;
  if (accumulate) {
    c00 = v128.load(c);
    c10 = v128.load(c1);
    c20 = v128.load(c2);
    c30 = v128.load(c3);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    c00 = f32x4.add(c00, f32x4.mul(v128.load32_splat(ap), b0));
    c10 = f32x4.add(c10, f32x4.mul(v128.load32_splat(ap, 4), b0));
    c20 = f32x4.add(c20, f32x4.mul(v128.load32_splat(ap, 8), b0));
    c30 = f32x4.add(c30, f32x4.mul(v128.load32_splat(ap, 12), b0));
    ap += MR * 4;
    bp += NR * 4;
  }
  v128.store(c, c00);
  v128.store(c1, c10);
  v128.store(c2, c20);
  v128.store(c3, c30);
}

/**
 * One 4x8 tile of C with `mr` valid rows and `nr` valid columns. Full tiles (and full 4x4
 * ones) write C directly; partial ones go through `tile` ([4, 8] scratch) so nothing outside
 * C is read or written.
 */
function tile4x8(
  ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: bool, tile: usize,
): void {
  if (mr == MR) {
    if (nr == NR) {
      micro8(ap, bp, kc, c, ldc, accumulate);
      return;
    }
    if (nr == 4) {
      micro4(ap, bp, kc, c, ldc, accumulate);
      return;
    }
  }
  if (accumulate) {
    for (let r = 0; r < MR; r++) {
      for (let j = 0; j < NR; j++) {
        const v: f32 = r < mr && j < nr ? load<f32>(c + byteOffset(r * ldc + j)) : 0;
        store<f32>(tile + byteOffset(r * NR + j), v);
      }
    }
  }
  if (nr <= 4) micro4(ap, bp, kc, tile, NR, accumulate);
  else micro8(ap, bp, kc, tile, NR, accumulate);
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      store<f32>(c + byteOffset(r * ldc + j), load<f32>(tile + byteOffset(r * NR + j)));
    }
  }
}

/**
 * Packs the transposed-A block op(A)[ic : ic+mc, pc : pc+kc] (mc a multiple of 4) into panels
 * of 4 rows, k-major: panel p, step kk, row r at ap[p*4*kc + kk*4 + r]. In a transposed A the 4
 * rows of a panel are 16 contiguous bytes, but consecutive k are a whole row of A apart (often
 * a page), so reading in place would miss the TLB on every step; packed, the microkernel reads
 * sequentially.
 */
function packTransposedA(a: usize, ap: usize, m: i32, ic: i32, mc: i32, pc: i32, kc: i32): void {
  const step = byteOffset(m);
  for (let ir = 0; ir < mc; ir += MR) {
    let src = a + byteOffset(pc * m + ic + ir);
    let dst = ap + byteOffset(ir * kc);
    for (let kk = 0; kk < kc; kk++) {
      v128.store(dst, v128.load(src));
      src += step;
      dst += MR * 4;
    }
  }
}

/** Packs a plain-A block into 4-row panels (as packTransposedA), with 4x4 SIMD transposes. */
function packPlainA(a: usize, ap: usize, k: i32, ic: i32, mc: i32, pc: i32, kc: i32): void {
  const rowStep = byteOffset(k);
  const kc4 = kc & ~3;
  for (let ir = 0; ir < mc; ir += MR) {
    const s0 = a + byteOffset((ic + ir) * k + pc);
    const s1 = s0 + rowStep;
    const s2 = s1 + rowStep;
    const s3 = s2 + rowStep;
    const dst = ap + byteOffset(ir * kc);
    let kk = 0;
    for (; kk < kc4; kk += 4) {
      const o = byteOffset(kk);
      const r0 = v128.load(s0 + o);
      const r1 = v128.load(s1 + o);
      const r2 = v128.load(s2 + o);
      const r3 = v128.load(s3 + o);
      const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
      const t1 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
      const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
      const d = dst + byteOffset(kk * MR);
      v128.store(d, v128.shuffle<i32>(t0, t1, 0, 1, 4, 5));
      v128.store(d, v128.shuffle<i32>(t0, t1, 2, 3, 6, 7), 16);
      v128.store(d, v128.shuffle<i32>(t2, t3, 0, 1, 4, 5), 32);
      v128.store(d, v128.shuffle<i32>(t2, t3, 2, 3, 6, 7), 48);
    }
    for (; kk < kc; kk++) {
      const o = byteOffset(kk);
      const d = dst + byteOffset(kk * MR);
      store<f32>(d, load<f32>(s0 + o));
      store<f32>(d, load<f32>(s1 + o), 4);
      store<f32>(d, load<f32>(s2 + o), 8);
      store<f32>(d, load<f32>(s3 + o), 12);
    }
  }
}

/**
 * Copies the last `mr` (< 4) rows op(A)[i0 : i0+mr, pc : pc+kc] into a zero-padded panel
 * (step kk, row r at ap[kk*4 + r]), so the microkernels never read past A.
 */
function packEdgeA(a: usize, ap: usize, transA: bool, m: i32, k: i32, i0: i32, mr: i32, pc: i32, kc: i32): void {
  for (let kk = 0; kk < kc; kk++) {
    for (let r = 0; r < MR; r++) {
      let v: f32 = 0;
      if (r < mr) {
        const idx = transA ? (pc + kk) * m + i0 + r : (i0 + r) * k + pc + kk;
        v = load<f32>(a + byteOffset(idx));
      }
      store<f32>(ap + byteOffset(kk * MR + r), v);
    }
  }
}

/**
 * Packs op(B)[pc : pc+kc, jc : jc+nc] into panels of NR columns: panel q, step kk, column j
 * lives at bp[q*NR*kc + kk*NR + j]. Columns past `nc` are zero.
 */
function packB(b: usize, bp: usize, transB: bool, n: i32, k: i32, pc: i32, kc: i32, jc: i32, nc: i32): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const dst = bp + byteOffset(jr * kc);
    const j0 = jc + jr;
    if (transB) {
      // op(B)[kk, j] = b[j*k + kk]: read each row of b sequentially, write with stride NR.
      for (let j = 0; j < NR; j++) {
        if (j < nr) {
          const src = b + byteOffset((j0 + j) * k + pc);
          for (let kk = 0; kk < kc; kk++) {
            store<f32>(dst + byteOffset(kk * NR + j), load<f32>(src + byteOffset(kk)));
          }
        } else {
          for (let kk = 0; kk < kc; kk++) store<f32>(dst + byteOffset(kk * NR + j), 0);
        }
      }
    } else {
      // op(B)[kk, j] = b[kk*n + j]: the 8 columns of a panel are contiguous in memory.
      if (nr == NR) {
        let src = b + byteOffset(pc * n + j0);
        const step = byteOffset(n);
        for (let kk = 0; kk < kc; kk++) {
          const d = dst + byteOffset(kk * NR);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += step;
        }
      } else {
        for (let kk = 0; kk < kc; kk++) {
          const src = b + byteOffset((pc + kk) * n + j0);
          for (let j = 0; j < NR; j++) {
            const v: f32 = j < nr ? load<f32>(src + byteOffset(j)) : 0;
            store<f32>(dst + byteOffset(kk * NR + j), v);
          }
        }
      }
    }
  }
}

/**
 * C[rows, cols] = op(A) · op(B) for one matrix triple, summing over `depth` (inside: m, n, k).
 *
 * @param a - byte offset of A: [rows, depth] row-major, or [depth, rows] when `transA` is set.
 * @param b - byte offset of B: [depth, cols] row-major, or [cols, depth] when `transB` is set.
 * @param c - byte offset of C: [rows, cols] row-major, must not overlap A, B or the scratch.
 * @param scratch - byte offset of at least `gemmScratchBytes(rows, cols, depth)` bytes.
 */
export function gemm(
  a: usize, b: usize, c: usize, rows: i32, cols: i32, depth: i32, transA: bool, transB: bool, scratch: usize,
): void {
  const m = rows;
  const n = cols;
  const k = depth;
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    // An empty sum is +0 everywhere.
    memory.fill(c, 0, byteOffset(m) * <usize>n);
    return;
  }
  const kcMax = min(k, KC);
  const ncMax = roundUp(min(n, NC), NR);
  const mFull = m & ~(MR - 1);
  const mcMax = min(mFull, MC);
  const bp = (scratch + 15) & ~(<usize>15);
  const apBlock = bp + byteOffset(kcMax * ncMax);
  const ap = apBlock + byteOffset(mcMax * kcMax);
  const tile = ap + byteOffset(kcMax * MR);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      packB(b, bp, transB, n, k, pc, kc, jc, nc);
      for (let ic = 0; ic < mFull; ic += MC) {
        const mc = min(MC, mFull - ic);
        if (transA) packTransposedA(a, apBlock, m, ic, mc, pc, kc);
        else packPlainA(a, apBlock, k, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bPanel = bp + byteOffset(jr * kc);
          for (let ir = 0; ir < mc; ir += MR) {
            const cTile = c + byteOffset((ic + ir) * n + jc + jr);
            tile4x8(apBlock + byteOffset(ir * kc), bPanel, kc, cTile, n, MR, nr, accumulate, tile);
          }
        }
      }
      if (mFull < m) {
        const mr = m - mFull;
        packEdgeA(a, ap, transA, m, k, mFull, mr, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const cTile = c + byteOffset(mFull * n + jc + jr);
          tile4x8(ap, bp + byteOffset(jr * kc), kc, cTile, n, mr, nr, accumulate, tile);
        }
      }
    }
  }
}

/**
 * Batched `gemm`: for t in 0 .. batch-1, C_t = op(A_t) · op(B_t) with A_t = a + t·strideA
 * elements (strideA = 0 broadcasts one A over the batch; likewise B) and C_t = c + t·m·n.
 */
export function gemmBatched(
  a: usize, b: usize, c: usize, batch: i32, rows: i32, cols: i32, depth: i32, transA: bool, transB: bool,
  strideA: i32, strideB: i32, scratch: usize,
): void {
  const m = rows;
  const n = cols;
  const k = depth;
  for (let t = 0; t < batch; t++) {
    gemm(
      a + byteOffset(t) * <usize>strideA,
      b + byteOffset(t) * <usize>strideB,
      c + byteOffset(t) * <usize>(m * n),
      m, n, k, transA, transB, scratch,
    );
  }
}

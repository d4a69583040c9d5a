//! The encoder's linear layers: `y = x·Wᵀ + b` for a few to a few hundred
//! token rows at a time.
//!
//! # Design decision: weights packed once, a register-tiled kernel
//!
//! A general matrix-multiply library copies ("packs") both operands into
//! its own layout on every call. For one support message (a dozen tokens)
//! that copy of the 40 MB of weights costs more than the arithmetic: it was
//! 54 % of the time with ndarray/matrixmultiply. Here each weight matrix is
//! packed once, when the model loads, into panels of [`PANEL`] output
//! columns, each panel `[in][PANEL]` contiguous, so the kernel streams it
//! in order. The kernel keeps a tile of `R` rows × one panel of sums in
//! registers and adds one input column at a time with fused multiply-adds.
//!
//! The SIMD width is chosen at run time by `pulp` (AVX-512, AVX2+FMA, SSE
//! or NEON), with safe code throughout: the crate forbids `unsafe`.

use pulp::{Arch, Simd, WithSimd};

/// Output columns per packed panel: four AVX-512 vectors, eight AVX2 ones.
pub const PANEL: usize = 64;

/// A packed linear layer.
pub struct Linear {
    inp: usize,
    out: usize,
    /// `ceil(out / PANEL)` panels, each `inp × PANEL / 2` words of two
    /// bf16 weights, zero-padded (see [`Linear::new`] for the order).
    panels: Vec<u32>,
    /// f32 lanes of the SIMD width the panels were packed for.
    lanes: usize,
    /// One per output column, zero-padded to whole panels.
    bias: Vec<f32>,
}

impl Linear {
    /// Packs a weight stored PyTorch-style, `[out][in]` row-major, for
    /// `arch`'s SIMD width. Within a panel's row `k`, word `j·L + i` (L
    /// lanes) holds column `2j·L + i` in its high half and `(2j+1)·L + i`
    /// in its low half, so one vector of words is two vectors of weights.
    pub fn new(arch: Arch, weight: &[f32], bias: &[f32], out: usize, inp: usize) -> Linear {
        let lanes = arch.dispatch(Lanes);
        let n_panels = out.div_ceil(PANEL);
        let half = PANEL / 2;
        let mut panels = vec![0_u32; n_panels * inp * half];
        for (o, row) in weight.chunks_exact(inp).take(out).enumerate() {
            let (panel, col) = (o / PANEL, o % PANEL);
            let (vector, lane) = (col / lanes, col % lanes);
            let word = (vector / 2) * lanes + lane;
            let shift = if vector % 2 == 0 { 16 } else { 0 };
            let base = panel * inp * half + word;
            for (k, &w) in row.iter().enumerate() {
                panels[base + k * half] |= u32::from(bf16(w)) << shift;
            }
        }
        let mut padded = vec![0.0; n_panels * PANEL];
        padded[..out.min(bias.len())].copy_from_slice(&bias[..out.min(bias.len())]);
        Linear {
            inp,
            out,
            panels,
            lanes,
            bias: padded,
        }
    }

    /// `x` holds rows of `inp` values; returns the rows of `out` values.
    pub fn apply(&self, arch: Arch, x: &[f32]) -> Vec<f32> {
        let rows = x.len() / self.inp.max(1);
        let mut y = vec![0.0; rows * self.out];
        arch.dispatch(Apply {
            layer: self,
            x,
            y: &mut y,
        });
        y
    }
}

/// f32 lanes of the dispatched SIMD width.
struct Lanes;

impl WithSimd for Lanes {
    type Output = usize;

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        std::mem::size_of::<S::f32s>() / 4
    }
}

/// f32 to bfloat16 (the high half), rounding to nearest even.
fn bf16(v: f32) -> u16 {
    let bits = v.to_bits();
    let rounded = bits.wrapping_add(0x7FFF + ((bits >> 16) & 1));
    (rounded >> 16) as u16
}

struct Apply<'a> {
    layer: &'a Linear,
    x: &'a [f32],
    y: &'a mut [f32],
}

impl WithSimd for Apply<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        // Tiles of R rows × V vectors (one panel) of running sums: as many
        // sums as leave room for the panel's vectors and one broadcast in
        // the registers (32 with AVX-512, 16 with AVX2, 16 with SSE/NEON).
        let lanes = std::mem::size_of::<S::f32s>() / 4;
        if lanes != self.layer.lanes {
            // Packed for another width (cannot happen: one Arch per process).
            return scalar(self);
        }
        match lanes {
            16 => run::<S, 6, 4>(simd, self),
            8 => run::<S, 2, 8>(simd, self),
            4 => run::<S, 1, 16>(simd, self),
            _ => scalar(self),
        }
    }
}

#[inline(always)]
fn run<S: Simd, const R: usize, const V: usize>(simd: S, job: Apply<'_>) {
    let Apply { layer, x, y } = job;
    let (inp, out) = (layer.inp, layer.out);
    let rows = x.len() / inp.max(1);
    let groups = rows / R;
    // The input, R rows at a time, transposed to `[in][R]` once for every
    // panel: the inner loop then walks two slices in step.
    let mut xt = vec![0.0_f32; groups * inp * R];
    for (g, tile) in xt.chunks_exact_mut(inp * R).enumerate() {
        for r in 0..R {
            let src = &x[(g * R + r) * inp..][..inp];
            for (dst, &v) in tile.iter_mut().skip(r).step_by(R).zip(src) {
                *dst = v;
            }
        }
    }
    for (p, (panel, bias)) in layer
        .panels
        .chunks_exact(inp * PANEL / 2)
        .zip(layer.bias.chunks_exact(PANEL))
        .enumerate()
    {
        let (panel, _) = S::as_simd_u32s(panel);
        let (bias, _) = S::as_simd_f32s(bias);
        let mut start: [S::f32s; V] = [simd.splat_f32s(0.0); V];
        start.copy_from_slice(&bias[..V]);
        let cols = (out - p * PANEL).min(PANEL);
        for (g, tile_x) in xt.chunks_exact(inp * R).enumerate() {
            let sums = tile::<S, R, V>(simd, panel, tile_x, start);
            for (r, sums) in sums.iter().enumerate() {
                store::<S, V>(sums, &mut y[(g * R + r) * out + p * PANEL..][..cols]);
            }
        }
        // The last rows, fewer than R, as one tile of their own: a tile of
        // one row would wait on each sum's previous multiply-add.
        let first = groups * R;
        let tail = &x[first * inp..rows * inp];
        let dst = &mut y[first * out..rows * out];
        match rows - first {
            0 => {}
            1 => tail_tile::<S, 1, V>(simd, panel, tail, start, dst, out, p, cols),
            2 => tail_tile::<S, 2, V>(simd, panel, tail, start, dst, out, p, cols),
            3 => tail_tile::<S, 3, V>(simd, panel, tail, start, dst, out, p, cols),
            4 => tail_tile::<S, 4, V>(simd, panel, tail, start, dst, out, p, cols),
            _ => tail_tile::<S, 5, V>(simd, panel, tail, start, dst, out, p, cols),
        }
    }
}

/// A tile of the last `T` rows (`T` < R): transposes them, then [`tile`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn tail_tile<S: Simd, const T: usize, const V: usize>(
    simd: S,
    panel: &[S::u32s],
    x: &[f32],
    start: [S::f32s; V],
    y: &mut [f32],
    out: usize,
    p: usize,
    cols: usize,
) {
    let inp = x.len() / T;
    let mut xt = vec![0.0_f32; inp * T];
    for r in 0..T {
        for (dst, &v) in xt
            .iter_mut()
            .skip(r)
            .step_by(T)
            .zip(&x[r * inp..(r + 1) * inp])
        {
            *dst = v;
        }
    }
    let sums = tile::<S, T, V>(simd, panel, &xt, start);
    for (r, sums) in sums.iter().enumerate() {
        store::<S, V>(sums, &mut y[r * out + p * PANEL..][..cols]);
    }
}

/// `R` rows of sums over one panel: `start + Σ_k x[r][k] · panel[k]`.
#[inline(always)]
fn tile<S: Simd, const R: usize, const V: usize>(
    simd: S,
    panel: &[S::u32s],
    xt: &[f32],
    start: [S::f32s; V],
) -> [[S::f32s; V]; R] {
    let high = simd.splat_u32s(0xFFFF_0000);
    let sixteen = simd.splat_u32s(16);
    let mut acc = [start; R];
    let mut w = [simd.splat_f32s(0.0); V];
    for (words, xs) in panel.chunks_exact(V / 2).zip(xt.chunks_exact(R)) {
        // bf16 to f32 is the 16 bits moved to the top of a word.
        for (j, &word) in words.iter().enumerate() {
            w[2 * j] = simd.transmute_f32s_u32s(simd.and_u32s(word, high));
            w[2 * j + 1] = simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(word, sixteen));
        }
        for r in 0..R {
            let a = simd.splat_f32s(xs[r]);
            for v in 0..V {
                acc[r][v] = simd.mul_add_f32s(a, w[v], acc[r][v]);
            }
        }
    }
    acc
}

/// Writes one row of a panel's sums, of which `dst.len()` columns are real.
#[inline(always)]
fn store<S: Simd, const V: usize>(sums: &[S::f32s; V], dst: &mut [f32]) {
    if dst.len() == PANEL {
        let (dst, _) = S::as_mut_simd_f32s(dst);
        dst[..V].copy_from_slice(sums);
    } else {
        let mut full = [0.0_f32; PANEL];
        let (vectors, _) = S::as_mut_simd_f32s(&mut full);
        vectors[..V].copy_from_slice(sums);
        let n = dst.len();
        dst.copy_from_slice(&full[..n]);
    }
}

/// Any other width: plain loops over the same packed layout.
fn scalar(job: Apply<'_>) {
    let Apply { layer, x, y } = job;
    let (inp, out, lanes) = (layer.inp, layer.out, layer.lanes);
    let half = PANEL / 2;
    for (xr, yr) in x.chunks_exact(inp).zip(y.chunks_exact_mut(out)) {
        for (c, yc) in yr.iter_mut().enumerate() {
            let (p, col) = (c / PANEL, c % PANEL);
            let (vector, lane) = (col / lanes, col % lanes);
            let word = (vector / 2) * lanes + lane;
            let shift = if vector % 2 == 0 { 16 } else { 0 };
            let panel = &layer.panels[p * inp * half..][..inp * half];
            *yc = layer.bias[c]
                + xr.iter()
                    .enumerate()
                    .map(|(k, &v)| {
                        let bits = (panel[k * half + word] >> shift) & 0xFFFF;
                        v * f32::from_bits(bits << 16)
                    })
                    .sum::<f32>();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition, for comparison.
    fn reference(weight: &[f32], bias: &[f32], x: &[f32], out: usize, inp: usize) -> Vec<f32> {
        x.chunks_exact(inp)
            .flat_map(|row| {
                (0..out).map(move |o| {
                    bias[o] + (0..inp).map(|k| row[k] * weight[o * inp + k]).sum::<f32>()
                })
            })
            .collect()
    }

    #[test]
    fn bfloat16_keeps_about_three_significant_digits() {
        for v in [1.0_f32, -0.3, 1e-5, 123.456, 0.0] {
            let back = f32::from_bits(u32::from(bf16(v)) << 16);
            assert!((back - v).abs() <= v.abs() / 256.0, "{v} -> {back}");
        }
    }

    #[test]
    fn packed_products_equal_the_plain_definition_for_any_shape() {
        let arch = Arch::new();
        for (rows, inp, out) in [
            (1, 3, 1),
            (5, 17, 70),
            (7, 64, 128),
            (14, 40, 200),
            (0, 8, 64),
        ] {
            let weight: Vec<f32> = (0..out * inp)
                .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
                .collect();
            let bias: Vec<f32> = (0..out).map(|i| i as f32 / 10.0).collect();
            let x: Vec<f32> = (0..rows * inp)
                .map(|i| ((i * 13 % 17) as f32 - 8.0) / 5.0)
                .collect();
            let layer = Linear::new(arch, &weight, &bias, out, inp);
            let got = layer.apply(arch, &x);
            // The weights as the kernel holds them: bfloat16.
            let rounded: Vec<f32> = weight
                .iter()
                .map(|&w| f32::from_bits(u32::from(bf16(w)) << 16))
                .collect();
            let want = reference(&rounded, &bias, &x, out, inp);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                    "{rows}x{inp}x{out}: {g} vs {w}"
                );
            }
            let mut scalar_out = vec![0.0; rows * out];
            scalar(Apply {
                layer: &layer,
                x: &x,
                y: &mut scalar_out,
            });
            for (g, w) in scalar_out.iter().zip(&got) {
                assert!((g - w).abs() <= 1e-4 * (1.0 + w.abs()));
            }
        }
    }
}

//! Tests of `semantic.rs`.

use super::*;

fn unit(v: &[f32]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

#[test]
fn vectors_near_an_intents_examples_score_highest_for_it() {
    let a = [unit(&[1.0, 0.1, 0.0]), unit(&[0.9, 0.2, 0.1])];
    let b = [unit(&[0.0, 1.0, 0.1]), unit(&[0.1, 0.9, 0.0])];
    let vectors: Vec<&[f32]> = a.iter().chain(&b).map(|v| v.as_slice()).collect();
    let model = Semantic::train(&vectors, &[0, 0, 1, 1], 2, 3);
    let s = model.scores(&unit(&[0.95, 0.15, 0.05]));
    assert!(s.linear[0] > s.linear[1]);
    assert!(s.nearest[0] > 0.99 && s.nearest[1] < 0.3);
    // A vector of the wrong width scores nothing rather than panicking.
    assert_eq!(model.scores(&[1.0]).nearest, vec![-1.0, -1.0]);
}

/// [`dots`] under the CPU's widest SIMD, as scoring runs it.
struct AllDots<'a> {
    rows: &'a [f32],
    dims: usize,
    vector: &'a [f32],
}

impl WithSimd for AllDots<'_> {
    type Output = Vec<(usize, u32)>;

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) -> Self::Output {
        let mut got = Vec::new();
        dots(simd, self.rows, self.dims, self.vector, |i, d| {
            got.push((i, d.to_bits()))
        });
        got
    }
}

#[test]
fn scores_four_rows_at_a_time_exactly_as_one_at_a_time_without_simd() {
    let mut seed = 0x0BAD_5EED_0BAD_5EED;
    let dims = 40;
    let rows: Vec<f32> = (0..9 * dims).map(|_| noise(&mut seed)).collect();
    let vector: Vec<f32> = (0..dims).map(|_| noise(&mut seed)).collect();
    let mut got = Vec::new();
    dots(pulp::Scalar, &rows, dims, &vector, |i, d| {
        got.push((i, d.to_bits()))
    });
    let want: Vec<(usize, u32)> = rows
        .chunks_exact(dims)
        .map(|row| dot(row, &vector).to_bits())
        .enumerate()
        .collect();
    assert_eq!(got, want);
}

/// Deterministic pseudo-random numbers in [-1, 1).
fn noise(seed: &mut u64) -> f32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

#[test]
fn scores_four_rows_at_a_time_exactly_as_one_at_a_time() {
    let mut seed = 0x1234_5678_9ABC_DEF1;
    // 384 is the encoder's width; the others leave tails and odd rows.
    for dims in [384, 16, 17, 5, 40] {
        for n_rows in [0, 1, 3, 4, 5, 8, 11] {
            let rows: Vec<f32> = (0..n_rows * dims).map(|_| noise(&mut seed)).collect();
            let vector: Vec<f32> = (0..dims).map(|_| noise(&mut seed)).collect();
            let got = Arch::new().dispatch(AllDots {
                rows: &rows,
                dims,
                vector: &vector,
            });
            let want: Vec<(usize, u32)> = rows
                .chunks_exact(dims)
                .map(|row| dot(row, &vector).to_bits())
                .enumerate()
                .collect();
            assert_eq!(got, want, "dims {dims}, rows {n_rows}");
        }
    }
}

#[test]
fn an_intent_set_scores_the_same_through_the_fast_path() {
    let mut seed = 0xDEAD_BEEF_CAFE_F00D;
    let dims = 384;
    let vectors: Vec<Vec<f32>> = (0..23)
        .map(|_| unit(&(0..dims).map(|_| noise(&mut seed)).collect::<Vec<_>>()))
        .collect();
    let slices: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
    let labels: Vec<usize> = (0..23).map(|i| i % 5).collect();
    let model = Semantic::train(&slices, &labels, 5, dims);
    let message = unit(&(0..dims).map(|_| noise(&mut seed)).collect::<Vec<_>>());
    let s = model.scores(&message);
    let linear: Vec<f32> = model
        .weights
        .chunks_exact(dims)
        .map(|w| dot(w, &message))
        .collect();
    let mut nearest = vec![-1.0_f32; 5];
    for (example, &label) in model.examples.chunks_exact(dims).zip(&model.labels) {
        nearest[label as usize] = nearest[label as usize].max(dot(example, &message));
    }
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&s.linear), bits(&linear));
    assert_eq!(bits(&s.nearest), bits(&nearest));
}

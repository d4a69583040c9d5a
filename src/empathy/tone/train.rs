//! `tandem empathy train`: fits the tone model on a labelled data set
//! (`text,frustrated` rows; GoEmotions-derived in `../shared/data`).
//!
//! Both variants are L2-regularised logistic regressions (C = 1, as
//! scikit-learn would fit them), solved to convergence with L-BFGS in f64:
//! deterministic, no learning rate to tune. Terms seen in fewer than
//! [`MIN_DOC_FREQ`] training messages are left out (a 20,000-term model
//! scores as well as one with three times more). The threshold of each
//! variant is the probability with the best F1 on the validation rows.

use std::collections::HashMap;

use super::features::{self, LEXICON_FEATURES};
use super::{sigmoid, ToneFile, ToneModel, Variant};
use crate::empathy::eval::{best_threshold, Case, Metrics};
use crate::encoder::Embedder;

/// Terms must appear in this many training messages to be kept.
pub const MIN_DOC_FREQ: u32 = 5;
/// Inverse regularisation strength (scikit-learn's `C`).
const C: f64 = 1.0;
/// L-BFGS iterations at most, and the history it keeps.
const MAX_ITERATIONS: usize = 300;
const HISTORY: usize = 10;

/// What training measured on the validation rows.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub terms: usize,
    pub words: Metrics,
    /// `None` without an encoder (the `full` variant then copies `words`).
    pub full: Option<Metrics>,
}

/// One message as features: known terms (index, tf-idf), lexicon features,
/// sentence vector (may be empty).
struct Example {
    terms: Vec<(usize, f32)>,
    lexicon: [f32; LEXICON_FEATURES],
    vector: Vec<f32>,
    label: f64,
}

/// Fits both variants on `train`, chooses their thresholds on `val`.
pub fn train(
    train: &[Case],
    val: &[Case],
    embedder: &Embedder,
    progress: &(dyn Fn(&str) + Sync),
) -> (ToneFile, TrainReport) {
    // Vocabulary: terms in at least MIN_DOC_FREQ messages, in sorted order.
    let mut doc_freq: HashMap<String, u32> = HashMap::new();
    for case in train {
        for term in features::terms(&case.text).into_keys() {
            *doc_freq.entry(term).or_default() += 1;
        }
    }
    let mut kept: Vec<(String, u32)> = doc_freq
        .into_iter()
        .filter(|(_, df)| *df >= MIN_DOC_FREQ)
        .collect();
    kept.sort();
    let n = train.len() as f32;
    let vocabulary = features::Vocabulary::new(
        kept.iter()
            .map(|(term, df)| (term.clone(), ((1.0 + n) / (1.0 + *df as f32)).ln() + 1.0)),
    );
    progress(&format!("{} terms; encoding messages", kept.len()));
    let examples = |cases: &[Case]| -> Vec<Example> {
        let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
        let vectors = embedder.embed_many(&texts, &|_, _| {}).unwrap_or_default();
        cases
            .iter()
            .enumerate()
            .map(|(i, c)| Example {
                terms: features::weighted_terms(&c.text, &vocabulary),
                lexicon: features::lexicon(&c.text),
                vector: vectors
                    .get(i)
                    .map(|v| v.as_slice().to_vec())
                    .unwrap_or_default(),
                label: if c.frustrated { 1.0 } else { 0.0 },
            })
            .collect()
    };
    let train_set = examples(train);
    let val_set = examples(val);
    let dims = train_set.first().map_or(0, |e| e.vector.len());

    progress("fitting the words-only variant");
    let words = fit(&train_set, kept.len(), 0);
    let full = (dims > 0).then(|| {
        progress("fitting the variant with sentence vectors");
        fit(&train_set, kept.len(), dims)
    });

    let mut file = ToneFile {
        about: format!(
            "Tandem's tone model (src/empathy/tone): logistic regressions fitted by `tandem empathy train` \
             on {} labelled messages ({} frustrated), terms in at least {MIN_DOC_FREQ} of them, C = {C}.",
            train.len(),
            train.iter().filter(|c| c.frustrated).count()
        ),
        terms: kept
            .iter()
            .enumerate()
            .map(|(i, (term, _))| {
                let idf = vocabulary.idf(i).unwrap_or_default();
                let w = words[i] as f32;
                let f = full.as_ref().map_or(w, |f| f[i] as f32);
                (term.clone(), round(idf), round(w), round(f))
            })
            .collect(),
        words: variant(&words, kept.len(), 0),
        full: match &full {
            Some(f) => variant(f, kept.len(), dims),
            None => variant(&words, kept.len(), 0),
        },
    };
    // Thresholds: the best F1 on the validation rows, as the shipped model reads them.
    let model = ToneModel::new(file.clone());
    let labels: Vec<bool> = val.iter().map(|c| c.frustrated).collect();
    let measure = |with_vector: bool| -> Metrics {
        let scores: Vec<f32> = val
            .iter()
            .zip(&val_set)
            .map(|(c, e)| {
                let vector = (with_vector && !e.vector.is_empty()).then_some(e.vector.as_slice());
                model.read(&c.text, vector).probability
            })
            .collect();
        best_threshold(&scores, &labels)
    };
    let words_metrics = measure(false);
    file.words.threshold = words_metrics.threshold;
    let full_metrics = full.as_ref().map(|_| measure(true));
    file.full.threshold = full_metrics.map_or(words_metrics.threshold, |m| m.threshold);
    let report = TrainReport {
        terms: kept.len(),
        words: words_metrics,
        full: full_metrics,
    };
    (file, report)
}

/// Four significant decimals keep the file small and change no reading.
fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// The parameters after the terms: lexicon, vector, bias.
fn variant(w: &[f64], terms: usize, dims: usize) -> Variant {
    Variant {
        lexicon: w[terms..terms + LEXICON_FEATURES]
            .iter()
            .map(|&x| round(x as f32))
            .collect(),
        vector: w[terms + LEXICON_FEATURES..terms + LEXICON_FEATURES + dims]
            .iter()
            .map(|&x| round(x as f32))
            .collect(),
        bias: round(w[terms + LEXICON_FEATURES + dims] as f32),
        threshold: 0.5,
    }
}

/// Fits one logistic regression: `terms` term weights, the lexicon's,
/// `dims` vector weights (0 = none), then the bias.
fn fit(examples: &[Example], terms: usize, dims: usize) -> Vec<f64> {
    let size = terms + LEXICON_FEATURES + dims + 1;
    let n = examples.len().max(1) as f64;
    let lambda = 1.0 / (C * n);
    let objective = |w: &[f64], grad: &mut [f64]| -> f64 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let bias = size - 1;
        let mut loss = 0.0;
        for e in examples {
            let mut z = w[bias];
            z += e
                .terms
                .iter()
                .map(|&(i, v)| w[i] * f64::from(v))
                .sum::<f64>();
            z += e
                .lexicon
                .iter()
                .enumerate()
                .map(|(k, &v)| w[terms + k] * f64::from(v))
                .sum::<f64>();
            let vector = &e.vector[..dims.min(e.vector.len())];
            let base = terms + LEXICON_FEATURES;
            z += vector
                .iter()
                .enumerate()
                .map(|(k, &v)| w[base + k] * f64::from(v))
                .sum::<f64>();
            // log(1 + e^z) − y·z, computed stably.
            loss += z.max(0.0) + (-z.abs()).exp().ln_1p() - e.label * z;
            let d = (f64::from(sigmoid(z as f32)) - e.label) / n;
            for &(i, v) in &e.terms {
                grad[i] += d * f64::from(v);
            }
            for (k, &v) in e.lexicon.iter().enumerate() {
                grad[terms + k] += d * f64::from(v);
            }
            for (k, &v) in vector.iter().enumerate() {
                grad[base + k] += d * f64::from(v);
            }
            grad[bias] += d;
        }
        let mut penalty = 0.0;
        for i in 0..size - 1 {
            penalty += w[i] * w[i];
            grad[i] += lambda * w[i];
        }
        loss / n + 0.5 * lambda * penalty
    };
    lbfgs(size, objective)
}

/// Minimises a smooth function with L-BFGS and a backtracking (Armijo)
/// line search, from zero.
fn lbfgs(size: usize, f: impl Fn(&[f64], &mut [f64]) -> f64) -> Vec<f64> {
    let mut x = vec![0.0; size];
    let mut g = vec![0.0; size];
    let mut fx = f(&x, &mut g);
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::new();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    for _ in 0..MAX_ITERATIONS {
        // Two-loop recursion: d = −H·g.
        let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
        let mut alphas = Vec::with_capacity(history.len());
        for (s, y, rho) in history.iter().rev() {
            let a = rho * dot(s, &d);
            d.iter_mut().zip(y).for_each(|(di, yi)| *di -= a * yi);
            alphas.push(a);
        }
        if let Some((s, y, _)) = history.last() {
            let gamma = dot(s, y) / dot(y, y).max(1e-300);
            d.iter_mut().for_each(|di| *di *= gamma);
        } else {
            let norm = dot(&g, &g).sqrt().max(1e-300);
            d.iter_mut().for_each(|di| *di /= norm);
        }
        for ((s, y, rho), a) in history.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(y, &d);
            d.iter_mut().zip(s).for_each(|(di, si)| *di += (a - b) * si);
        }
        let slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction: start the history afresh.
            history.clear();
            continue;
        }
        let mut step = 1.0;
        let mut next = vec![0.0; size];
        let mut next_g = vec![0.0; size];
        let mut next_f;
        loop {
            next.iter_mut()
                .zip(&x)
                .zip(&d)
                .for_each(|((n, xi), di)| *n = xi + step * di);
            next_f = f(&next, &mut next_g);
            if next_f <= fx + 1e-4 * step * slope || step < 1e-10 {
                break;
            }
            step *= 0.5;
        }
        let s: Vec<f64> = next.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = next_g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        let improvement = fx - next_f;
        x = next;
        g = next_g;
        fx = next_f;
        if sy > 1e-12 {
            history.push((s, y, 1.0 / sy));
            if history.len() > HISTORY {
                history.remove(0);
            }
        }
        if improvement.abs() < 1e-10 * fx.abs().max(1.0) || dot(&g, &g).sqrt() < 1e-7 {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbfgs_finds_the_minimum_of_a_bowl() {
        let x = lbfgs(3, |w, g| {
            let target = [1.0, -2.0, 0.5];
            let mut f = 0.0;
            for i in 0..3 {
                let d = w[i] - target[i];
                f += (i as f64 + 1.0) * d * d;
                g[i] = 2.0 * (i as f64 + 1.0) * d;
            }
            f
        });
        for (got, want) in x.iter().zip([1.0, -2.0, 0.5]) {
            assert!((got - want).abs() < 1e-5, "{x:?}");
        }
    }

    #[test]
    fn a_tiny_labelled_set_is_learnt_and_its_words_explain_it() {
        let case = |t: &str, f: bool| Case {
            text: t.to_owned(),
            frustrated: f,
        };
        let mut train = Vec::new();
        for _ in 0..6 {
            train.push(case("this is awful and useless", true));
            train.push(case("awful service, useless", true));
            train.push(case("thanks, that is lovely", false));
            train.push(case("lovely, thank you", false));
        }
        let (file, report) = super::train(&train, &train, &Embedder::none(), &|_| {});
        assert!(report.words.f1 > 0.99, "{report:?}");
        let model = ToneModel::new(file);
        let r = model.read("so awful", None);
        assert!(r.probability > 0.5 && r.words[0].0 == "awful", "{r:?}");
        assert!(model.read("lovely", None).probability < 0.5);
    }
}

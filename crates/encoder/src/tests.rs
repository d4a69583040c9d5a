//! The encoder against Hugging Face's tokenizer and sentence-transformers,
//! run once on the original float32 weights (`scripts/model/reference.py`,
//! output in `crates/encoder/tests/reference.json`).

use serde::Deserialize;

use super::*;

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn reference() -> Reference {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture")
}

fn encoder() -> Arc<Encoder> {
    Encoder::bundled().expect("the repository ships model/minilm-l6-v2.tnm; build.rs embeds it")
}

#[test]
fn text_is_split_into_the_same_word_pieces_as_bert_reads() {
    let encoder = encoder();
    for case in reference().cases {
        assert_eq!(encoder.token_ids(&case.text), case.ids, "{:?}", case.text);
    }
}

#[test]
fn sentence_vectors_match_the_original_model() {
    let encoder = encoder();
    let cases = reference().cases;
    let texts: Vec<&str> = cases.iter().map(|c| c.text.as_str()).collect();
    let batch = encoder.embed_batch(&texts);
    for (case, got) in cases.iter().zip(&batch) {
        let cosine = got.cosine(&case.embedding);
        assert!(cosine >= 0.999, "{:?}: cosine {cosine}", case.text);
        let alone = encoder.embed(&case.text);
        assert!(
            alone.cosine(got.as_slice()) > 0.99999,
            "{:?}: a batch gives the same vector as one text alone",
            case.text
        );
    }
}

#[test]
fn texts_that_mean_the_same_are_closer_than_texts_that_do_not() {
    let encoder = encoder();
    let refund = encoder.embed("when will I get my money back?");
    let similar = encoder.embed("how long does a refund take");
    let different = encoder.embed("do you have this jacket in blue");
    assert!(refund.cosine(similar.as_slice()) > refund.cosine(different.as_slice()) + 0.2);
}

#[test]
fn a_damaged_encoder_file_is_an_error_not_a_panic() {
    assert!(matches!(
        Encoder::from_bytes(b"not a model"),
        Err(EncoderError::NotAnEncoderFile)
    ));
    let bundled = BUNDLED.expect("the repository ships the model");
    for cut in [8, 11, 12, 1000, bundled.len() / 2, bundled.len() - 1] {
        assert!(
            Encoder::from_bytes(&bundled[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut header_broken = bundled[..200].to_vec();
    header_broken[20] = b'}';
    assert!(Encoder::from_bytes(&header_broken).is_err());
}

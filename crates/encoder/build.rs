//! Embeds the sentence encoder when `model/minilm-l6-v2.tnm` is present at
//! the repository root (it is committed there; see model/MODEL.md). Without
//! it Tandem builds and runs with the n-gram matcher alone.

fn main() {
    const MODEL: &str = "../../model/minilm-l6-v2.tnm";
    println!("cargo::rustc-check-cfg=cfg(tandem_bundled_encoder)");
    println!("cargo::rerun-if-changed={MODEL}");
    if std::path::Path::new(MODEL).is_file() {
        println!("cargo::rustc-cfg=tandem_bundled_encoder");
    } else {
        println!("cargo::warning={MODEL} is missing: building without the sentence encoder");
    }
}

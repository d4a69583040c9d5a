//! Labelled cases: CSV with a header and `text,intent` columns (in any
//! order; extra columns ignored). The intent `oos` means "the bot should
//! fall back". Quoted fields with commas and quotes are read properly.

use std::path::Path;

use super::ToolError;

/// The label that means "out of scope: the bot should fall back".
pub const OUT_OF_SCOPE: &str = "oos";

/// One labelled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// What the visitor wrote.
    pub text: String,
    /// The intent it should match, or [`OUT_OF_SCOPE`].
    pub intent: String,
}

impl Case {
    /// Whether the bot should fall back on this case.
    pub fn out_of_scope(&self) -> bool {
        self.intent == OUT_OF_SCOPE
    }
}

/// Reads every case of the CSV file at `path`.
pub fn read(path: &Path) -> Result<Vec<Case>, ToolError> {
    let csv_error = |source| ToolError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(text), Some(intent)) = (column("text"), column("intent")) else {
        return Err(ToolError::Cases {
            path: path.to_path_buf(),
            message: "the first row must name the columns `text` and `intent`".into(),
        });
    };
    let mut cases = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let (Some(t), Some(i)) = (record.get(text), record.get(intent)) else {
            let line = record.position().map_or(0, |p| p.line());
            return Err(ToolError::Cases {
                path: path.to_path_buf(),
                message: format!("line {line}: missing the text or the intent column"),
            });
        };
        if t.is_empty() || i.is_empty() {
            continue;
        }
        cases.push(Case {
            text: t.to_owned(),
            intent: i.to_owned(),
        });
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_with_commas_and_quotes_are_one_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(
            &path,
            "text,intent\n\"in french, how do i say \"\"hi\"\"\",translate\nplain,oos\n",
        )
        .unwrap();
        let cases = read(&path).unwrap();
        assert_eq!(cases[0].text, "in french, how do i say \"hi\"");
        assert_eq!(cases[0].intent, "translate");
        assert!(cases[1].out_of_scope());
    }

    #[test]
    fn a_file_without_the_header_says_what_is_expected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, "hello,greeting\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("`text` and `intent`"), "{err}");
    }
}

//! Emoji and ASCII emoticons, read as feelings.
//!
//! Emoji are matched on the code point; emoticons (`:(`, `>:(`, `:)`, `<3`)
//! are matched on the bytes around a punctuation mark, so neither needs a
//! table lookup or an allocation.

/// The feeling an emoji or emoticon shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Face {
    /// Anger or contempt: 😡 🤬 😤 🖕 `>:(`.
    Angry,
    /// Exasperation: 🙄 😒 😑 🤦 `-_-`. Turns praise just before it sarcastic.
    Exasperated,
    /// Sadness or disappointment: 😢 😞 🙁 `:(` `:/`.
    Sad,
    /// Pleasure or laughter: 🙂 😂 👍 ❤ `:)` `<3`.
    Happy,
}

/// Reads one emoji code point.
pub(super) fn emoji_face(c: char) -> Option<Face> {
    match c {
        '😡' | '🤬' | '😤' | '😠' | '👿' | '💢' | '🖕' | '👎' | '🤮' | '🤢' | '😾' | '🤡'
        | '💩' => Some(Face::Angry),
        '🙄' | '😒' | '😑' | '😫' | '🤦' | '😬' | '😐' | '🥱' | '😮' => {
            Some(Face::Exasperated)
        }
        '😢' | '😭' | '😞' | '😔' | '☹' | '🙁' | '😟' | '😕' | '😿' | '💔' | '😣' | '😖' | '😩' => {
            Some(Face::Sad)
        }
        '🙂' | '😊' | '😀' | '😃' | '😄' | '😁' | '😆' | '😍' | '🥰' | '😘' | '❤' | '♥' | '💕'
        | '💖' | '💗' | '💙' | '💚' | '💛' | '💜' | '🧡' | '👍' | '🙏' | '😂' | '🤣' | '😉'
        | '🎉' | '✨' | '👏' | '💯' | '😎' | '🥳' | '😅' | '😇' | '🤗' | '🙌' | '😋' | '😌'
        | '🌟' | '⭐' | '✅' | '👌' | '💪' | '🔥' | '😻' | '🥲' => Some(Face::Happy),
        _ => None,
    }
}

/// Reads an ASCII emoticon that starts at `bytes[at]`, returning its feeling
/// and its length in bytes.
///
/// An emoticon must not be glued to a word on its left ("http://" and
/// "10:30" are not faces) nor on its right.
pub(super) fn emoticon_at(bytes: &[u8], at: usize) -> Option<(Face, usize)> {
    let before = if at == 0 { b' ' } else { bytes[at - 1] };
    if before.is_ascii_alphanumeric() {
        return None;
    }
    let get = |i: usize| bytes.get(at + i).copied().unwrap_or(b' ');
    let (face, len) = match get(0) {
        b'>' if get(1) == b':' => match get(2) {
            b'(' | b'[' => (Face::Angry, 3),
            b'-' if get(3) == b'(' => (Face::Angry, 4),
            _ => return None,
        },
        b'<' if get(1) == b'3' => (Face::Happy, 2),
        b'-' if get(1) == b'_' && get(2) == b'-' => (Face::Exasperated, 3),
        b':' | b';' | b'=' => {
            let mouth_at = if get(1) == b'-' || get(1) == b'\'' {
                2
            } else {
                1
            };
            let mouth = get(mouth_at);
            let face = match mouth {
                b')' | b']' | b'D' | b'P' | b'p' | b'3' => Face::Happy,
                b'(' | b'[' | b'|' => Face::Sad,
                // ":/" only when it is not the start of "://".
                b'/' | b'\\' if get(mouth_at + 1) != b'/' => Face::Sad,
                b'@' => Face::Angry,
                _ => return None,
            };
            (face, mouth_at + 1)
        }
        _ => return None,
    };
    if get(len).is_ascii_alphanumeric() {
        return None;
    }
    Some((face, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sad_and_angry_emoticons_are_read() {
        assert_eq!(emoticon_at(b"oh :(", 3), Some((Face::Sad, 2)));
        assert_eq!(emoticon_at(b">:(", 0), Some((Face::Angry, 3)));
        assert_eq!(emoticon_at(b":-)", 0), Some((Face::Happy, 3)));
    }

    #[test]
    fn urls_and_times_are_not_faces() {
        assert_eq!(emoticon_at(b"http://x", 4), None);
        assert_eq!(emoticon_at(b"at 10:30", 5), None);
    }
}

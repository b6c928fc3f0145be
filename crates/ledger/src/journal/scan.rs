//! The fast path of the journal reader.
//!
//! `grammar/journal.pest` defines the format. Parsing three million lines
//! with it costs seconds, so well-formed, plain-ASCII lines — nearly all of
//! them — are split here by hand into the same parts the grammar yields;
//! any line this scanner is not sure of returns `None` and goes to the
//! grammar, which either reads it or says exactly what is wrong with it. A
//! property test checks that the two agree on every line this accepts.

/// The parts of a header line, as byte ranges of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderParts<'a> {
    pub timestamp: &'a str,
    pub seq: &'a str,
    /// The description and its byte offset.
    pub description: Option<(&'a str, usize)>,
    pub comment: Option<&'a str>,
}

/// The parts of an indented line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndentedParts<'a> {
    Comment(&'a str),
    Posting {
        account: &'a str,
        /// Byte offset of the account.
        account_at: usize,
        amount: Option<AmountParts<'a>>,
        comment: Option<&'a str>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountParts<'a> {
    pub negative: bool,
    pub number: &'a str,
    /// Byte offset of the number.
    pub number_at: usize,
    pub commodity: Option<&'a str>,
}

fn is_sp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn skip_sp(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_sp(b[i]) {
        i += 1;
    }
    i
}

fn digits(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Plain printable ASCII and tabs (no other control characters, no
/// multi-byte text).
fn plain(b: &[u8]) -> bool {
    b.iter().all(|&c| (0x20..0x7f).contains(&c) || c == b'\t')
}

/// The comment's text: after `;`, trimmed (as the grammar's reader trims it).
fn comment_at(line: &str, i: usize) -> Option<&str> {
    (line.as_bytes().get(i) == Some(&b';')).then(|| line[i + 1..].trim())
}

/// Splits a header line, or `None` to let the grammar decide.
pub fn header(line: &str) -> Option<HeaderParts<'_>> {
    let b = line.as_bytes();
    if !plain(b) {
        return None;
    }
    let t_end = digits(b, 0);
    if t_end == 0 {
        return None;
    }
    let mut i = skip_sp(b, t_end);
    if i == t_end || b.get(i) != Some(&b'(') {
        return None;
    }
    let s_start = i + 1;
    let s_end = digits(b, s_start);
    if s_end == s_start || b.get(s_end) != Some(&b')') {
        return None;
    }
    i = s_end + 1;
    let after = skip_sp(b, i);
    let mut parts = HeaderParts {
        timestamp: &line[..t_end],
        seq: &line[s_start..s_end],
        description: None,
        comment: None,
    };
    if after == b.len() {
        return Some(parts);
    }
    if b[after] == b';' {
        parts.comment = comment_at(line, after);
        return Some(parts);
    }
    if after == i {
        return None; // `)X`: no space before the description
    }
    // The description runs to a `;` or the end, less trailing blanks.
    let end = memchr::memchr(b';', &b[after..]).map_or(b.len(), |j| after + j);
    let mut d_end = end;
    while d_end > after && is_sp(b[d_end - 1]) {
        d_end -= 1;
    }
    parts.description = Some((&line[after..d_end], after));
    if end < b.len() {
        parts.comment = comment_at(line, end);
    }
    Some(parts)
}

/// Splits an indented line (it starts with a space or tab), or `None`.
pub fn indented(line: &str) -> Option<IndentedParts<'_>> {
    let b = line.as_bytes();
    if !plain(b) {
        return None;
    }
    let start = skip_sp(b, 0);
    if start == 0 || start == b.len() {
        return None;
    }
    if b[start] == b';' {
        return Some(IndentedParts::Comment(line[start + 1..].trim()));
    }
    // The account ends at a tab, a `;`, two spaces, or the end.
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\t' | b';' => break,
            b' ' if b
                .get(i + 1)
                .is_none_or(|&c| c == b' ' || c == b'\t' || c == b';') =>
            {
                break
            }
            _ => i += 1,
        }
    }
    let account = &line[start..i];
    if !valid_account(account) {
        return None;
    }
    let gap_end = skip_sp(b, i);
    let gap = &b[i..gap_end];
    let mut parts_amount = None;
    let mut j = gap_end;
    if j < b.len() && b[j] != b';' {
        // An amount needs a tab or two spaces before it.
        if !(gap.contains(&b'\t') || gap.starts_with(b"  ")) {
            return None;
        }
        let negative = match b[j] {
            b'-' => {
                j += 1;
                true
            }
            b'+' => {
                j += 1;
                false
            }
            _ => false,
        };
        let n_start = j;
        j = digits(b, j);
        if j == n_start {
            return None;
        }
        if b.get(j) == Some(&b'.') {
            let f = digits(b, j + 1);
            if f == j + 1 {
                return None;
            }
            j = f;
        }
        let number = &line[n_start..j];
        let mut commodity = None;
        let k = skip_sp(b, j);
        if k > j && k < b.len() && b[k].is_ascii_alphabetic() {
            let mut e = k + 1;
            while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'_') {
                e += 1;
            }
            commodity = Some(&line[k..e]);
            j = e;
        } else if k < b.len() && b[k] != b';' {
            return None;
        }
        parts_amount = Some(AmountParts {
            negative,
            number,
            number_at: n_start,
            commodity,
        });
        j = skip_sp(b, j);
        if j < b.len() && b[j] != b';' {
            return None;
        }
    }
    let comment = if j < b.len() {
        comment_at(line, j)
    } else {
        None
    };
    Some(IndentedParts::Posting {
        account,
        account_at: start,
        amount: parts_amount,
        comment,
    })
}

/// What the grammar's `account` accepts (for plain ASCII): non-empty
/// segments that neither start nor end with a space and hold no two.
fn valid_account(a: &str) -> bool {
    let mut prev = b':'; // as if a segment had just ended
    for &b in a.as_bytes() {
        let bad = match b {
            b':' => prev == b':' || prev == b' ',
            b' ' => prev == b':' || prev == b' ',
            _ => false,
        };
        if bad {
            return false;
        }
        prev = b;
    }
    prev != b':' && prev != b' '
}

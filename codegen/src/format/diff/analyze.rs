//! Which lines `diff -u` marks as changed: GNU diffutils' own analysis
//! (`io.c` and `analyze.c`), rewritten from its documented behaviour, since
//! among the many equally short edit scripts buf prints the one GNU finds.
//!
//! The steps, each of which moves lines GNU's way:
//! 1. the identical head and tail of the two texts are set aside, byte by
//!    byte, but the last [`HORIZON`] lines of the head and the first ones
//!    of the tail stay in play (so the boundary shift can use them);
//! 2. the remaining lines get equivalence classes (an unterminated last
//!    line never equals a terminated one);
//! 3. lines with no match on the other side, and runs of lines with very
//!    many matches, are discarded: marked changed before the search, which
//!    then never pairs them ([`discard_confusing_lines`]);
//! 4. the search ([`super::search`]) pairs the rest;
//! 5. each run of changed lines slides down as far as equal lines allow,
//!    then back up to end beside a run of the other side
//!    ([`shift_boundaries`]).

use std::collections::HashMap;

use super::search;

/// Lines of identical head and tail kept in play: `diff -u`'s context, which
/// GNU uses as its horizon.
const HORIZON: usize = 3;

/// The changed lines of `before` and `after`, one flag per line (lines as
/// `split_inclusive('\n')` cuts them).
pub(super) fn changed_lines(before: &str, after: &str) -> (Vec<bool>, Vec<bool>) {
    let texts = [Text::new(before), Text::new(after)];
    let [(head0, end0), (head1, end1)] = middle(&texts);
    let lines = [texts[0].lines(head0, end0), texts[1].lines(head1, end1)];
    let classes = equivalence_classes(&lines);
    let mut changed = [vec![false; lines[0].len()], vec![false; lines[1].len()]];
    let kept = discard_confusing_lines(&classes, &mut changed);
    let [kept0, kept1] = &kept;
    let xs: Vec<usize> = kept0.iter().map(|&i| classes[0][i]).collect();
    let ys: Vec<usize> = kept1.iter().map(|&i| classes[1][i]).collect();
    for (side, index) in search::edit_script(&xs, &ys) {
        let line = kept[side][index];
        changed[side][line] = true;
    }
    let [changed0, changed1] = &mut changed;
    shift_boundaries(&classes[0], changed0, changed1);
    shift_boundaries(&classes[1], changed1, changed0);
    let whole = |text: &Text, head: usize, middle: Vec<bool>| {
        let before = text.line_count(0, head);
        let mut flags = vec![false; before];
        flags.extend(middle);
        flags.resize(text.line_count(0, text.bytes.len()), false);
        flags
    };
    let [middle0, middle1] = changed;
    (
        whole(&texts[0], head0, middle0),
        whole(&texts[1], head1, middle1),
    )
}

/// A text as GNU diff holds it: a newline added where the last line lacks
/// one, and that fact remembered.
struct Text {
    bytes: Vec<u8>,
    missing_newline: bool,
}

impl Text {
    fn new(text: &str) -> Text {
        let mut bytes = text.as_bytes().to_vec();
        let missing_newline = !bytes.is_empty() && !bytes.ends_with(b"\n");
        if missing_newline {
            bytes.push(b'\n');
        }
        Text {
            bytes,
            missing_newline,
        }
    }

    /// The lines of `bytes[start..end]` (both at line starts), each with
    /// whether it is the unterminated last line.
    fn lines(&self, start: usize, end: usize) -> Vec<(&[u8], bool)> {
        let last = self.bytes.len();
        self.bytes[start..end]
            .split_inclusive(|&b| b == b'\n')
            .scan(start, |at, line| {
                *at += line.len();
                Some((line, self.missing_newline && *at == last))
            })
            .collect()
    }

    fn line_count(&self, start: usize, end: usize) -> usize {
        self.bytes[start..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
    }
}

/// The byte ranges of both texts left once the identical head and tail are
/// set aside (GNU's `find_identical_ends`, for `diff -u`'s output style).
fn middle(texts: &[Text; 2]) -> [(usize, usize); 2] {
    let (b0, b1) = (&texts[0].bytes, &texts[1].bytes);
    let (n0, n1) = (b0.len(), b1.len());
    // The first byte that differs (or the end of the shorter text).
    let mut p = b0.iter().zip(b1).take_while(|(a, b)| a == b).count();
    // A missing newline is no part of the head.
    let past_end = |text: &Text, n: usize| n - usize::from(text.missing_newline) < p;
    if p > 0 && past_end(&texts[0], n0) != past_end(&texts[1], n1) {
        p -= 1;
    }
    // Back to the line's start, then HORIZON lines more.
    let mut horizon = HORIZON;
    while p != 0 {
        if b0[p - 1] == b'\n' {
            if horizon == 0 {
                break;
            }
            horizon -= 1;
        }
        p -= 1;
    }
    let head = p;
    let (mut p0, mut p1) = (n0, n1);
    if texts[0].missing_newline == texts[1].missing_newline {
        // Back from the ends while the bytes agree, never into the head.
        let mut stop = head + n0.saturating_sub(n1);
        while p0 != stop {
            p0 -= 1;
            p1 -= 1;
            if b0[p0] != b1[p1] {
                p0 += 1;
                p1 += 1;
                stop = p0;
                break;
            }
        }
        // Forward over the rest of a line the tail starts inside, then
        // HORIZON lines.
        let at_line_start = |bytes: &[u8], p: usize| p == 0 || bytes[p - 1] == b'\n';
        let partial = !(at_line_start(b0, p0) && at_line_start(b1, p1));
        let mut lines = HORIZON + usize::from(partial);
        while lines > 0 && p0 != n0 {
            lines -= 1;
            while b0[p0] != b'\n' {
                p0 += 1;
            }
            p0 += 1;
        }
        p1 += p0 - stop;
    }
    [(head, p0), (head, p1)]
}

/// A class per distinct line, shared by both sides, numbered from 0.
fn equivalence_classes(lines: &[Vec<(&[u8], bool)>; 2]) -> [Vec<usize>; 2] {
    let mut classes: HashMap<(&[u8], bool), usize> = HashMap::new();
    lines.each_ref().map(|side| {
        side.iter()
            .map(|&line| {
                let next = classes.len();
                *classes.entry(line).or_insert(next)
            })
            .collect()
    })
}

/// How a line fares before the search.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Discard {
    Keep,
    /// It matches no line of the other side.
    Yes,
    /// It matches very many: discarded only inside a run of discarded lines.
    Provisional,
}

/// GNU's `discard_confusing_lines`: marks the discarded lines changed and
/// returns, per side, the indexes of the lines the search pairs.
fn discard_confusing_lines(
    classes: &[Vec<usize>; 2],
    changed: &mut [Vec<bool>; 2],
) -> [Vec<usize>; 2] {
    let count = |side: &[usize]| {
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for &class in side {
            *counts.entry(class).or_default() += 1;
        }
        counts
    };
    let counts = [count(&classes[0]), count(&classes[1])];
    let mut kept = [Vec::new(), Vec::new()];
    for side in 0..2 {
        let lines = &classes[side];
        let other = &counts[1 - side];
        // `many` grows with the square root of the side's length.
        let mut many = 5;
        let mut tem = lines.len() / 64;
        loop {
            tem >>= 2;
            if tem == 0 {
                break;
            }
            many *= 2;
        }
        let mut discards: Vec<Discard> = lines
            .iter()
            .map(|class| match other.get(class).copied().unwrap_or(0) {
                0 => Discard::Yes,
                n if n > many => Discard::Provisional,
                _ => Discard::Keep,
            })
            .collect();
        settle_provisional(&mut discards);
        for (line, discard) in discards.iter().enumerate() {
            if *discard == Discard::Keep {
                kept[side].push(line);
            } else {
                changed[side][line] = true;
            }
        }
    }
    kept
}

/// Keeps a provisional discard only inside a run of discards that starts
/// and ends with a certain one, and only where provisional lines are few
/// and scattered in it.
fn settle_provisional(discards: &mut [Discard]) {
    use Discard::{Keep, Provisional, Yes};
    let end = discards.len();
    let mut i = 0;
    while i < end {
        if discards[i] == Provisional {
            discards[i] = Keep;
        } else if discards[i] != Keep {
            // A certain discard starts a run: find its end.
            let mut j = i;
            let mut provisional = 0;
            while j < end && discards[j] != Keep {
                if discards[j] == Provisional {
                    provisional += 1;
                }
                j += 1;
            }
            // The run ends on a certain discard.
            while j > i && discards[j - 1] == Provisional {
                j -= 1;
                discards[j] = Keep;
                provisional -= 1;
            }
            let length = j - i;
            if provisional * 4 > length {
                // A quarter or more provisional: keep them all.
                for discard in &mut discards[i..j] {
                    if *discard == Provisional {
                        *discard = Keep;
                    }
                }
            } else {
                // Subruns of `minimum` provisionals or more are kept.
                let mut minimum = 1;
                let mut tem = length >> 2;
                loop {
                    tem >>= 2;
                    if tem == 0 {
                        break;
                    }
                    minimum <<= 1;
                }
                minimum += 1;
                let (mut k, mut consecutive) = (0, 0);
                while k < length {
                    if discards[i + k] != Provisional {
                        consecutive = 0;
                    } else {
                        consecutive += 1;
                        if consecutive == minimum {
                            // Back to the subrun's start, to keep it all.
                            k = k + 1 - consecutive;
                            continue;
                        } else if consecutive > minimum {
                            discards[i + k] = Keep;
                        }
                    }
                    k += 1;
                }
                // From each end, provisionals are kept until three certain
                // discards in a row, or a certain one eight lines in.
                let mut settle_edge = |index: &dyn Fn(usize) -> usize| {
                    let mut consecutive = 0;
                    for k in 0..length {
                        let at = index(k);
                        if k >= 8 && discards[at] == Yes {
                            break;
                        }
                        match discards[at] {
                            Provisional => {
                                consecutive = 0;
                                discards[at] = Keep;
                            }
                            Keep => consecutive = 0,
                            Yes => consecutive += 1,
                        }
                        if consecutive == 3 {
                            break;
                        }
                    }
                };
                settle_edge(&|k| i + k);
                let last = i + length - 1;
                settle_edge(&|k| last - k);
                i = last;
            }
        }
        i += 1;
    }
}

/// GNU diff's `shift_boundaries`: slides each run of changed lines of one
/// side as far down as equal lines allow (merging with runs it meets), then
/// back up to end where a run of the other side ends. Of the equally short
/// pairings, this picks the one `diff -u` (and so `buf format -d`) prints.
fn shift_boundaries(classes: &[usize], changed: &mut [bool], other: &[bool]) {
    let len = classes.len();
    let is = |flags: &[bool], i: isize| i >= 0 && (i as usize) < flags.len() && flags[i as usize];
    let (mut i, mut j): (usize, isize) = (0, 0);
    loop {
        while i < len && !changed[i] {
            while is(other, j) {
                j += 1;
            }
            j += 1;
            i += 1;
        }
        if i == len {
            break;
        }
        let mut start = i;
        i += 1;
        while i < len && changed[i] {
            i += 1;
        }
        while is(other, j) {
            j += 1;
        }
        let mut corresponding;
        loop {
            let run = i - start;
            while start > 0 && classes[start - 1] == classes[i - 1] {
                start -= 1;
                changed[start] = true;
                i -= 1;
                changed[i] = false;
                while start > 0 && changed[start - 1] {
                    start -= 1;
                }
                j -= 1;
                while is(other, j) {
                    j -= 1;
                }
            }
            corresponding = if is(other, j - 1) { i } else { len };
            while i != len && classes[start] == classes[i] {
                changed[start] = false;
                start += 1;
                changed[i] = true;
                i += 1;
                while i < len && changed[i] {
                    i += 1;
                }
                j += 1;
                while is(other, j) {
                    j += 1;
                    corresponding = i;
                }
            }
            if run == i - start {
                break;
            }
        }
        while corresponding < i {
            start -= 1;
            changed[start] = true;
            i -= 1;
            changed[i] = false;
            j -= 1;
            while is(other, j) {
                j -= 1;
            }
        }
    }
}

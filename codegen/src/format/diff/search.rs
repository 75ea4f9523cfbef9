//! The search GNU diff runs (gnulib's `diffseq.h`, as `diff -u` uses it):
//! Myers' middle-snake bisection, run from both ends at once, with GNU's
//! choices wherever several paths are as short: which diagonal wins a tie,
//! which half is split next, and its give-up rule for costly inputs. Plain
//! Myers (forward only) pairs other lines on the same inputs, so the hunks
//! would differ from the ones buf prints.
//!
//! `diff -u` runs without `--minimal` and without `--speed-large-files`: the
//! search gives up on a partition only when its cost passes
//! [`Search::too_expensive`] (never on files of normal size), and GNU's
//! big-snake heuristic, which only `--speed-large-files` turns on, is not
//! needed.

/// A diagonal's sentinel for the backward search.
const FAR: isize = isize::MAX;

/// The changed elements of `xs` (side 0) and `ys` (side 1), by index.
pub(super) fn edit_script(xs: &[usize], ys: &[usize]) -> Vec<(usize, usize)> {
    let diagonals = xs.len() + ys.len() + 3;
    // GNU: the approximate square root of the input size, at least 4096.
    let mut too_expensive: isize = 1;
    let mut rest = diagonals;
    while rest != 0 {
        rest >>= 2;
        too_expensive <<= 1;
    }
    let mut search = Search {
        xs,
        ys,
        forward: vec![0; diagonals],
        backward: vec![0; diagonals],
        offset: ys.len() as isize + 1,
        too_expensive: too_expensive.max(4096),
        changes: Vec::new(),
    };
    search.compare(0, xs.len() as isize, 0, ys.len() as isize, false);
    search.changes
}

struct Search<'a> {
    xs: &'a [usize],
    ys: &'a [usize],
    /// Per diagonal `x - y`: the furthest x reached from the top left.
    forward: Vec<isize>,
    /// Per diagonal: the least x reached from the bottom right.
    backward: Vec<isize>,
    /// Diagonal `d` is at index `d + offset`.
    offset: isize,
    /// The cost after which a partition settles for the best point so far.
    too_expensive: isize,
    changes: Vec<(usize, usize)>,
}

/// Where a range splits, and whether each half must be searched minimally.
struct Split {
    x: isize,
    y: isize,
    low_minimal: bool,
    high_minimal: bool,
}

impl Search<'_> {
    fn equal(&self, x: isize, y: isize) -> bool {
        self.xs[x as usize] == self.ys[y as usize]
    }

    /// Marks the changes within `xs[xoff..xlim]` against `ys[yoff..ylim]`.
    fn compare(
        &mut self,
        mut xoff: isize,
        mut xlim: isize,
        mut yoff: isize,
        mut ylim: isize,
        mut minimal: bool,
    ) {
        loop {
            while xoff < xlim && yoff < ylim && self.equal(xoff, yoff) {
                xoff += 1;
                yoff += 1;
            }
            while xoff < xlim && yoff < ylim && self.equal(xlim - 1, ylim - 1) {
                xlim -= 1;
                ylim -= 1;
            }
            if xoff == xlim {
                self.changes.extend((yoff..ylim).map(|y| (1, y as usize)));
                return;
            }
            if yoff == ylim {
                self.changes.extend((xoff..xlim).map(|x| (0, x as usize)));
                return;
            }
            let split = self.split(xoff, xlim, yoff, ylim, minimal);
            // The smaller half by recursion, the larger by the loop.
            if (xlim + ylim) - (split.x + split.y) < (split.x + split.y) - (xoff + yoff) {
                self.compare(split.x, xlim, split.y, ylim, split.high_minimal);
                (xlim, ylim, minimal) = (split.x, split.y, split.low_minimal);
            } else {
                self.compare(xoff, split.x, yoff, split.y, split.low_minimal);
                (xoff, yoff, minimal) = (split.x, split.y, split.high_minimal);
            }
        }
    }

    /// GNU's `diag`: a point on a shortest path through the range, found
    /// where the forward and backward searches meet.
    fn split(
        &mut self,
        xoff: isize,
        xlim: isize,
        yoff: isize,
        ylim: isize,
        minimal: bool,
    ) -> Split {
        let o = self.offset;
        let (dmin, dmax) = (xoff - ylim, xlim - yoff);
        let (fmid, bmid) = (xoff - yoff, xlim - ylim);
        let (mut fmin, mut fmax, mut bmin, mut bmax) = (fmid, fmid, bmid, bmid);
        let odd = (fmid - bmid) & 1 != 0;
        self.forward[(fmid + o) as usize] = xoff;
        self.backward[(bmid + o) as usize] = xlim;
        let mut cost = 1;
        loop {
            // One more edit forward on every diagonal.
            if fmin > dmin {
                fmin -= 1;
                self.forward[(fmin - 1 + o) as usize] = -1;
            } else {
                fmin += 1;
            }
            if fmax < dmax {
                fmax += 1;
                self.forward[(fmax + 1 + o) as usize] = -1;
            } else {
                fmax -= 1;
            }
            let mut d = fmax;
            while d >= fmin {
                let low = self.forward[(d - 1 + o) as usize];
                let high = self.forward[(d + 1 + o) as usize];
                let x0 = if low < high { high } else { low + 1 };
                let (mut x, mut y) = (x0, x0 - d);
                while x < xlim && y < ylim && self.equal(x, y) {
                    x += 1;
                    y += 1;
                }
                self.forward[(d + o) as usize] = x;
                if odd && bmin <= d && d <= bmax && self.backward[(d + o) as usize] <= x {
                    return Split {
                        x,
                        y,
                        low_minimal: true,
                        high_minimal: true,
                    };
                }
                d -= 2;
            }
            // And backward.
            if bmin > dmin {
                bmin -= 1;
                self.backward[(bmin - 1 + o) as usize] = FAR;
            } else {
                bmin += 1;
            }
            if bmax < dmax {
                bmax += 1;
                self.backward[(bmax + 1 + o) as usize] = FAR;
            } else {
                bmax -= 1;
            }
            d = bmax;
            while d >= bmin {
                let low = self.backward[(d - 1 + o) as usize];
                let high = self.backward[(d + 1 + o) as usize];
                let x0 = if low < high { low } else { high - 1 };
                let (mut x, mut y) = (x0, x0 - d);
                while xoff < x && yoff < y && self.equal(x - 1, y - 1) {
                    x -= 1;
                    y -= 1;
                }
                self.backward[(d + o) as usize] = x;
                if !odd && fmin <= d && d <= fmax && x <= self.forward[(d + o) as usize] {
                    return Split {
                        x,
                        y,
                        low_minimal: true,
                        high_minimal: true,
                    };
                }
                d -= 2;
            }
            if !minimal && cost >= self.too_expensive {
                return self.best_so_far((xoff, xlim, yoff, ylim), (fmin, fmax, bmin, bmax));
            }
            cost += 1;
        }
    }

    /// Past the cost limit: the furthest point either search reached, by
    /// `x + y`, whichever has come further.
    fn best_so_far(
        &self,
        (xoff, xlim, yoff, ylim): (isize, isize, isize, isize),
        (fmin, fmax, bmin, bmax): (isize, isize, isize, isize),
    ) -> Split {
        let o = self.offset;
        let (mut forward_sum, mut forward_x) = (-1, 0);
        let mut d = fmax;
        while d >= fmin {
            let mut x = self.forward[(d + o) as usize].min(xlim);
            let mut y = x - d;
            if ylim < y {
                x = ylim + d;
                y = ylim;
            }
            if forward_sum < x + y {
                forward_sum = x + y;
                forward_x = x;
            }
            d -= 2;
        }
        let (mut backward_sum, mut backward_x) = (FAR, 0);
        d = bmax;
        while d >= bmin {
            let mut x = self.backward[(d + o) as usize].max(xoff);
            let mut y = x - d;
            if y < yoff {
                x = yoff + d;
                y = yoff;
            }
            if x + y < backward_sum {
                backward_sum = x + y;
                backward_x = x;
            }
            d -= 2;
        }
        if (xlim + ylim) - backward_sum < forward_sum - (xoff + yoff) {
            Split {
                x: forward_x,
                y: forward_sum - forward_x,
                low_minimal: true,
                high_minimal: false,
            }
        } else {
            Split {
                x: backward_x,
                y: backward_sum - backward_x,
                low_minimal: false,
                high_minimal: true,
            }
        }
    }
}

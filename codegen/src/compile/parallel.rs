//! Mapping over a slice on all cores, with no thread pool crate.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

/// `f` applied to every item, in order, on up to one thread per core; each
/// thread first makes its own state with `init` (for what is not `Sync`).
/// `None` as soon as any call gives `None` or panics.
pub(crate) fn map_with<T, S, R>(
    items: Vec<T>,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, T) -> Option<R> + Sync,
) -> Option<Vec<R>>
where
    T: Send,
    R: Send,
{
    let len = items.len();
    // Each item is taken by the one thread that draws its index.
    let items: Vec<Mutex<Option<T>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || {
        let mut state = init();
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { break };
            let Some(item) = item.lock().ok().and_then(|mut item| item.take()) else {
                failed.store(true, Ordering::Relaxed);
                break;
            };
            match f(&mut state, item) {
                Some(result) => done.push((index, result)),
                None => failed.store(true, Ordering::Relaxed),
            }
        }
        done
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(len);
    let mut done = if threads <= 1 {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok()?
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    // The main thread's stack size: the parser recurses.
                    std::thread::Builder::new()
                        .stack_size(8 << 20)
                        .spawn_scoped(scope, work)
                })
                .collect();
            let mut all = Vec::with_capacity(len);
            for worker in workers {
                match worker.map(|worker| worker.join()) {
                    Ok(Ok(done)) => all.extend(done),
                    _ => failed.store(true, Ordering::Relaxed),
                }
            }
            all
        })
    };
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    done.sort_unstable_by_key(|(index, _)| *index);
    Some(done.into_iter().map(|(_, result)| result).collect())
}

#[cfg(test)]
mod tests {
    use super::map_with;

    #[test]
    fn keeps_order_and_stops_on_failure() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map_with(items.clone(), || (), |(), n| Some(n * 2)).expect("no failure");
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(map_with(items.clone(), || (), |(), n| (n != 500).then_some(n)).is_none());
        assert_eq!(
            map_with(Vec::<u32>::new(), || (), |(), n| Some(n)),
            Some(vec![])
        );
        let panics = std::panic::catch_unwind(|| {
            map_with(
                items,
                || (),
                |(), n| if n == 7 { panic!("boom") } else { Some(n) },
            )
        });
        assert!(matches!(panics, Ok(None)));
    }
}

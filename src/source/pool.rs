//! Warm state (buffers, caches, decoders) handed from one piece of
//! parallel work to the next: rayon splits work into pieces as threads
//! steal it, and a piece that started from nothing would start cold.

use std::sync::Mutex;

/// Items given back by pieces of work that are done.
pub(crate) struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool(Mutex::new(Vec::new()))
    }
}

impl<T> Pool<T> {
    /// An item given back earlier, else a new one from `make`.
    pub(crate) fn lease(&self, make: impl FnOnce() -> T) -> Lease<'_, T> {
        let item = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(make);
        Lease {
            item: Some(item),
            pool: self,
        }
    }
}

/// An item taken from a [`Pool`], given back when dropped.
pub(crate) struct Lease<'a, T> {
    /// Always `Some` until the lease is dropped.
    item: Option<T>,
    pool: &'a Pool<T>,
}

impl<T> Lease<'_, T> {
    /// The leased item (`None` only while the lease is being dropped).
    pub(crate) fn get(&mut self) -> Option<&mut T> {
        self.item.as_mut()
    }
}

impl<T> Drop for Lease<'_, T> {
    fn drop(&mut self) {
        if let Some(item) = self.item.take() {
            self.pool
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_hands_its_item_back_for_the_next() {
        let pool: Pool<Vec<u8>> = Pool::default();
        {
            let mut a = pool.lease(Vec::new);
            if let Some(v) = a.get() {
                v.push(7);
            }
            // a second lease while the first is out gets a new item
            let mut b = pool.lease(Vec::new);
            assert_eq!(b.get().map(|v| v.len()), Some(0));
        }
        // both came back (b first, then a); the last one back goes out first
        let mut c = pool.lease(|| vec![1, 2, 3]);
        assert_eq!(c.get().cloned(), Some(vec![7]));
        assert_eq!(pool.0.lock().map(|p| p.len()).ok(), Some(1));
    }
}

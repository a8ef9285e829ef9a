//! Seconds since an arbitrary start, for progress and ETA: `std::time::Instant` panics in
//! wasm32-unknown-unknown, so the page uses the JS clock.

#[cfg(not(target_family = "wasm"))]
pub fn now_seconds() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// `performance.now()` (monotonic), in a page or a worker; the wall clock where neither offers it.
#[cfg(target_family = "wasm")]
pub fn now_seconds() -> f64 {
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    let performance = match global.dyn_ref::<web_sys::Window>() {
        Some(window) => window.performance(),
        None => global
            .dyn_ref::<web_sys::WorkerGlobalScope>()
            .and_then(web_sys::WorkerGlobalScope::performance),
    };
    performance.map_or_else(js_sys::Date::now, |p| p.now()) / 1000.0
}

/// Lets the host's event loop run (natively: nothing to do). Long loops in the page's worker
/// call it between steps, so a "cancel" message is seen while they run.
#[cfg(not(target_family = "wasm"))]
pub async fn yield_to_host() {}

#[cfg(target_family = "wasm")]
pub async fn yield_to_host() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

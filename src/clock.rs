//! Seconds since an arbitrary start, for progress and ETA: `std::time::Instant` panics in
//! wasm32-unknown-unknown, so the page uses the JS clock.

#[cfg(not(target_family = "wasm"))]
pub fn now_seconds() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

#[cfg(target_family = "wasm")]
pub fn now_seconds() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// Lets the host's event loop run (natively: nothing to do). Long loops in the page's worker
/// call it between steps, so a "cancel" message is seen while they run.
#[cfg(not(target_family = "wasm"))]
pub async fn yield_to_host() {}

#[cfg(target_family = "wasm")]
pub async fn yield_to_host() {
    use wasm_bindgen::{JsCast, JsValue};
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let scheduled = set_timeout.map(|f| f.call2(&global, &resolve, &JsValue::from(0)));
        if !matches!(scheduled, Some(Ok(_))) {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

//! Choosing the compute device, in one place. Burn picks the backend at run time from the
//! `Device` value: `flex` (pure-Rust CPU, also in wasm) or wgpu (Vulkan/Metal/DX natively,
//! WebGPU in the browser).

use burn::tensor::Device;

use crate::error::{Error, Result};

/// Which backend to run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Burn's `flex` CPU backend: everywhere, no GPU needed.
    Cpu,
    /// Burn's wgpu backend on the best adapter (natively: Vulkan, Metal or DX12; in the
    /// browser: WebGPU).
    Gpu,
}

impl std::str::FromStr for Backend {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cpu" | "flex" => Ok(Self::Cpu),
            "gpu" | "wgpu" | "webgpu" => Ok(Self::Gpu),
            other => Err(Error::Input(format!(
                "unknown backend {other:?} (expected cpu or gpu)"
            ))),
        }
    }
}

/// The CPU device. Cheap; call as often as needed.
pub fn cpu() -> Device {
    Device::flex()
}

/// Initialises the wgpu runtime natively and returns its device. The runtime can be initialised
/// once per process: keep and clone the device rather than calling this again.
#[cfg(not(target_family = "wasm"))]
pub fn gpu() -> Result<Device> {
    Device::wgpu_options()
        .init()
        .map_err(|e| Error::Compute(format!("no usable GPU adapter: {e}")))
}

/// Initialises Burn's WebGPU runtime in the browser. The caller must have checked that
/// `navigator.gpu.requestAdapter()` gives an adapter: where WebGPU is missing, wgpu traps
/// instead of returning an error.
#[cfg(target_family = "wasm")]
pub async fn webgpu() -> Result<Device> {
    Device::wgpu_options()
        .graphics_api(burn::tensor::wgpu::WgpuBackend::WebGpu)
        .init_async()
        .await
        .map_err(|e| Error::Compute(format!("WebGPU initialisation failed: {e}")))
}

/// Runs a device future (an async read-back) to completion on this thread. Natively the
/// training loop and evaluation are the same async code as in the page, driven by this.
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}

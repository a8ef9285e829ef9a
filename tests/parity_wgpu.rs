//! The same parity checks on Burn's wgpu backend, natively (Vulkan; in CI the software
//! lavapipe driver): the GPU code path the page uses stays under test without a GPU.

mod common;

use common::parity::{check_batch_equals_one_by_one, check_cases_one_by_one, encoders};

const EMBEDDING_TOLERANCE: f32 = 1e-5;
const HIDDEN_TOLERANCE: f32 = 1e-4;

// One test function: the wgpu runtime can be initialised once per process.
#[test]
fn wgpu_matches_golden_and_batches_do_not_leak_padding() {
    let device = localrec::device::gpu().expect(
        "a Vulkan adapter is needed (apt-get install mesa-vulkan-drivers libvulkan1 for lavapipe)",
    );
    check_cases_one_by_one(
        encoders(&device, false),
        EMBEDDING_TOLERANCE,
        HIDDEN_TOLERANCE,
    );
    check_batch_equals_one_by_one(encoders(&device, false), EMBEDDING_TOLERANCE);
}

use super::*;

#[test]
fn large_catalogues_get_a_sampled_softmax_a_step_budget_and_fewer_epochs_unless_told() {
    let sized = |items, negatives, steps, epochs| {
        let c = TrainConfig::default().sized_for(items, negatives, steps, epochs);
        (c.negatives, c.epoch_steps, c.epochs)
    };
    let defaults = TrainConfig::default();
    assert_eq!(
        sized(7_390, None, None, None),
        (None, None, defaults.epochs)
    );
    assert_eq!(
        sized(100_000, None, None, None),
        (Some(LARGE_NEGATIVES), Some(LARGE_EPOCH_STEPS), LARGE_EPOCHS)
    );
    assert_eq!(sized(100_000, Some(0), Some(0), Some(30)), (None, None, 30));
    assert_eq!(
        sized(7_390, Some(512), Some(100), Some(3)),
        (Some(512), Some(100), 3)
    );
}

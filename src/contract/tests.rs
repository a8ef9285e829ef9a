use super::*;
use crate::recommender::{Basis, Reason, Recommendation, Recommendations, Source};

#[test]
fn a_history_reads_reactions_by_name_and_ids_as_text_or_numbers() {
    let request: RecommendRequest = read(
        "recommend",
        r#"{"history": [{"item": 42, "reaction": "like"}, {"item": "b7", "reaction": "dislike"},
            {"item": "9", "reaction": 7}]}"#,
    )
    .unwrap();
    let (reactions, personal) = request.parts(384).unwrap();
    assert_eq!(
        reactions,
        vec![
            ("42".to_string(), Reaction::Like),
            ("b7".to_string(), Reaction::Dislike),
            ("9".to_string(), Reaction::Rating(7)),
        ]
    );
    assert!(personal.is_none());
    assert_eq!(
        (request.count, request.reasons),
        (DEFAULT_COUNT, MAX_REASONS)
    );
}

#[test]
fn codes_and_bad_values_are_refused_with_what_was_expected() {
    for (bad, says) in [
        (r#""love""#, "not a reaction: \"love\""),
        ("11", "not a reaction: 11"),
        ("0", "not a reaction: 0"),
        ("7.5", "not a reaction: 7.5"),
    ] {
        let json = format!(r#"{{"history": [{{"item": 1, "reaction": {bad}}}]}}"#);
        let error = read::<RecommendRequest>("recommend", &json)
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{bad}: {error}");
    }
    let error = read::<RecommendRequest>(
        "recommend",
        r#"{"history": [{"item": 1.5, "reaction": 1}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("whole number"), "{error}");
    // A misspelt field is an error, not a silent default.
    assert!(read::<RecommendRequest>("recommend", r#"{"cuont": 5}"#).is_err());
}

#[test]
fn taste_vectors_must_have_the_language_models_width() {
    let request: RecommendRequest = read(
        "recommend",
        r#"{"tastes": [[0.5, 0.5]], "tasteTexts": ["giant robots"]}"#,
    )
    .unwrap();
    assert!(request.parts(2).is_ok());
    // The sentence comes with its vector, for the reasons' words.
    assert_eq!(request.taste_texts, ["giant robots"]);
    assert!(
        request
            .parts(384)
            .unwrap_err()
            .to_string()
            .contains("384 values")
    );
}

#[test]
fn fine_tuning_defaults_come_from_the_config() {
    let request: FineTuneRequest = read("fineTune", r#"{"history": []}"#).unwrap();
    let defaults = Defaults::default();
    assert_eq!(
        (request.config().steps, request.config().patience),
        (defaults.steps, defaults.patience)
    );
    assert_eq!((defaults.steps, defaults.patience), (60, 15));
    let json = serde_json::to_value(&defaults).unwrap();
    assert_eq!(json["maxWordPieces"], 256);
}

#[test]
fn recommendations_reach_the_page_with_its_ids() {
    let recs = Recommendations {
        items: vec![Recommendation {
            item: "42".into(),
            score: 1.5,
            because: vec![
                Reason {
                    source: Source::Item("042".into()),
                    share: 1.0,
                },
                Reason {
                    source: Source::Taste(0),
                    share: 0.5,
                },
            ],
            reason: Some("Because you liked Akira".into()),
        }],
        user: vec![0.25],
        basis: Basis::Person,
    };
    assert_eq!(
        serde_json::to_value(&recs).unwrap(),
        serde_json::json!({
            "items": [{"item": 42, "score": 1.5, "because": [
                {"source": {"kind": "item", "index": "042"}, "share": 1.0},
                {"source": {"kind": "taste", "index": 0}, "share": 0.5},
            ], "reason": "Because you liked Akira"}],
            "user": [0.25],
            "basis": "person",
        })
    );
}

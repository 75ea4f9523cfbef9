//! The moves after option interpretation and the stripping of options, on
//! small hand-made source infos (the recording itself is checked against
//! protoc 35 in `tests/editions.rs`, `source_info_is_protocs`).

use super::{apply_interpreted_options, strip_locations};
use crate::compile::descriptor::{SourceCodeInfo, source_code_info::Location};

fn info(paths: &[&[i32]]) -> SourceCodeInfo {
    SourceCodeInfo {
        location: paths
            .iter()
            .enumerate()
            .map(|(i, path)| Location {
                path: path.to_vec(),
                span: vec![i as i32, 0, 1],
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn paths(info: &SourceCodeInfo) -> Vec<(Vec<i32>, i32)> {
    info.location
        .iter()
        .map(|l| (l.path.clone(), l.span[0]))
        .collect()
}

#[test]
fn interpreted_options_move_in_place_and_lose_their_parts() {
    let mut source = info(&[
        &[],
        &[8],
        &[8, 999, 0],
        &[8, 999, 0, 2],
        &[8, 999, 0, 2, 0],
        &[8, 999, 0, 7],
        &[4, 0],
        &[4, 0, 7],
        &[4, 0, 7, 999, 0],
        &[4, 0, 7, 999, 0, 3],
        &[4, 0, 7, 999, 1],
        &[4, 0, 7, 999, 1, 3],
        &[4, 0, 1],
    ]);
    let moves = [
        (vec![8, 999, 0], vec![8, 1]),
        (vec![4, 0, 7, 999, 1], vec![4, 0, 7, 50000, 0]),
    ];
    apply_interpreted_options(&mut source, &moves);
    assert_eq!(
        paths(&source),
        vec![
            (vec![], 0),
            (vec![8], 1),
            (vec![8, 1], 2),
            (vec![4, 0], 6),
            (vec![4, 0, 7], 7),
            // Not interpreted: stays, with its parts.
            (vec![4, 0, 7, 999, 0], 8),
            (vec![4, 0, 7, 999, 0, 3], 9),
            (vec![4, 0, 7, 50000, 0], 10),
            (vec![4, 0, 1], 12),
        ]
    );
}

#[test]
fn stripped_options_lose_every_location_below() {
    let mut source = info(&[
        &[],
        &[8],
        &[8, 1],
        &[8, 50001],
        &[4, 0, 7, 50],
        &[4, 0, 7, 50, 1],
        &[4, 0, 1],
    ]);
    strip_locations(&mut source, &[vec![4, 0, 7, 50], vec![8, 50001]]);
    assert_eq!(
        paths(&source),
        vec![
            (vec![], 0),
            (vec![8], 1),
            (vec![8, 1], 2),
            (vec![4, 0, 1], 6)
        ]
    );
}

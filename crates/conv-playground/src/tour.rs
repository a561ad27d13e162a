//! The article's figures as live presets: one tour stop per figure, in the article's order.

use conv_core::{LayerKind, LayerSpec, PaddingSpec};

/// The number of figures in the article (its animated and still pictures, in order).
pub const ARTICLE_FIGURES: usize = 9;

/// One stop of the tour: a figure of the article, or a stop the tour adds between them.
#[derive(Debug, Clone, PartialEq)]
pub struct TourStop {
    /// i18n key of the caption.
    pub caption: &'static str,
    /// The article's figure number (1-based), or `None` for a stop the article has no figure for.
    pub figure: Option<usize>,
    pub spec: LayerSpec,
}

/// All tour stops, in the article's order. The separable stop is the tour's own: the article
/// describes the two stages together in words, without a figure.
pub fn stops() -> Vec<TourStop> {
    let p = LayerSpec::preset;
    vec![
        TourStop {
            caption: "tour.1",
            figure: Some(1),
            spec: p(LayerKind::Standard),
        },
        TourStop {
            caption: "tour.2",
            figure: Some(2),
            spec: p(LayerKind::Depthwise),
        },
        TourStop {
            caption: "tour.3",
            figure: Some(3),
            spec: LayerSpec {
                in_channels: 3,
                out_channels: 8,
                ..p(LayerKind::Pointwise)
            },
        },
        TourStop {
            caption: "tour.4",
            figure: None,
            spec: LayerSpec {
                out_channels: 8,
                ..p(LayerKind::Separable)
            },
        },
        TourStop {
            caption: "tour.5",
            figure: Some(4),
            spec: LayerSpec {
                kernel_size: 1,
                padding: PaddingSpec::Explicit(0),
                ..p(LayerKind::Upsample)
            },
        },
        TourStop {
            caption: "tour.6",
            figure: Some(5),
            spec: p(LayerKind::Transposed),
        },
        TourStop {
            caption: "tour.7",
            figure: Some(6),
            spec: p(LayerKind::Upsample),
        },
        TourStop {
            caption: "tour.8",
            figure: Some(7),
            spec: p(LayerKind::Dilated),
        },
        TourStop {
            caption: "tour.9",
            figure: Some(8),
            spec: LayerSpec {
                height: 11,
                width: 11,
                dilation: 3,
                ..p(LayerKind::Dilated)
            },
        },
        TourStop {
            caption: "tour.10",
            figure: Some(9),
            spec: p(LayerKind::Grouped),
        },
        TourStop {
            caption: "tour.11",
            figure: None,
            spec: p(LayerKind::Subpixel),
        },
    ]
}

/// The first tour stop that shows `layer`.
pub fn stop_for(layer: LayerKind) -> usize {
    stops()
        .iter()
        .position(|s| s.spec.layer == layer)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use conv_core::Limits;

    #[test]
    fn every_stop_is_valid_and_every_layer_has_one() {
        for stop in stops() {
            let (fixed, notes) = stop.spec.corrected(&Limits::GRID);
            assert!(notes.is_empty(), "{}: {notes:?}", stop.caption);
            assert_eq!(fixed, stop.spec);
        }
        for kind in LayerKind::ALL {
            assert_eq!(stops()[stop_for(kind)].spec.layer, kind);
        }
    }

    #[test]
    fn the_article_figures_are_numbered_as_the_article_numbers_them() {
        let figures: Vec<usize> = stops().iter().filter_map(|s| s.figure).collect();
        assert_eq!(figures, (1..=ARTICLE_FIGURES).collect::<Vec<_>>());
        // The one added stop is the separable layer, which the article shows no figure of.
        let added: Vec<LayerKind> = stops()
            .iter()
            .filter(|s| s.figure.is_none())
            .map(|s| s.spec.layer)
            .collect();
        assert_eq!(added, vec![LayerKind::Separable, LayerKind::Subpixel]);
    }
}

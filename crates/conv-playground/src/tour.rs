//! The article's figures as live presets: one tour stop per figure, in the article's order.

use conv_core::{LayerKind, LayerSpec, PaddingMode};

/// One figure of the article.
#[derive(Debug, Clone, PartialEq)]
pub struct TourStop {
    /// i18n key of the caption.
    pub caption: &'static str,
    pub spec: LayerSpec,
}

/// All tour stops, in the article's order.
pub fn stops() -> Vec<TourStop> {
    let p = LayerSpec::preset;
    vec![
        TourStop {
            caption: "tour.1",
            spec: p(LayerKind::Standard),
        },
        TourStop {
            caption: "tour.2",
            spec: p(LayerKind::Depthwise),
        },
        TourStop {
            caption: "tour.3",
            spec: LayerSpec {
                in_channels: 3,
                out_channels: 8,
                ..p(LayerKind::Pointwise)
            },
        },
        TourStop {
            caption: "tour.4",
            spec: LayerSpec {
                out_channels: 8,
                ..p(LayerKind::Separable)
            },
        },
        TourStop {
            caption: "tour.5",
            spec: LayerSpec {
                kernel_size: 1,
                padding: PaddingMode::Explicit(0),
                ..p(LayerKind::Upsample)
            },
        },
        TourStop {
            caption: "tour.6",
            spec: p(LayerKind::Transposed),
        },
        TourStop {
            caption: "tour.7",
            spec: p(LayerKind::Upsample),
        },
        TourStop {
            caption: "tour.8",
            spec: p(LayerKind::Dilated),
        },
        TourStop {
            caption: "tour.9",
            spec: LayerSpec {
                height: 11,
                width: 11,
                dilation: 3,
                ..p(LayerKind::Dilated)
            },
        },
        TourStop {
            caption: "tour.10",
            spec: p(LayerKind::Grouped),
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
}

//! The README's table of presets says what a URL that omits a parameter gets: hold it to
//! `LayerSpec::preset`.

use conv_core::{LayerKind, LayerSpec, PaddingSpec};

#[test]
fn the_readme_lists_every_preset_as_it_is() {
    let readme = include_str!("../../../README.md");
    let mut seen = 0;
    for kind in LayerKind::ALL {
        let p = LayerSpec::preset(kind);
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", kind.name())) && l.contains(" → "))
            .unwrap_or_else(|| panic!("no README row for {}", kind.name()));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[2], format!("{} × {}", p.height, p.width), "{row}");
        assert_eq!(
            cells[3],
            format!("{} → {}", p.in_channels, p.out_channels),
            "{row}"
        );
        assert_eq!(cells[4], p.effective().kernel_size.to_string(), "{row}");
        assert_eq!(cells[5], p.stride.to_string(), "{row}");
        let PaddingSpec::Explicit(pad) = p.padding else {
            panic!("presets use numeric padding");
        };
        assert_eq!(cells[6], pad.to_string(), "{row}");
        let other = cells[7];
        if kind.uses_groups_column() {
            assert!(other.contains(&format!("groups {}", p.groups)), "{row}");
        }
        if kind == LayerKind::Dilated {
            assert!(other.contains(&format!("dilation {}", p.dilation)), "{row}");
        }
        if kind == LayerKind::Transposed {
            assert!(
                other.contains(&format!("output padding {}", p.output_padding)),
                "{row}"
            );
        }
        if kind == LayerKind::Subpixel {
            assert!(
                other.contains(&format!("upscale factor {}", p.upscale_factor)),
                "{row}"
            );
        }
        if kind == LayerKind::Upsample {
            assert!(
                other.contains(&format!("scale factor {}", p.scale_factor)),
                "{row}"
            );
        }
        assert!(p.bias);
        seen += 1;
    }
    assert_eq!(seen, LayerKind::ALL.len());
}

trait GroupsColumn {
    fn uses_groups_column(self) -> bool;
}

impl GroupsColumn for LayerKind {
    fn uses_groups_column(self) -> bool {
        matches!(self, LayerKind::Depthwise | LayerKind::Grouped)
    }
}

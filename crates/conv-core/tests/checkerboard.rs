//! The checkerboard note of a transposed convolution is read off its overlap map; this sweep
//! holds that reading to the rule: for stride s > 1 the stamps are even away from the borders
//! exactly when s divides kernel_size and gcd(dilation, s) = 1 (and always at s = 1).

use conv_core::*;

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[test]
fn overlap_evenness_follows_the_rule_on_a_sweep() {
    let mut checked = 0;
    for k in 1..=6 {
        for s in 1..=4 {
            for d in 1..=3 {
                for p in 0..=2 {
                    let spec = LayerSpec {
                        layer: LayerKind::Transposed,
                        height: 6,
                        width: 6,
                        in_channels: 1,
                        out_channels: 1,
                        kernel_size: k,
                        stride: s,
                        dilation: d,
                        padding: PaddingSpec::Explicit(p),
                        output_padding: 0,
                        ..LayerSpec::preset(LayerKind::Transposed)
                    };
                    let (fixed, notes) = spec.corrected(&Limits::GRID);
                    if !notes.is_empty() {
                        continue;
                    }
                    let w = LayerWeights::generate(&fixed, KernelPreset::Random, 0).unwrap();
                    let input = InputPattern::Random.generate(1, 6, 6, 0);
                    let fwd = fixed
                        .forward(input.view(), &w, &Budget::PLAYGROUND)
                        .unwrap();
                    let verdict = fwd.overlap_evenness().unwrap();
                    let rule = s == 1 || (k % s == 0 && gcd(d, s) == 1);
                    match verdict {
                        Evenness::TooSmall => {}
                        Evenness::Even => {
                            assert!(rule, "k={k} s={s} d={d} p={p}: even, rule says not")
                        }
                        Evenness::Uneven => {
                            assert!(!rule, "k={k} s={s} d={d} p={p}: uneven, rule says even")
                        }
                    }
                    if verdict != Evenness::TooSmall {
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} cases had an interior");
}

#[test]
fn stride_one_is_never_a_checkerboard_and_the_article_case_is() {
    let spec = LayerSpec {
        stride: 1,
        kernel_size: 4,
        padding: PaddingSpec::Explicit(0),
        output_padding: 0,
        ..LayerSpec::preset(LayerKind::Transposed)
    };
    let w = LayerWeights::generate(&spec, KernelPreset::Random, 0).unwrap();
    let input = InputPattern::Random.generate(1, 4, 4, 0);
    let fwd = spec.forward(input.view(), &w, &Budget::PLAYGROUND).unwrap();
    assert_eq!(fwd.overlap_evenness(), Some(Evenness::Even));
    let article = LayerSpec::preset(LayerKind::Transposed);
    let w = LayerWeights::generate(&article, KernelPreset::Random, 0).unwrap();
    let fwd = article
        .forward(input.view(), &w, &Budget::PLAYGROUND)
        .unwrap();
    assert_eq!(fwd.overlap_evenness(), Some(Evenness::Uneven));
}

//! [`PaddingMode`], in a leaf module: `options` holds one and `error` names one, and `options`
//! already depends on `error`.

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// How the padded cells are filled, as `torch.nn.Conv2d(padding_mode=…)` names it (see
    /// docs/CONVENTIONS.md). Along an axis of length `n`, padded position `j` (negative before the
    /// input, `n` or more after it) copies:
    ///
    /// - `Zeros`: nothing, the cell is 0;
    /// - `Reflect`: the mirror image without repeating the edge, `-j` before and `2(n − 1) − j`
    ///   after (`c b | a b c | b a`); each padding must be smaller than `n`;
    /// - `Replicate`: the nearest edge value (`a a | a b c | c c`);
    /// - `Circular`: the input wrapped around, `j mod n` (`b c | a b c | a b`); each padding must
    ///   be at most `n`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    pub enum PaddingMode {
        #[default]
        Zeros => "zeros",
        Reflect => "reflect",
        Replicate => "replicate",
        Circular => "circular",
    }
}

impl std::fmt::Display for PaddingMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

//! Names written once: [`named_enum!`] declares a fieldless enum whose variants each carry the
//! one name that URLs, messages, options and serde use. A leaf: it imports nothing.

/// A fieldless enum whose variants each have one name, written once next to the variant: the
/// enum (serde uses the names too), `ALL` in declaration order, `name` and `from_name`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $ty:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $name:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $ty {
            $( $(#[$vmeta])* #[serde(rename = $name)] $variant, )+
        }

        impl $ty {
            /// Every variant, in the order the playground lists them.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            /// The name (`separable`, `kernel_size`, `box-blur`): the value in URLs, messages and
            /// options, and the serde name; the text a reader sees comes from the front end's
            /// translations.
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The variant called `name`, `None` if there is none.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.name() == name)
            }
        }
    };
}

pub(crate) use named_enum;

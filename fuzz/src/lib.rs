//! The probe's sources, compiled on their own for fuzzing.
//!
//! The fuzz target must not build the whole `aether` crate: with its HTTP client and runtime
//! dependencies, an instrumented release build would not fit the test step's time budget on a
//! two-core machine. The probe needs only two error codes, the `open_enum!` macro and serde,
//! so this crate compiles the very same source files (`core/src/probe.rs` and
//! `core/src/probe/`, through `#[path]`) against small stand-ins for those two. `cargo test
//! -p aether` still runs the probe's own tests in place.
#![forbid(unsafe_code)]

#[path = "../../core/src"]
mod core_src {
    pub mod probe;
}
pub use core_src::probe;

/// Stand-in for `aether::ErrorCode`: the two codes the probe answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// Bad media.
    UnsupportedMediaType,
    /// Reading failed.
    IoError,
}

/// What `core/src/model.rs` offers the probe: the `open_enum!` macro (copied; it only shapes
/// the enums, no parsing depends on it).
pub mod model {
    macro_rules! open_enum {
        ($(#[$meta:meta])* $name:ident { $( $(#[$doc:meta])* $variant:ident = $wire:literal, )* }) => {
            $(#[$meta])*
            #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
            pub enum $name {
                $( $(#[$doc])* $variant, )*
                /// A value this SDK version does not know.
                Unknown(String),
            }

            impl $name {
                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        $( $name::$variant => $wire, )*
                        $name::Unknown(other) => other,
                    }
                }
            }

            impl ::serde::Serialize for $name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }

            impl<'de> ::serde::Deserialize<'de> for $name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let value = <String as ::serde::Deserialize>::deserialize(d)?;
                    Ok(match value.as_str() {
                        $( $wire => $name::$variant, )*
                        _ => $name::Unknown(value),
                    })
                }
            }
        };
    }
    pub(crate) use open_enum;
}

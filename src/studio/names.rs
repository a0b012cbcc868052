//! The names of the studio's kinds (agreements, roles, take types, budget categories…) as people
//! type and read them: one list per kind, so the command line and the desk offer and accept the
//! same words, and JSON uses them too.

use super::budget::Category;
use super::crew::CrewRole;
use super::entities::{PersonKind, Union};
use super::fees::{Agreement, Role, SessionKind};
use super::log::TakeType;

/// A kind with a fixed list of values, each with its name.
pub trait Named: Copy + PartialEq + Send + Sync + 'static {
    /// Every value, in the order they are offered.
    const ALL: &'static [Self];

    /// What the value is called.
    fn name(self) -> &'static str;

    /// The value called `text`; case, and `-` for `_`, do not matter.
    fn parse(text: &str) -> Option<Self> {
        let wanted = text.trim().replace('-', "_");
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name().eq_ignore_ascii_case(&wanted))
    }
}

/// `Named` for an enum with an `as_str`, its values listed in order.
macro_rules! named {
    ($kind:ty: $($value:ident),+) => {
        impl Named for $kind {
            const ALL: &'static [Self] = &[$(Self::$value),+];

            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    };
}

named!(Agreement: Mu, Afm, Free);
named!(Role: Side, Leader, Contractor, BackgroundVocalist);
named!(SessionKind: Standard, Long, Short);
named!(CrewRole: Engineer, Assistant);
named!(PersonKind: Client, Artist, Engineer, Producer, Musician);
named!(Union: Afm, Mu, None);
named!(TakeType: Default, NoGood, FalseStart, WildTrack, Pickup, Rehearsal);
named!(Category: Studio, Engineer, Musicians, Rentals, Mixing, Mastering, Other);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value's name reads back as it, whatever the case or `-`/`_`, and is its JSON name.
    fn names_read_back<T: Named + serde::Serialize + std::fmt::Debug>() {
        for &v in T::ALL {
            assert_eq!(T::parse(v.name()), Some(v));
            assert_eq!(T::parse(&v.name().to_ascii_uppercase()), Some(v));
            assert_eq!(T::parse(&v.name().replace('_', "-")), Some(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.name(), "{v:?}");
        }
        assert_eq!(T::parse("no such thing"), None);
    }

    #[test]
    fn every_kind_is_read_by_its_names() {
        names_read_back::<Agreement>();
        names_read_back::<Role>();
        names_read_back::<SessionKind>();
        names_read_back::<CrewRole>();
        names_read_back::<PersonKind>();
        names_read_back::<Union>();
        names_read_back::<TakeType>();
        names_read_back::<Category>();
        assert_eq!(
            Role::parse("background-vocalist"),
            Some(Role::BackgroundVocalist)
        );
        assert_eq!(Union::parse("mu"), Some(Union::Mu));
    }
}

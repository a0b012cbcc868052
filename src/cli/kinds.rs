//! The studio's kinds (agreements, roles, take types…) as command-line values: clap reads them by
//! the names the studio gives them ([`Named`]), so the domain types carry no clap.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;

use crate::studio::names::Named;

/// clap's parser for a kind `T`: any of its names (any case, `-` for `_`), listed in `--help`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Kind<T>(PhantomData<T>);

/// The parser for kind `T`, for `#[arg(value_parser = kind::<T>())]`.
pub fn kind<T>() -> Kind<T> {
    Kind(PhantomData)
}

impl<T: Named + Clone> TypedValueParser for Kind<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        T::parse(&text).ok_or_else(|| {
            let names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
            let arg = arg.map(|a| format!(" for '{a}'")).unwrap_or_default();
            clap::Error::raw(
                ErrorKind::InvalidValue,
                format!("invalid value '{text}'{arg}: one of {}\n", names.join(", ")),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::ALL.iter().map(|v| PossibleValue::new(v.name())),
        ))
    }
}

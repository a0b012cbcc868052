//! Run-time choice of instruction set for the meters' hot loops.
//!
//! The loops are written once, generic over `FMA`, and compiled twice: for baseline x86-64 (SSE2)
//! and, inside `#[target_feature(enable = "avx2,fma")]` functions, for AVX2 with fused
//! multiply-add. [`Isa::detect`] picks the second where the processor has it. Fused multiply-adds
//! round once instead of twice, so the two paths agree to ~1e-15 relative, not to the bit.

/// The instruction set the meters run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Isa(Kind);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Baseline,
    Avx2Fma,
}

impl Isa {
    /// The fastest instruction set this processor supports.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Isa(Kind::Avx2Fma);
        }
        Isa(Kind::Baseline)
    }

    /// Baseline code only (for comparison and tests).
    pub fn baseline() -> Self {
        Isa(Kind::Baseline)
    }

    /// True when AVX2 and FMA are in use (only ever after [`Isa::detect`] found them).
    pub fn is_avx2_fma(self) -> bool {
        self.0 == Kind::Avx2Fma
    }
}

impl std::fmt::Display for Isa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Kind::Baseline => "baseline",
            Kind::Avx2Fma => "avx2+fma",
        })
    }
}

/// `a × b + c` in `f64`, fused when `FMA` (only call with `FMA` inside AVX2+FMA code).
#[inline(always)]
pub fn madd64<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// `a × b + c` in `f32`, fused when `FMA` (only call with `FMA` inside AVX2+FMA code).
#[inline(always)]
pub fn madd32<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

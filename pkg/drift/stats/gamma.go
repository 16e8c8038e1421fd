package stats

import "math"

// GammaQ is the regularized upper incomplete gamma function
// Q(a, x) = Γ(a, x)/Γ(a): scipy.special.gammaincc(a, x). It uses the power
// series for P = 1 − Q when x < a+1 and Legendre's continued fraction
// (modified Lentz) otherwise, as in Numerical Recipes §6.2; in each region the
// evaluated quantity is not the small difference of two near-equal numbers.
func GammaQ(a, x float64) float64 {
	switch {
	case math.IsNaN(a) || math.IsNaN(x) || a < 0 || x < 0:
		return math.NaN()
	case a == 0:
		if x > 0 {
			return 0
		}
		return math.NaN()
	case x == 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	case math.IsInf(a, 1):
		return 1
	}
	if x < a+1 {
		return 1 - gammaPSeries(a, x)
	}
	return gammaQContinuedFraction(a, x)
}

// gammaPrefactor is x^a·e^(−x)/Γ(a) computed in log space.
func gammaPrefactor(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	return math.Exp(a*math.Log(x) - x - lg)
}

func gammaPSeries(a, x float64) float64 {
	ap := a
	term := 1 / a
	sum := term
	for range 100000 {
		ap++
		term *= x / ap
		sum += term
		if math.Abs(term) < math.Abs(sum)*epsilon/4 {
			break
		}
	}
	return sum * gammaPrefactor(a, x)
}

func gammaQContinuedFraction(a, x float64) float64 {
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 100000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < epsilon/4 {
			break
		}
	}
	return gammaPrefactor(a, x) * h
}

// ChiSquareSF is P(χ²_df ≥ x): scipy.stats.chi2.sf(x, df).
func ChiSquareSF(x, df float64) float64 {
	if x <= 0 {
		return 1
	}
	return GammaQ(df/2, x/2)
}

// NormalCDF is Φ(z): scipy.special.ndtr(z).
func NormalCDF(z float64) float64 {
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

package pmml

import (
	"math"
	"sort"
)

// The statistical built-ins of PMML 4.1 and 4.3 (median, the normal
// distribution, erf), the x- names R and JPMML producers write for the
// functions PMML 4.4 made standard, and PMML 4.4's isValid/isNotValid.
func init() {
	builtins["median"] = aggregate(median)
	builtins["erf"] = numeric1(math.Erf)
	builtins["stdNormalCDF"] = numeric1(stdNormalCDF)
	builtins["stdNormalPDF"] = numeric1(stdNormalPDF)
	builtins["stdNormalIDF"] = numeric1(stdNormalIDF)
	builtins["normalCDF"] = numeric3(func(x, mu, sigma float64) float64 {
		if !(sigma > 0) {
			return math.NaN()
		}
		return stdNormalCDF((x - mu) / sigma)
	})
	builtins["normalPDF"] = numeric3(func(x, mu, sigma float64) float64 {
		if !(sigma > 0) {
			return math.NaN()
		}
		return stdNormalPDF((x-mu)/sigma) / sigma
	})
	builtins["normalIDF"] = numeric3(func(p, mu, sigma float64) float64 {
		if !(sigma > 0) {
			return math.NaN()
		}
		return mu + sigma*stdNormalIDF(p)
	})
	// Extension names of the functions PMML 4.4 adopted (JPMML's x- prefix).
	for _, name := range []string{"ln1p", "expm1", "rint", "hypot", "atan2", "sin", "cos", "tan",
		"asin", "acos", "atan", "sinh", "cosh", "tanh", "modulo"} {
		builtins["x-"+name] = builtins[name]
	}
}

// numeric3 is a function of three numbers.
func numeric3(f func(x, y, z float64) float64) builtin {
	return builtin{min: 3, max: 3, dt: dtDouble, call: func(a []value) value {
		x, ok1 := a[0].number()
		y, ok2 := a[1].number()
		z, ok3 := a[2].number()
		if !ok1 || !ok2 || !ok3 {
			return missing
		}
		return num(f(x, y, z))
	}}
}

// median is the middle value, or the mean of the two middle values of an
// even count.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func stdNormalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

func stdNormalPDF(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// stdNormalIDF is the standard normal quantile. math.Erfinv is exact in
// the middle but loses the tails (1-2p rounds to 1), so the guess is
// refined by Halley steps on the CDF, which math.Erfc keeps accurate far
// into the tails.
func stdNormalIDF(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	}
	q := math.Min(p, 1-p)
	var x float64
	if q > 1e-8 {
		x = -math.Sqrt2 * math.Erfinv(1-2*q)
	} else { // tail: the leading terms of the asymptotic expansion
		t := -2 * math.Log(q)
		x = -math.Sqrt(t - math.Log(t) - math.Log(2*math.Pi))
	}
	for range 4 {
		e := stdNormalCDF(x) - q
		u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
		x -= u / (1 + x*u/2)
	}
	if p > 0.5 {
		return -x
	}
	return x
}

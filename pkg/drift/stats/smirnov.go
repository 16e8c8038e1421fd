package stats

import "math"

// smirnovMaxComputeN is where scipy's smirnov switches to an approximation
// because the exact sum takes too long.
const smirnovMaxComputeN = 1000000

// SmirnovSF is the one-sided Kolmogorov-Smirnov survival function
// P(D_n^+ ≥ x): scipy.special.smirnov(n, x). It sums the Smirnov/Birnbaum-
// Tingey series x·Σ_{v=0}^{⌊n(1−x)⌋} C(n,v)(x+v/n)^(v−1)(1−x−v/n)^(n−v).
// Every term is positive, so a float64 sum is accurate; each term is built in
// log space with the binomial kept as mantissa·2^exponent, where scipy uses
// double-double arithmetic (agreement ~1e-12 relative for n ≤ 10^5).
func SmirnovSF(n int, x float64) float64 {
	if n <= 0 || !(x >= 0 && x <= 1) {
		return math.NaN()
	}
	if n == 1 {
		return 1 - x
	}
	if x == 0 {
		return 1
	}
	if x == 1 {
		return 0
	}
	fn := float64(n)
	nxfl, alpha := floorFrac(fn, x)
	if nxfl == 0 || (nxfl == 1 && alpha == 0) {
		return clip01(1 - x*math.Pow(1+x, fn-1))
	}
	if -2*fn*x*x < minLog {
		return 0
	}
	if nxfl >= n-1 {
		return clip01(math.Pow(1-x, fn))
	}
	if n > smirnovMaxComputeN {
		logp := -math.Pow(6*fn*x+1, 2) / 18 / fn
		if logp < -math.Ln2 {
			return math.Exp(logp)
		}
		return 1 + math.Expm1(logp)
	}
	// Terms v = 0..⌊n(1−x)⌋, less the zero one at v = n(1−x) when that is whole.
	last := n - nxfl - 1
	_ = alpha
	nTerms := last + 1
	// v = 0: (1−x)^n / x.
	sum := math.Pow(1-x, fn) / x
	cman, cexp := math.Frexp(fn) // C(n,1)
	for v := 1; v < nTerms; v++ {
		fv := float64(v)
		up := x + fv/fn             // x + v/n
		down := float64(n-v)/fn - x // 1 − x − v/n
		if down <= 0 {
			break // rounding put 1−x−v/n at 0: this and later terms vanish
		}
		logT := (fv-1)*math.Log(up) + (fn-fv)*math.Log(down)
		k := math.Round(logT / math.Ln2)
		r := (logT - k*ln2Hi) - k*ln2Lo
		term := math.Ldexp(cman*math.Exp(r), cexp+int(k))
		sum += term
		if term != 0 {
			if 4*float64(nTerms-v)*term < epsilon*sum && v != nTerms-1 {
				break
			}
		} else if v > n/2 {
			break
		}
		// C(n, v+1) = C(n, v)·(n−v)/(v+1), renormalised to keep the exponent apart.
		var e int
		cman, e = math.Frexp(cman * (float64(n-v) / float64(v+1)))
		cexp += e
	}
	return clip01(x * sum)
}

const (
	epsilon = 2.220446049250313e-16
	minLog  = -708.3964185322641 // log(2^-1022), cephes MINLOG
	// ln2Hi + ln2Lo = ln 2; k·ln2Hi is exact for |k| < 2^20.
	ln2Hi = 6.93147180369123816490e-01
	ln2Lo = 1.90821492927058770002e-10
)

// floorFrac splits the exact product n·x into ⌊n·x⌋ and its fraction: x is
// rarely exact (0.1·50 rounds to 5 but is 5 + 2.8e-16), and which terms the
// series has depends on that last bit, as in scipy's double-double modNX.
func floorFrac(n, x float64) (int, float64) {
	hi := n * x
	lo := math.FMA(n, x, -hi)
	fl := math.Floor(hi)
	alpha := (hi - fl) + lo
	if alpha < 0 {
		fl--
		alpha++
	}
	if alpha >= 1 {
		fl++
		alpha = 0
	}
	return int(fl), alpha
}

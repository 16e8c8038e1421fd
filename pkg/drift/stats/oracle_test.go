package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
)

// The oracle is scipy's answer on generated samples; testdata/gen_oracle.py
// writes it and mirrors genNumeric/genCategorical bit for bit.
type oracle struct {
	KS []struct {
		Ref, Cur numSpec
		D, P     float64
	}
	KSTwo []struct {
		N    int
		X, P float64
	} `json:"kstwo"`
	Smirnov []struct {
		N    int
		X, P float64
	}
	GammaIncc   []struct{ A, X, Q float64 } `json:"gammaincc"`
	Categorical []struct {
		Ref, Cur catSpec
		Chi2     *float64 // null: +Inf
		Chi2P    float64  `json:"chi2_p"`
		Z        float64
		ZP       float64 `json:"z_p"`
		PSI, JS  float64
	}
	Numeric []struct {
		Ref, Cur          numSpec
		PSI, JS           float64
		Wasserstein       float64
		WassersteinNormed float64 `json:"wasserstein_normed"`
		Edges             []float64
	}
}

type numSpec struct {
	Seed       uint64
	N          int
	Loc, Scale float64
	Grid       float64
}

type catSpec struct {
	Seed         uint64
	N, K, Offset int
}

func loadOracle(t *testing.T) oracle {
	t.Helper()
	raw, err := os.ReadFile("testdata/oracle.json")
	if err != nil {
		t.Fatalf("read oracle (regenerate with /usr/bin/python3 testdata/gen_oracle.py): %v", err)
	}
	var o oracle
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decode oracle: %v", err)
	}
	if len(o.KS) == 0 || len(o.KSTwo) == 0 || len(o.GammaIncc) == 0 || len(o.Categorical) == 0 || len(o.Numeric) == 0 {
		t.Fatalf("oracle has an empty section")
	}
	return o
}

type splitmix struct{ state uint64 }

func (s *splitmix) next() uint64 {
	s.state += 0x9E3779B97F4A7C15
	z := s.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func genNumeric(s numSpec) []float64 {
	g := splitmix{s.Seed}
	out := make([]float64, s.N)
	for i := range out {
		sum := 0.0
		for range 12 {
			sum += float64(g.next()>>11) * 0x1p-53
		}
		x := float64((sum-6.0)*s.Scale) + s.Loc
		if s.Grid > 0 {
			x = math.Floor(float64(x*s.Grid)) / s.Grid
		}
		out[i] = x
	}
	return out
}

func genCategorical(s catSpec) []string {
	g := splitmix{s.Seed}
	out := make([]string, s.N)
	for i := range out {
		a := g.next() % uint64(s.K)
		b := g.next() % uint64(s.K)
		out[i] = fmt.Sprintf("c%03d", min(a, b)+uint64(s.Offset))
	}
	return out
}

// closeRel reports whether got is within rel of want (or both are 0/NaN).
func closeRel(got, want, rel float64) bool {
	if got == want || (math.IsNaN(got) && math.IsNaN(want)) {
		return true
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// Worst observed: 5e-12 (GammaQ at a = 5000, where Lgamma ~ 4e4 limits the
// prefactor) and 2e-12 (kstwo.sf near n = 1e5, where scipy sums in
// double-double); everything else agrees to ~1e-13.
const oracleRel = 1e-11

func TestOracleKS(t *testing.T) {
	for i, c := range loadOracle(t).KS {
		got, err := KSTwoSample(genNumeric(c.Ref), genNumeric(c.Cur))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		col := TestNumeric(genNumeric(c.Ref), genNumeric(c.Cur), Options{Test: TestKS})
		if col.Statistic != c.D || !closeRel(col.PValue, c.P, oracleRel) {
			t.Errorf("case %d column test: D=%v p=%v, scipy D=%v p=%v", i, col.Statistic, col.PValue, c.D, c.P)
		}
		if got.D != c.D || !closeRel(got.PValue, c.P, oracleRel) {
			t.Errorf("case %d n=(%d,%d): D=%v p=%v exact=%t, scipy D=%v p=%v (rel %.2g)",
				i, c.Ref.N, c.Cur.N, got.D, got.PValue, got.Exact, c.D, c.P, math.Abs(got.PValue-c.P)/c.P)
		}
	}
}

func TestOracleKolmogorovSF(t *testing.T) {
	for _, c := range loadOracle(t).KSTwo {
		if got := KolmogorovSF(c.N, c.X); !closeRel(got, c.P, oracleRel) {
			t.Errorf("kstwo.sf(%v, %d) = %v, scipy %v (rel %.2g)", c.X, c.N, got, c.P, math.Abs(got-c.P)/c.P)
		}
	}
}

func TestOracleSmirnov(t *testing.T) {
	for _, c := range loadOracle(t).Smirnov {
		if got := SmirnovSF(c.N, c.X); !closeRel(got, c.P, oracleRel) {
			t.Errorf("smirnov(%d, %v) = %v, scipy %v (rel %.2g)", c.N, c.X, got, c.P, math.Abs(got-c.P)/c.P)
		}
	}
}

func TestOracleGammaQ(t *testing.T) {
	for _, c := range loadOracle(t).GammaIncc {
		if got := GammaQ(c.A, c.X); !closeRel(got, c.Q, oracleRel) {
			t.Errorf("gammaincc(%v, %v) = %v, scipy %v (rel %.2g)", c.A, c.X, got, c.Q, math.Abs(got-c.Q)/c.Q)
		}
	}
}

func TestOracleCategorical(t *testing.T) {
	for i, c := range loadOracle(t).Categorical {
		ref, cur := countStrings(genCategorical(c.Ref)), countStrings(genCategorical(c.Cur))
		_, rc, cc := AlignCounts(ref, cur)
		chi, err := ChiSquareFromCounts(rc, cc)
		if err != nil {
			t.Fatal(err)
		}
		z, err := ZTestFromCounts(rc, cc)
		if err != nil {
			t.Fatal(err)
		}
		psi, _ := PSI(rc, cc)
		js, _ := JensenShannon(rc, cc)
		for _, m := range []struct {
			name      string
			got, want float64
		}{
			{"chi2", chi.Statistic, orInf(c.Chi2)}, {"chi2 p", chi.PValue, c.Chi2P},
			{"z", z.Z, c.Z}, {"psi", psi, c.PSI}, {"js", js, c.JS},
		} {
			if !closeRel(m.got, m.want, oracleRel) {
				t.Errorf("case %d %s = %v, scipy %v", i, m.name, m.got, m.want)
			}
		}
		// p = 2(1 − Φ(|z|)) loses relative precision as p → 0 (the same
		// subtraction happens in Evidently), so compare it absolutely.
		if math.Abs(z.PValue-c.ZP) > 1e-15 {
			t.Errorf("case %d z p = %v, scipy %v", i, z.PValue, c.ZP)
		}
	}
}

func TestOracleNumeric(t *testing.T) {
	for i, c := range loadOracle(t).Numeric {
		ref, cur := genNumeric(c.Ref), genNumeric(c.Cur)
		w, err := WassersteinDistance(ref, cur)
		if err != nil {
			t.Fatal(err)
		}
		wn, _ := WassersteinNormed(ref, cur)
		psi := TestNumeric(ref, cur, Options{Test: TestPSI})
		js := TestNumeric(ref, cur, Options{Test: TestJensenShannon})
		wcol := TestNumeric(ref, cur, Options{Test: TestWasserstein})
		for _, m := range []struct {
			name      string
			got, want float64
		}{
			{"wasserstein", w, c.Wasserstein}, {"wasserstein normed", wn, c.WassersteinNormed},
			{"psi", psi.Score, c.PSI}, {"js", js.Score, c.JS}, {"wasserstein column", wcol.Score, c.WassersteinNormed},
		} {
			if !closeRel(m.got, m.want, oracleRel) {
				t.Errorf("case %d %s = %v, scipy %v", i, m.name, m.got, m.want)
			}
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range append(append([]float64{}, ref...), cur...) {
			lo, hi = min(lo, v), max(hi, v)
		}
		edges, err := SturgesEdges(lo, hi, len(ref)+len(cur))
		if err != nil {
			t.Fatal(err)
		}
		if len(edges) != len(c.Edges) {
			t.Fatalf("case %d: %d sturges edges, numpy %d", i, len(edges), len(c.Edges))
		}
		for j := range edges {
			if edges[j] != c.Edges[j] {
				t.Errorf("case %d edge %d = %v, numpy %v (bit-exact expected)", i, j, edges[j], c.Edges[j])
			}
		}
	}
}

func orInf(p *float64) float64 {
	if p == nil {
		return math.Inf(1)
	}
	return *p
}

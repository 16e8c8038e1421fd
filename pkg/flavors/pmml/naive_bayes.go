package pmml

import "math"

// bayesInput is one compiled BayesInput: for a categorical field the
// per-class conditional probabilities of each level, for a continuous one a
// Gaussian per class.
type bayesInput struct {
	slot     int32
	levels   map[string][]float64 // level (tableKey) → P(level | class), by class
	gaussian bool
	mean     []float64
	variance []float64
}

type naiveBayes struct {
	m         *modelNode
	inputs    []bayesInput
	prior     []float64 // class counts
	threshold float64
	buf       int
}

func (c *compiler) compileNaiveBayes(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "threshold")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "BayesInputs", "BayesOutput")...); err != nil {
		return err
	}
	if m.fn != fnClassification {
		return e.invalid("NaiveBayesModel needs functionName=\"classification\"")
	}
	nb := &naiveBayes{m: m}
	var err error
	if nb.threshold, err = e.needFloat("threshold"); err != nil {
		return err
	}
	out := e.kid("BayesOutput")
	if out == nil {
		return e.invalid("NaiveBayesModel needs a <BayesOutput>")
	}
	if err := out.check("fieldName"); err != nil {
		return err
	}
	if err := out.checkKids("TargetValueCounts"); err != nil {
		return err
	}
	counts := map[int]float64{}
	if err := readTargetCounts(out.kid("TargetValueCounts"), m, counts); err != nil {
		return err
	}
	ins := e.kid("BayesInputs")
	if ins == nil {
		return e.invalid("NaiveBayesModel needs <BayesInputs>")
	}
	if err := ins.check(); err != nil {
		return err
	}
	if err := ins.checkKids("BayesInput"); err != nil {
		return err
	}
	type pending struct {
		in    bayesInput
		pairs map[string]map[int]float64
		stats map[int][2]float64
	}
	var todo []pending
	for _, bi := range ins.kids {
		if err := bi.check("fieldName"); err != nil {
			return err
		}
		if err := bi.checkKids("PairCounts", "TargetValueStats", "DerivedField"); err != nil {
			return err
		}
		if d := bi.kid("DerivedField"); d != nil {
			return d.unsupported("<DerivedField> inside <BayesInput> is not supported")
		}
		slot, err := c.fieldSlot(bi, "fieldName", m.scope)
		if err != nil {
			return err
		}
		p := pending{in: bayesInput{slot: slot}}
		if st := bi.kid("TargetValueStats"); st != nil {
			if err := st.checkKids("TargetValueStat"); err != nil {
				return err
			}
			p.in.gaussian, p.stats = true, map[int][2]float64{}
			for _, s := range st.kids {
				if err := s.check("value"); err != nil {
					return err
				}
				if len(s.kids) != 1 || s.kids[0].name != "GaussianDistribution" {
					if len(s.kids) == 1 {
						return s.kids[0].unsupported("<%s> in <TargetValueStat> is not supported", s.kids[0].name)
					}
					return s.invalid("<TargetValueStat> needs one distribution")
				}
				g := s.kids[0]
				if err := g.check("mean", "variance"); err != nil {
					return err
				}
				v, err := s.need("value")
				if err != nil {
					return err
				}
				mean, err := g.needFloat("mean")
				if err != nil {
					return err
				}
				variance, err := g.needFloat("variance")
				if err != nil {
					return err
				}
				if !(variance > 0) {
					return g.invalid("variance must be positive")
				}
				p.stats[m.classOf(v)] = [2]float64{mean, variance}
			}
		} else {
			p.pairs = map[string]map[int]float64{}
			for _, pc := range bi.kidsNamed("PairCounts") {
				if err := pc.check("value"); err != nil {
					return err
				}
				if err := pc.checkKids("TargetValueCounts"); err != nil {
					return err
				}
				v, err := pc.need("value")
				if err != nil {
					return err
				}
				cs := map[int]float64{}
				if err := readTargetCounts(pc.kid("TargetValueCounts"), m, cs); err != nil {
					return err
				}
				p.pairs[tableKey(v)] = cs
			}
		}
		todo = append(todo, p)
	}
	// All classes are known now: lay the numbers out by class.
	n := len(m.classes)
	nb.prior = make([]float64, n)
	for k, v := range counts {
		nb.prior[k] = v
	}
	for _, p := range todo {
		in := p.in
		if in.gaussian {
			in.mean, in.variance = make([]float64, n), make([]float64, n)
			for k := range in.mean {
				s, ok := p.stats[k]
				if !ok && nb.prior[k] == 0 {
					s = [2]float64{0, 1} // a class never seen in training scores 0 anyway
				} else if !ok {
					return e.invalid("a <TargetValueStats> lacks class %q", m.classes[k])
				}
				in.mean[k], in.variance[k] = s[0], s[1]
			}
		} else {
			total := make([]float64, n)
			for _, cs := range p.pairs {
				for k, v := range cs {
					total[k] += v
				}
			}
			in.levels = map[string][]float64{}
			for lv, cs := range p.pairs {
				probs := make([]float64, n)
				for k := range probs {
					if total[k] > 0 {
						probs[k] = cs[k] / total[k]
					}
				}
				in.levels[lv] = probs
			}
		}
		nb.inputs = append(nb.inputs, in)
	}
	nb.buf = c.prog.addBuffer(n)
	m.impl = nb
	return nil
}

func readTargetCounts(e *elem, m *modelNode, into map[int]float64) error {
	if e == nil {
		return nil
	}
	if err := e.check(); err != nil {
		return err
	}
	if err := e.checkKids("TargetValueCount"); err != nil {
		return err
	}
	for _, tv := range e.kids {
		if err := tv.check("value", "count"); err != nil {
			return err
		}
		v, err := tv.need("value")
		if err != nil {
			return err
		}
		n, err := tv.needFloat("count")
		if err != nil {
			return err
		}
		if n < 0 {
			return tv.invalid("count must not be negative")
		}
		into[m.classOf(v)] += n
	}
	return nil
}

// eval multiplies each class's count by the conditional probability of every
// present input; a zero probability is replaced by the threshold, and a
// missing or unseen value is skipped.
func (nb *naiveBayes) eval(ctx *rowCtx, res *result) {
	l := ctx.bufs[nb.buf]
	copy(l, nb.prior)
	for i := range nb.inputs {
		in := &nb.inputs[i]
		v := ctx.get(in.slot)
		if v.k == kMissing {
			continue
		}
		if in.gaussian {
			x, ok := v.number()
			if !ok {
				continue
			}
			for k := range l {
				d := x - in.mean[k]
				p := math.Exp(-d*d/(2*in.variance[k])) / math.Sqrt(2*math.Pi*in.variance[k])
				if p == 0 {
					p = nb.threshold
				}
				l[k] *= p
			}
			continue
		}
		probs, ok := in.levels[tableKey(v.text())]
		if !ok {
			continue
		}
		for k := range l {
			p := probs[k]
			if p == 0 {
				p = nb.threshold
			}
			l[k] *= p
		}
	}
	var sum float64
	for _, x := range l {
		sum += x
	}
	if !(sum > 0) {
		return
	}
	for k := range l {
		l[k] /= sum
	}
	res.ok, res.probs = true, l
	res.label = nb.m.classes[argmax(l)]
}

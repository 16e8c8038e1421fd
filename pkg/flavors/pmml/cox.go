package pmml

import (
	"math"
	"sort"
)

// coxStratum is one baseline cumulative hazard step function: times
// ascending, cumHazard[i] holding from times[i] on, up to maxTime.
type coxStratum struct {
	key       string // tableKey of the baselineStrataVariable value; "" without strata
	maxTime   float64
	times     []float64
	cumHazard []float64
}

// coxModel is the survival part of a CoxRegression GeneralRegressionModel.
// The prediction is the cumulative hazard H0(t)·exp(r − r̄), where r is the
// linear predictor Σβx and r̄ = Σβ·referencePoint centres it.
type coxModel struct {
	endSlot    int32
	strataSlot int32 // -1 without baselineStrataVariable
	refLP      float64
	strata     []coxStratum // few; scanned linearly
}

func (c *compiler) compileCox(e *elem, m *modelNode, betas, refPoints []float64) (*coxModel, error) {
	if m.fn != fnRegression {
		return nil, e.invalid("a CoxRegression needs functionName=\"regression\"")
	}
	x := &coxModel{strataSlot: -1}
	for i, b := range betas {
		x.refLP += b * refPoints[i]
	}
	var err error
	if x.endSlot, err = c.fieldSlot(e, "endTimeVariable", m.scope); err != nil {
		return nil, err
	}
	// startTimeVariable, statusVariable and EventValues describe the training
	// data; scoring reads only the end time (and the stratum).
	for _, a := range []string{"startTimeVariable", "statusVariable", "subjectIDVariable"} {
		if _, ok := e.attr(a); ok {
			if _, err := c.fieldSlot(e, a, m.scope); err != nil {
				return nil, err
			}
		}
	}
	if ev := e.kid("EventValues"); ev != nil {
		if err := ev.check(); err != nil {
			return nil, err
		}
		if err := ev.checkKids("Value", "Interval"); err != nil {
			return nil, err
		}
	}
	tables := e.kid("BaseCumHazardTables")
	if tables == nil {
		return nil, e.invalid("a CoxRegression needs <BaseCumHazardTables>")
	}
	if err := tables.check("maxTime"); err != nil {
		return nil, err
	}
	if _, ok := e.attr("baselineStrataVariable"); ok {
		if x.strataSlot, err = c.fieldSlot(e, "baselineStrataVariable", m.scope); err != nil {
			return nil, err
		}
		if err := tables.checkKids("BaselineStratum"); err != nil {
			return nil, err
		}
		if len(tables.kids) == 0 {
			return nil, tables.invalid("<BaseCumHazardTables> of a stratified CoxRegression needs <BaselineStratum> elements")
		}
		seen := map[string]bool{}
		for _, s := range tables.kids {
			if err := s.check("value", "label", "maxTime"); err != nil {
				return nil, err
			}
			v, err := s.need("value")
			if err != nil {
				return nil, err
			}
			if seen[tableKey(v)] {
				return nil, s.invalid("stratum %q is declared twice", v)
			}
			seen[tableKey(v)] = true
			st, err := coxCells(s)
			if err != nil {
				return nil, err
			}
			st.key = tableKey(v)
			x.strata = append(x.strata, st)
		}
		return x, nil
	}
	if err := tables.checkKids("BaselineCell"); err != nil {
		return nil, err
	}
	st, err := coxCells(tables)
	if err != nil {
		return nil, err
	}
	x.strata = []coxStratum{st}
	return x, nil
}

// coxCells reads the BaselineCells and maxTime of a stratum or of the tables.
func coxCells(e *elem) (coxStratum, error) {
	var st coxStratum
	var err error
	if st.maxTime, err = e.needFloat("maxTime"); err != nil {
		return st, err
	}
	for _, cell := range e.kidsNamed("BaselineCell") {
		if err := cell.check("time", "cumHazard"); err != nil {
			return st, err
		}
		t, err := cell.needFloat("time")
		if err != nil {
			return st, err
		}
		h, err := cell.needFloat("cumHazard")
		if err != nil {
			return st, err
		}
		if n := len(st.times); n > 0 && t < st.times[n-1] {
			return st, cell.invalid("<BaselineCell> times must not decrease: %g follows %g", t, st.times[n-1])
		}
		st.times = append(st.times, t)
		st.cumHazard = append(st.cumHazard, h)
	}
	if len(st.times) == 0 {
		return st, e.invalid("<%s> needs at least one <BaselineCell>", e.name)
	}
	return st, nil
}

// eval turns the linear predictor lp into the cumulative hazard at the end
// time: 0 before the first baseline time, missing after maxTime or for an
// unknown stratum.
func (x *coxModel) eval(ctx *rowCtx, res *result, lp float64) {
	t, ok := ctx.get(x.endSlot).number()
	if !ok {
		return
	}
	st := &x.strata[0]
	if x.strataSlot >= 0 {
		in := ctx.get(x.strataSlot)
		if in.k == kMissing {
			return
		}
		key := tableKey(in.text())
		st = nil
		for i := range x.strata {
			if x.strata[i].key == key {
				st = &x.strata[i]
				break
			}
		}
		if st == nil {
			return
		}
	}
	if t > st.maxTime || math.IsNaN(t) {
		return
	}
	// The last cell at or before t.
	i := sort.Search(len(st.times), func(i int) bool { return st.times[i] > t }) - 1
	h0 := 0.0
	if i >= 0 {
		h0 = st.cumHazard[i]
	}
	res.ok, res.val = true, h0*math.Exp(lp-x.refLP)
}

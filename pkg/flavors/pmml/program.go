package pmml

// program holds the slots every field of a document evaluates into: data
// fields, derived fields, per-model views of mining fields, output fields.
// Each declaration gets its own slot, so a row is one flat []value.
type program struct {
	names   []string
	types   []dataType
	compute []func(*rowCtx) value // nil: filled directly, not computed
	nbufs   []int                 // per-model scratch buffer sizes
	nres    int                   // per-model scratch results (segment results)
}

func (p *program) addSlot(name string, dt dataType, compute func(*rowCtx) value) int32 {
	p.names = append(p.names, name)
	p.types = append(p.types, dt)
	p.compute = append(p.compute, compute)
	return int32(len(p.names) - 1)
}

// addBuffer reserves a per-row scratch slice of n float64s for one model.
func (p *program) addBuffer(n int) int {
	p.nbufs = append(p.nbufs, n)
	return len(p.nbufs) - 1
}

// addResult reserves a per-row scratch result for one model, so that
// scoring a segment does not allocate.
func (p *program) addResult() int {
	p.nres++
	return p.nres - 1
}

// scope maps field names to slots; a model's scope sees its parent's names.
type scope struct {
	parent *scope
	names  map[string]int32
}

func newScope(parent *scope) *scope { return &scope{parent: parent, names: map[string]int32{}} }

func (s *scope) lookup(name string) (int32, bool) {
	for ; s != nil; s = s.parent {
		if i, ok := s.names[name]; ok {
			return i, true
		}
	}
	return 0, false
}

// slot states while a row is evaluated
const (
	slotPending uint8 = iota
	slotBusy
	slotDone
)

// rowCtx is the state of one row's evaluation. One per Predict call, reused
// across rows, so Predict is safe for concurrent use.
type rowCtx struct {
	prog  *program
	vals  []value
	state []uint8
	bufs  [][]float64
	res   []result
	err   error
	// sums, when set, holds the root ensemble's accumulation for row.
	sums *ensembleSums
	row  int
}

func newRowCtx(p *program) *rowCtx {
	c := &rowCtx{prog: p, vals: make([]value, len(p.names)), state: make([]uint8, len(p.names))}
	c.res = make([]result, p.nres)
	c.bufs = make([][]float64, len(p.nbufs))
	for i, n := range p.nbufs {
		c.bufs[i] = make([]float64, n)
	}
	return c
}

func (c *rowCtx) reset() {
	clear(c.vals)
	clear(c.state)
	c.err = nil
	c.sums = nil
}

// get returns a slot's value, computing a derived field on first use.
func (c *rowCtx) get(i int32) value {
	f := c.prog.compute[i]
	if f == nil {
		return c.vals[i]
	}
	switch c.state[i] {
	case slotDone:
		return c.vals[i]
	case slotBusy: // a field that depends on itself
		return missing
	}
	c.state[i] = slotBusy
	v := f(c)
	c.vals[i] = v
	c.state[i] = slotDone
	return v
}

// set stores a value computed elsewhere (an output field of a segment).
func (c *rowCtx) set(i int32, v value) {
	c.vals[i] = v
	c.state[i] = slotDone
}

// fail records the first error of the row.
func (c *rowCtx) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

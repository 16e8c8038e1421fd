package pmml

// User-defined functions: a <DefineFunction> of the TransformationDictionary
// is called by an <Apply> with its name. Its body is compiled anew at each
// call site, over slots of its own for the ParameterFields, so that calls
// never share state; a function that calls itself, directly or through
// others, is refused, and the total inlining is bounded.

// maxFunctionExpansions bounds how many function bodies a document may
// inline in all (a chain of functions each calling the next twice grows
// exponentially).
const maxFunctionExpansions = 10000

// userFunction is one <DefineFunction>.
type userFunction struct {
	name   string
	body   *elem
	params []string
	types  []dataType
	dt     dataType
	line   int
}

// userFunctions is the document's function table and the state of the
// inlining in progress.
type userFunctions struct {
	byName     map[string]*userFunction
	expanding  map[string]bool
	expansions int
}

func (c *compiler) userFunction(name string) *userFunction {
	if c.udfs == nil {
		return nil
	}
	return c.udfs.byName[name]
}

// compileDefineFunctions declares every DefineFunction, then compiles each
// body once so that a bad one is refused even if nothing calls it.
func (c *compiler) compileDefineFunctions(defs []*elem) error {
	if len(defs) == 0 {
		return nil
	}
	c.udfs = &userFunctions{byName: map[string]*userFunction{}, expanding: map[string]bool{}}
	for _, d := range defs {
		uf, err := parseDefineFunction(d)
		if err != nil {
			return err
		}
		if _, dup := c.udfs.byName[uf.name]; dup {
			return d.invalid("function %q is defined twice", uf.name)
		}
		c.udfs.byName[uf.name] = uf
	}
	for _, d := range defs {
		uf := c.udfs.byName[d.attrOr("name", "")]
		args := make([]expr, len(uf.params))
		for i := range args {
			args[i] = expr{dt: uf.types[i], eval: func(*rowCtx) value { return missing }}
		}
		if _, err := c.callUserFunction(d, uf, args); err != nil {
			return err
		}
	}
	return nil
}

func parseDefineFunction(d *elem) (*userFunction, error) {
	if err := d.check("name", "optype", "dataType"); err != nil {
		return nil, err
	}
	name, err := d.need("name")
	if err != nil {
		return nil, err
	}
	if _, ok := builtins[name]; ok || name == "if" || specialFns[name].compile != nil {
		return nil, d.invalid("DefineFunction %q has the name of a built-in function", name)
	}
	if _, err := d.oneOf("optype", "continuous", "categorical", "ordinal", "continuous"); err != nil {
		return nil, err
	}
	uf := &userFunction{name: name, line: d.line}
	if uf.dt, err = optDataType(d, "DefineFunction "+name); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, k := range d.kids {
		if k.name != "ParameterField" {
			if uf.body != nil {
				return nil, k.invalid("DefineFunction %q has more than one expression", name)
			}
			uf.body = k
			continue
		}
		if uf.body != nil {
			return nil, k.invalid("ParameterField of DefineFunction %q comes after its expression", name)
		}
		if err := k.check("name", "optype", "dataType", "displayName"); err != nil {
			return nil, err
		}
		if err := k.checkKids(); err != nil {
			return nil, err
		}
		pn, err := k.need("name")
		if err != nil {
			return nil, err
		}
		if seen[pn] {
			return nil, k.invalid("parameter %q of DefineFunction %q is declared twice", pn, name)
		}
		seen[pn] = true
		if _, err := k.oneOf("optype", "continuous", "categorical", "ordinal", "continuous"); err != nil {
			return nil, err
		}
		pt, err := optDataType(k, "parameter "+pn)
		if err != nil {
			return nil, err
		}
		uf.params, uf.types = append(uf.params, pn), append(uf.types, pt)
	}
	if uf.body == nil {
		return nil, d.invalid("DefineFunction %q has no expression", name)
	}
	return uf, nil
}

// optDataType reads an optional dataType attribute; dtUnknown when absent.
func optDataType(e *elem, what string) (dataType, error) {
	s, ok := e.attr("dataType")
	if !ok {
		return dtUnknown, nil
	}
	dt, ok := parseDataType(s)
	if !ok {
		return dtUnknown, e.unsupported("dataType %q of %s is not supported", s, what)
	}
	return dt, nil
}

// callUserFunction inlines uf's body at the call site e. The body sees
// only the function's parameters, as PMML says.
func (c *compiler) callUserFunction(e *elem, uf *userFunction, args []expr) (expr, error) {
	u := c.udfs
	if len(args) != len(uf.params) {
		return expr{}, e.invalid("function %s takes %d arguments, got %d", uf.name, len(uf.params), len(args))
	}
	if u.expanding[uf.name] {
		return expr{}, e.unsupported("DefineFunction %q calls itself (line %d); recursive functions are not supported", uf.name, uf.line)
	}
	if u.expansions++; u.expansions > maxFunctionExpansions {
		return expr{}, e.unsupported("the document's function calls inline more than %d function bodies", maxFunctionExpansions)
	}
	u.expanding[uf.name] = true
	defer delete(u.expanding, uf.name)
	sc := newScope(nil)
	slots := make([]int32, len(uf.params))
	for i, p := range uf.params {
		slots[i] = c.prog.addSlot(p, uf.types[i], nil)
		sc.names[p] = slots[i]
	}
	body, err := c.compileExpr(uf.body, sc)
	if err != nil {
		return expr{}, err
	}
	types, dt := uf.types, uf.dt
	if dt == dtUnknown {
		dt = body.dt
	}
	return expr{dt: dt, eval: func(ctx *rowCtx) value {
		var buf [8]value
		vals := buf[:0]
		for i, a := range args {
			v, _ := cast(a.eval(ctx), types[i])
			vals = append(vals, v)
		}
		for i, v := range vals {
			ctx.set(slots[i], v)
		}
		v, _ := cast(body.eval(ctx), dt)
		return v
	}}, nil
}

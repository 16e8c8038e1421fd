package pmml

import "strconv"

// maxMatrixCells bounds a <Matrix> a document may declare.
const maxMatrixCells = 1 << 20

// contrast is a factor's contrast matrix: the row is the factor's value,
// the column the PPCell's category, both by their position in the
// Predictor's <Categories>.
type contrast struct {
	rows   map[string]int // category (tableKey) → row
	cats   []string
	matrix [][]float64
}

// compileContrast reads a FactorList <Predictor>'s <Categories> and
// <Matrix>; nil when it has neither (indicator coding).
func compileContrast(p *elem) (*contrast, error) {
	if err := p.checkKids("Categories", "Matrix"); err != nil {
		return nil, err
	}
	ce, me := p.kid("Categories"), p.kid("Matrix")
	if me == nil {
		if t, ok := p.attr("contrastMatrixType"); ok {
			return nil, p.unsupported("contrastMatrixType=%q of <Predictor> without a <Matrix> is not supported (only a contrast matrix given in the document is)", t)
		}
		return nil, nil // <Categories> alone restates the levels
	}
	if ce == nil {
		return nil, p.invalid("<Predictor> with a contrast <Matrix> needs <Categories> naming its rows")
	}
	if err := ce.check(); err != nil {
		return nil, err
	}
	if err := ce.checkKids("Category"); err != nil {
		return nil, err
	}
	c := &contrast{rows: map[string]int{}}
	for _, k := range ce.kids {
		if err := k.check("value"); err != nil {
			return nil, err
		}
		v, err := k.need("value")
		if err != nil {
			return nil, err
		}
		if _, dup := c.rows[tableKey(v)]; dup {
			return nil, k.invalid("category %q is listed twice", v)
		}
		c.rows[tableKey(v)] = len(c.cats)
		c.cats = append(c.cats, v)
	}
	var err error
	if c.matrix, err = parseMatrix(me); err != nil {
		return nil, err
	}
	if len(c.matrix) != len(c.cats) {
		return nil, me.invalid("the contrast <Matrix> has %d rows, the <Categories> %d", len(c.matrix), len(c.cats))
	}
	return c, nil
}

// column returns the matrix column of a PPCell's category.
func (c *contrast) column(cell *elem, v string) (int, error) {
	j, ok := c.rows[tableKey(v)]
	if !ok {
		return 0, cell.invalid("<PPCell> value %q is not one of the factor's <Categories>", v)
	}
	if j >= len(c.matrix[0]) {
		return 0, cell.invalid("<PPCell> value %q is category %d, the contrast <Matrix> has %d columns", v, j+1, len(c.matrix[0]))
	}
	return j, nil
}

// parseMatrix reads a PMML <Matrix>: kind any (one <Array> per row),
// diagonal (one <Array>), symmetric (the lower triangle's rows), or
// <MatCell>s over diagDefault and offDiagDefault.
func parseMatrix(e *elem) ([][]float64, error) {
	if err := e.check("kind", "nbRows", "nbCols", "diagDefault", "offDiagDefault"); err != nil {
		return nil, err
	}
	kind, err := e.oneOf("kind", "any", "any", "diagonal", "symmetric")
	if err != nil {
		return nil, err
	}
	dim := func(name string) (int, error) {
		s, ok := e.attr(name)
		if !ok {
			return -1, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxMatrixCells {
			return 0, e.invalid("%s of <Matrix> is %q, expected a positive count", name, s)
		}
		return n, nil
	}
	nr, err := dim("nbRows")
	if err != nil {
		return nil, err
	}
	nc, err := dim("nbCols")
	if err != nil {
		return nil, err
	}
	arrays, cells := e.kidsNamed("Array"), e.kidsNamed("MatCell")
	if len(arrays)+len(cells) != len(e.kids) || len(arrays) > 0 && len(cells) > 0 {
		return nil, e.invalid("<Matrix> holds either <Array> rows or <MatCell>s")
	}
	if len(arrays) > 0 {
		return matrixFromArrays(e, kind, arrays, nr, nc)
	}
	if nr < 0 || nc < 0 {
		return nil, e.invalid("<Matrix> of <MatCell>s needs nbRows and nbCols")
	}
	if nr*nc > maxMatrixCells {
		return nil, e.invalid("<Matrix> of %d×%d cells exceeds %d", nr, nc, maxMatrixCells)
	}
	diag, hasDiag := e.attr("diagDefault")
	off, hasOff := e.attr("offDiagDefault")
	set := make([][]bool, nr)
	m := make([][]float64, nr)
	for i := range m {
		m[i], set[i] = make([]float64, nc), make([]bool, nc)
	}
	for _, k := range cells {
		if err := k.check("row", "col"); err != nil {
			return nil, err
		}
		r, err1 := strconv.Atoi(k.attrOr("row", ""))
		c, err2 := strconv.Atoi(k.attrOr("col", ""))
		if err1 != nil || err2 != nil || r < 1 || r > nr || c < 1 || c > nc {
			return nil, k.invalid("<MatCell row=%q col=%q> is outside the %d×%d matrix", k.attrOr("row", ""), k.attrOr("col", ""), nr, nc)
		}
		v, err := parseNumber(k.text)
		if err != nil {
			return nil, k.invalid("<MatCell> holds %q, expected a number", k.text)
		}
		m[r-1][c-1], set[r-1][c-1] = v, true
		if kind == "symmetric" && c <= nr && r <= nc {
			m[c-1][r-1], set[c-1][r-1] = v, true
		}
	}
	for i := range m {
		for j := range m[i] {
			if set[i][j] {
				continue
			}
			def, has := off, hasOff
			if i == j {
				def, has = diag, hasDiag
			}
			if !has {
				if kind == "diagonal" && i != j {
					continue // 0 off the diagonal
				}
				return nil, e.invalid("<Matrix> cell (%d, %d) has no <MatCell> and no default", i+1, j+1)
			}
			if m[i][j], err = parseNumber(def); err != nil {
				return nil, e.invalid("<Matrix> default %q is not a number", def)
			}
		}
	}
	return m, nil
}

func matrixFromArrays(e *elem, kind string, arrays []*elem, nr, nc int) ([][]float64, error) {
	rows := make([][]float64, 0, len(arrays))
	total := 0
	for _, a := range arrays {
		toks, err := parseArray(a)
		if err != nil {
			return nil, err
		}
		if total += len(toks); total > maxMatrixCells {
			return nil, e.invalid("<Matrix> exceeds %d cells", maxMatrixCells)
		}
		row := make([]float64, len(toks))
		for i, t := range toks {
			if row[i], err = parseNumber(t); err != nil {
				return nil, a.invalid("<Array> value %q is not a number", t)
			}
		}
		rows = append(rows, row)
	}
	switch kind {
	case "diagonal":
		if len(rows) != 1 {
			return nil, e.invalid("a diagonal <Matrix> holds one <Array>, not %d", len(rows))
		}
		n := len(rows[0])
		if n*n > maxMatrixCells {
			return nil, e.invalid("<Matrix> exceeds %d cells", maxMatrixCells)
		}
		m := make([][]float64, n)
		for i := range m {
			m[i] = make([]float64, n)
			m[i][i] = rows[0][i]
		}
		rows = m
	case "symmetric":
		n := len(rows)
		if n*n > maxMatrixCells {
			return nil, e.invalid("<Matrix> exceeds %d cells", maxMatrixCells)
		}
		m := make([][]float64, n)
		for i := range m {
			if len(rows[i]) != i+1 {
				return nil, arrays[i].invalid("row %d of a symmetric <Matrix> holds %d values, expected %d", i+1, len(rows[i]), i+1)
			}
			m[i] = make([]float64, n)
		}
		for i := range m {
			for j := 0; j <= i; j++ {
				m[i][j], m[j][i] = rows[i][j], rows[i][j]
			}
		}
		rows = m
	default:
		for i, r := range rows {
			if len(r) != len(rows[0]) {
				return nil, arrays[i].invalid("row %d of the <Matrix> holds %d values, row 1 %d", i+1, len(r), len(rows[0]))
			}
		}
	}
	if nr >= 0 && nr != len(rows) || nc >= 0 && len(rows) > 0 && nc != len(rows[0]) {
		return nil, e.invalid("<Matrix nbRows=%d nbCols=%d> holds %d×%d values", nr, nc, len(rows), len(rows[0]))
	}
	if len(rows) == 0 || len(rows[0]) == 0 {
		return nil, e.invalid("<Matrix> is empty")
	}
	return rows, nil
}

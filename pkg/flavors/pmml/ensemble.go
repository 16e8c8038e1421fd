package pmml

import "slices"

// An ensemble of trees (a MiningModel summing or averaging TreeModels, as
// exporters write random forests and gradient boosting) is scored tree by
// tree over the whole batch rather than row by row: one tree's splits stay
// in cache across the rows, and the rows' independent walks overlap in the
// processor. A row that any tree cannot walk on the fast path (a missing
// value, another kind of predicate) is scored by the general path instead,
// from scratch, so results never depend on which path ran.

// ensembleSums is one batch's per-row accumulation for the root ensemble,
// in segment order exactly as mining.eval accumulates a row.
type ensembleSums struct {
	mm      *mining
	sums    []float64 // regression: Σ (weighted) leaf scores per row
	probs   []float64 // classification: rows × classes
	general []bool    // the row takes the general path
	n       int       // segments counted: all of them
	wsum    float64   // Σ segment weights, added in segment order
}

// treeEnsemble reports whether every segment of mm can be summed tree by
// tree: a summing method, and each segment a TreeModel under <True/>
// with no Targets or Output of its own.
func (mm *mining) treeEnsemble() bool {
	if !mm.summing {
		return false
	}
	for _, h := range mm.hot {
		if h.tree == nil || !h.always {
			return false
		}
	}
	return true
}

// bindColumns records in every split of the ensemble's trees which input
// column its slot is read from (colOf maps a slot to that column), then
// flattens the trees that allow it.
func (mm *mining) bindColumns(colOf []int32) {
	used := map[int32]bool{}
	for i := range mm.hot {
		h := &mm.hot[i]
		if h.tree == nil {
			continue
		}
		for i := range h.tree.splits {
			sp := &h.tree.splits[i]
			sp.col = -1
			if sp.kind == splitBinary && int(sp.slot) < len(colOf) {
				sp.col = colOf[sp.slot]
			}
		}
		if ft, ok := flatten(h.tree); ok {
			h.flat = ft
			ft.columns(used)
		}
	}
	nodes, allFlat := 0, true
	for _, h := range mm.hot {
		if h.flat == nil {
			allFlat = false
			break
		}
		nodes += len(h.flat.nodes)
	}
	mm.rowMajor = allFlat && mm.m.fn == fnRegression && nodes <= rowMajorNodes
	mm.flatCols = mm.flatCols[:0]
	for c := range used {
		mm.flatCols = append(mm.flatCols, c)
	}
	slices.Sort(mm.flatCols)
}

// sumBatch walks every tree over every row of x, the inputs as a rows ×
// width matrix with NaN where a value is not a number.
func (mm *mining) sumBatch(x []float64, width, rows int) *ensembleSums {
	m := mm.m
	es := &ensembleSums{mm: mm, general: make([]bool, rows)}
	classes := len(m.classes)
	if m.fn == fnClassification {
		es.probs = make([]float64, rows*classes)
	} else {
		es.sums = make([]float64, rows)
	}
	if len(mm.flatCols) > 0 {
		for r := 0; r < rows; r++ {
			row := x[r*width : (r+1)*width]
			for _, c := range mm.flatCols {
				if int(c) >= width || row[c] != row[c] { // NaN: not a number
					es.general[r] = true
					break
				}
			}
		}
	}
	if mm.rowMajor {
		mm.sumRowMajor(x, width, rows, es)
		return es
	}
	for i := range mm.hot {
		es.n++
		es.wsum += mm.hot[i].weight
	}
	// Rows go in blocks whose inputs fit in the L1 cache, each block through
	// every tree: a tree's nodes are reused across the block, and a walk's
	// loads of the row hit L1 instead of L2.
	block := max(16, rowBlockBytes/(8*max(width, 1)))
	for lo := 0; lo < rows; lo += block {
		hi := min(rows, lo+block)
		for i := range mm.hot {
			h := &mm.hot[i]
			w := 1.0
			if mm.weighted {
				w = h.weight
			}
			r := lo
			if ft := h.flat; ft != nil {
				// Four rows at a time; a general row's walk is wasted.
				for ; r+4 <= hi; r += 4 {
					l0, l1, l2, l3 := ft.walk4(x, r*width, (r+1)*width, (r+2)*width, (r+3)*width)
					for k, l := range [4]int32{l0, l1, l2, l3} {
						if es.general[r+k] {
							continue
						}
						switch q := r + k; {
						case m.fn == fnClassification:
							addProbs(es.probs[q*classes:(q+1)*classes], h.tree.leafProbs[ft.leafOf[l]], h.remap, w)
						case mm.weighted:
							es.sums[q] = round32(m.f32, es.sums[q]+w*ft.score[l])
						default:
							es.sums[q] = round32(m.f32, es.sums[q]+ft.score[l])
						}
					}
				}
			}
			for ; r < hi; r++ {
				if es.general[r] {
					continue
				}
				var leaf int32
				if h.flat != nil {
					leaf = h.flat.leaf(x[r*width : (r+1)*width])
				} else {
					leaf = h.tree.fastLeafRow(x[r*width : (r+1)*width])
				}
				if leaf < 0 {
					es.general[r] = true
					continue
				}
				switch {
				case m.fn == fnClassification:
					addProbs(es.probs[r*classes:(r+1)*classes], h.tree.leafProbs[leaf], h.remap, w)
				case mm.weighted:
					es.sums[r] = round32(m.f32, es.sums[r]+w*h.tree.splits[leaf].num)
				default:
					es.sums[r] = round32(m.f32, es.sums[r]+h.tree.splits[leaf].num)
				}
			}
		}
	}
	return es
}

// rowBlockBytes is the input rows sumBatch walks through every tree at a
// time: half a typical 32–48 KiB L1 data cache.
const rowBlockBytes = 16 << 10

// rowMajorNodes bounds the flat nodes of an ensemble walked row by row: a
// row then goes through every tree while they all stay in the L1 cache,
// keeping its sum in a register (a GBM of shallow trees); larger ensembles
// go tree by tree so that one tree stays in cache across the rows.
const rowMajorNodes = 2048

// sumRowMajor is sumBatch for a regression ensemble of small flat trees:
// row by row, adding in segment order as mining.eval does.
func (mm *mining) sumRowMajor(x []float64, width, rows int, es *ensembleSums) {
	f32 := mm.m.f32
	for i := range mm.hot {
		es.n++
		es.wsum += mm.hot[i].weight
	}
	if !f32 && !mm.weighted && !mm.anyF32Tree() {
		// The common case (a GBM in double precision), with the walk
		// written out so that nothing in the loop is a call.
		r := 0
		for ; r+4 <= rows; r += 4 {
			var s0, s1, s2, s3 float64
			for i := range mm.hot {
				ft := mm.hot[i].flat
				l0, l1, l2, l3 := ft.walk4(x, r*width, (r+1)*width, (r+2)*width, (r+3)*width)
				s0 += ft.score[l0]
				s1 += ft.score[l1]
				s2 += ft.score[l2]
				s3 += ft.score[l3]
			}
			es.sums[r], es.sums[r+1], es.sums[r+2], es.sums[r+3] = s0, s1, s2, s3
		}
		for ; r < rows; r++ {
			if es.general[r] {
				continue
			}
			row := x[r*width : (r+1)*width]
			sum := 0.0
			for i := range mm.hot {
				ft := mm.hot[i].flat
				nodes, cur := ft.nodes, int32(0)
				for d := 0; d < ft.depth; d++ {
					nd := &nodes[cur]
					cur = nd.first + 1 - b2i(row[nd.col] <= nd.thr)
				}
				sum += ft.score[cur]
			}
			es.sums[r] = sum
		}
		return
	}
	for r := 0; r < rows; r++ {
		if es.general[r] {
			continue
		}
		row := x[r*width : (r+1)*width]
		sum := 0.0
		for i := range mm.hot {
			h := &mm.hot[i]
			v := h.flat.score[h.flat.walk(row)]
			if mm.weighted {
				v *= h.weight
			}
			sum = round32(f32, sum+v)
		}
		es.sums[r] = sum
	}
}

func (mm *mining) anyF32Tree() bool {
	for _, h := range mm.hot {
		if h.flat.f32 {
			return true
		}
	}
	return false
}

// fastLeafRow is fastLeaf reading one row of the input matrix.
func (t *tree) fastLeafRow(row []float64) int32 {
	if !t.rootTrue {
		return -1
	}
	splits := t.splits
	cur := int32(0)
	for {
		sp := &splits[cur]
		if sp.kind != splitBinary {
			if sp.kind == splitLeaf {
				return cur
			}
			return -1
		}
		if sp.col < 0 || int(sp.col) >= len(row) {
			return -1
		}
		x := row[sp.col]
		if x != x { // NaN: not a number in the row
			return -1
		}
		if sp.f32 {
			x = float64(float32(x))
		}
		cur = sp.child + 1 - b2i(compareOp(sp.op, x, sp.num))
	}
}

package pmml

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// itemset is a set of items as a bit mask over the model's items.
type itemset struct {
	mask []uint64
	text string // "{a,b}", items in document order
}

// assocRule is a compiled <AssociationRule>; absent optional measures are NaN.
type assocRule struct {
	antecedent, consequent int // itemset indices
	id                     string
	measures               [5]float64 // support, confidence, lift, leverage, affinity
}

// ruleMeasures are the numeric rule features, in assocRule.measures order.
var ruleMeasures = []string{"support", "confidence", "lift", "leverage", "affinity"}

// assocOutput is an <OutputField feature="ruleValue">: one feature of the
// rank-th rule that the algorithm selects for a basket.
type assocOutput struct {
	name      string
	feature   string // ruleFeature
	measure   int    // index into measures; -1 for a text feature
	algorithm string
	rank      int
	order     []int32 // rule indices by rankBasis in rankOrder
}

// association is a compiled AssociationModel. It scores baskets, not rows:
// the rows of a batch that share the group field's value are one basket.
type association struct {
	group, item *miningField
	itemIndex   map[string]int // item value (tableKey) → bit
	words       int            // uint64 words per item mask
	itemsets    []itemset
	rules       []assocRule
	outputs     []assocOutput
}

// eval is never called: Predict scores an AssociationModel by baskets.
func (a *association) eval(*rowCtx, *result) {}

func (c *compiler) compileAssociation(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "numberOfTransactions", "maxNumberOfItemsPerTA", "avgNumberOfItemsPerTA",
		"minimumSupport", "minimumConfidence", "lengthLimit", "numberOfItems", "numberOfItemsets", "numberOfRules")...); err != nil {
		return err
	}
	if err := e.checkKids("MiningSchema", "Output", "ModelStats", "ModelExplanation", "ModelVerification",
		"Item", "Itemset", "AssociationRule"); err != nil {
		return err
	}
	a := &association{itemIndex: map[string]int{}}
	for i := range m.mining {
		mf := &m.mining[i]
		switch mf.usage {
		case "group":
			if a.group != nil {
				return e.unsupported("an AssociationModel with more than one group field is not supported")
			}
			a.group = mf
		case "active":
			if a.item != nil {
				return e.unsupported("an AssociationModel with more than one active field (items as field=value pairs) is not supported")
			}
			a.item = mf
		}
	}
	if a.group == nil || a.item == nil {
		return e.unsupported("an AssociationModel needs one MiningField with usageType=\"group\" (the transaction) and one active field (the item)")
	}

	// Items, then itemsets over them, then rules over itemsets.
	itemByID := map[string]int{}
	var itemText []string
	for _, it := range e.kidsNamed("Item") {
		if err := it.check("id", "value", "mappedValue", "weight"); err != nil {
			return err
		}
		id, err := it.need("id")
		if err != nil {
			return err
		}
		v, err := it.need("value")
		if err != nil {
			return err
		}
		if _, dup := itemByID[id]; dup {
			return it.invalid("item id %q is declared twice", id)
		}
		if _, dup := a.itemIndex[tableKey(v)]; dup {
			return it.invalid("item value %q is declared twice", v)
		}
		itemByID[id] = len(itemText)
		a.itemIndex[tableKey(v)] = len(itemText)
		itemText = append(itemText, v)
	}
	a.words = (len(itemText) + 63) / 64
	setByID := map[string]int{}
	for _, s := range e.kidsNamed("Itemset") {
		if err := s.check("id", "numberOfItems", "support"); err != nil {
			return err
		}
		if err := s.checkKids("ItemRef"); err != nil {
			return err
		}
		id, err := s.need("id")
		if err != nil {
			return err
		}
		if _, dup := setByID[id]; dup {
			return s.invalid("itemset id %q is declared twice", id)
		}
		set := itemset{mask: make([]uint64, a.words)}
		var names []string
		for _, ref := range s.kids {
			if err := ref.check("itemRef"); err != nil {
				return err
			}
			r, err := ref.need("itemRef")
			if err != nil {
				return err
			}
			i, ok := itemByID[r]
			if !ok {
				return ref.invalid("<ItemRef> names item %q, which is not declared", r)
			}
			set.mask[i/64] |= 1 << (i % 64)
			names = append(names, itemText[i])
		}
		set.text = "{" + strings.Join(names, ",") + "}"
		setByID[id] = len(a.itemsets)
		a.itemsets = append(a.itemsets, set)
	}
	for _, r := range e.kidsNamed("AssociationRule") {
		if err := r.check("antecedent", "consequent", "support", "confidence", "lift", "leverage", "affinity", "id"); err != nil {
			return err
		}
		if err := r.checkKids(); err != nil {
			return err
		}
		rule := assocRule{id: r.attrOr("id", strconv.Itoa(len(a.rules)+1))}
		for i, side := range []string{"antecedent", "consequent"} {
			ref, err := r.need(side)
			if err != nil {
				return err
			}
			s, ok := setByID[ref]
			if !ok {
				return r.invalid("%s %q of <AssociationRule> is not a declared itemset", side, ref)
			}
			if i == 0 {
				rule.antecedent = s
			} else {
				rule.consequent = s
			}
		}
		for i, name := range ruleMeasures {
			def := math.NaN()
			var err error
			if i < 2 {
				rule.measures[i], err = r.needFloat(name)
			} else {
				rule.measures[i], err = r.float(name, def)
			}
			if err != nil {
				return err
			}
		}
		a.rules = append(a.rules, rule)
	}
	o := e.kid("Output")
	if o == nil {
		return e.unsupported("an AssociationModel without <Output> fields has nothing to return; declare OutputFields with feature=\"ruleValue\"")
	}
	if err := a.compileOutputs(o); err != nil {
		return err
	}
	m.impl = a
	return nil
}

func (a *association) compileOutputs(e *elem) error {
	if err := e.check(); err != nil {
		return err
	}
	if err := e.checkKids("OutputField"); err != nil {
		return err
	}
	orders := map[string][]int32{}
	names := map[string]bool{a.group.name: true}
	for _, k := range e.kids {
		if err := k.check("name", "displayName", "optype", "dataType", "feature", "ruleFeature", "algorithm",
			"rank", "rankBasis", "rankOrder", "isMultiValued", "isFinalResult"); err != nil {
			return err
		}
		if err := k.checkKids(); err != nil {
			return err
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		if names[name] {
			return k.invalid("output field %q is declared twice or names the group field", name)
		}
		names[name] = true
		if f := k.attrOr("feature", "predictedValue"); f != "ruleValue" {
			return k.unsupported("feature=%q of output field %q is not supported for an AssociationModel (ruleValue is)", f, name)
		}
		if k.attrOr("isMultiValued", "0") != "0" {
			return k.unsupported("isMultiValued of output field %q is not supported", name)
		}
		o := assocOutput{name: name, measure: -1}
		if o.feature, err = k.oneOf("ruleFeature", "consequent", "antecedent", "consequent", "rule", "ruleId",
			"support", "confidence", "lift", "leverage", "affinity"); err != nil {
			return err
		}
		for i, mn := range ruleMeasures {
			if mn == o.feature {
				o.measure = i
			}
		}
		if o.algorithm, err = k.oneOf("algorithm", "recommendation", "recommendation", "exclusiveRecommendation", "ruleAssociation"); err != nil {
			return err
		}
		rank, err := k.float("rank", 1)
		if err != nil {
			return err
		}
		if rank < 1 || rank != math.Trunc(rank) || rank > 1e9 {
			return k.invalid("rank %v of output field %q is not a positive integer", rank, name)
		}
		o.rank = int(rank)
		basis, err := k.oneOf("rankBasis", "confidence", ruleMeasures...)
		if err != nil {
			return err
		}
		order, err := k.oneOf("rankOrder", "descending", "descending", "ascending")
		if err != nil {
			return err
		}
		key := basis + " " + order
		if o.order = orders[key]; o.order == nil {
			o.order = a.rankRules(basis, order == "descending")
			orders[key] = o.order
		}
		a.outputs = append(a.outputs, o)
	}
	return nil
}

// rankRules orders the rules by one measure, keeping document order among
// equals; rules without the measure go last.
func (a *association) rankRules(basis string, descending bool) []int32 {
	mi := 0
	for i, mn := range ruleMeasures {
		if mn == basis {
			mi = i
		}
	}
	order := make([]int32, len(a.rules))
	for i := range order {
		order[i] = int32(i)
	}
	sort.SliceStable(order, func(i, j int) bool {
		x, y := a.rules[order[i]].measures[mi], a.rules[order[j]].measures[mi]
		if math.IsNaN(x) || math.IsNaN(y) {
			return !math.IsNaN(x) && math.IsNaN(y)
		}
		if descending {
			return x > y
		}
		return x < y
	})
	return order
}

// subset reports whether every item of set is in basket.
func subset(set, basket []uint64) bool {
	for i, w := range set {
		if w&^basket[i] != 0 {
			return false
		}
	}
	return true
}

// selects reports whether the algorithm picks a rule for a basket:
// recommendation when the antecedent is in the basket, exclusively when the
// consequent is not, ruleAssociation when both are.
func (a *association) selects(algorithm string, left, right bool) bool {
	switch algorithm {
	case "exclusiveRecommendation":
		return left && !right
	case "ruleAssociation":
		return left && right
	}
	return left
}

func (a *association) signature() flavors.Signature {
	var sig flavors.Signature
	for _, mf := range []*miningField{a.group, a.item} {
		sig.Inputs = append(sig.Inputs, flavors.Spec{Name: mf.name, DType: inputDType(mf.field.dt), Shape: []int64{-1}, Nullable: mf == a.item})
	}
	sig.Outputs = append(sig.Outputs, flavors.Spec{Name: a.group.name, DType: flavors.Bytes, Shape: []int64{-1}})
	for _, o := range a.outputs {
		dt := flavors.Bytes
		if o.measure >= 0 {
			dt = flavors.FP64
		}
		sig.Outputs = append(sig.Outputs, flavors.Spec{Name: o.name, DType: dt, Shape: []int64{-1}, Nullable: true})
	}
	return sig
}

// predict groups the rows into baskets by the group field, in order of
// first appearance, and returns one row per basket: the group value and
// every output field. Items the model does not know are ignored, as are
// missing items.
func (a *association) predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	cols := [2][]value{}
	for i, mf := range []*miningField{a.group, a.item} {
		t, ok := in.Get(mf.name)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("pmml: input %q is missing: expected columns %s (group) and %s (item): %w",
				mf.name, a.group.name, a.item.name, flavors.ErrInvalidInput)
		}
		vals, err := columnValues(t, mf.field)
		if err != nil {
			return flavors.Batch{}, err
		}
		for r := range vals {
			if vals[r], err = mf.treatInput(vals[r], r); err != nil {
				return flavors.Batch{}, err
			}
		}
		cols[i] = vals
	}
	basketOf := map[string]int{}
	var groups []string
	var masks []uint64
	for r, g := range cols[0] {
		if g.k == kMissing {
			return flavors.Batch{}, fmt.Errorf("pmml: row %d: the group field %q is missing: %w", r, a.group.name, flavors.ErrInvalidInput)
		}
		key := g.text()
		b, ok := basketOf[key]
		if !ok {
			b = len(groups)
			basketOf[key] = b
			groups = append(groups, key)
			masks = append(masks, make([]uint64, a.words)...)
		}
		if v := cols[1][r]; v.k != kMissing {
			if i, ok := a.itemIndex[tableKey(v.text())]; ok {
				masks[b*a.words+i/64] |= 1 << (i % 64)
			}
		}
	}
	n := len(groups)
	out := flavors.Batch{Tensors: []flavors.Tensor{{Name: a.group.name, DType: flavors.Bytes, Shape: []int64{int64(n)}, Data: groups}}}
	nums := make([][]float64, len(a.outputs))
	strs := make([][]string, len(a.outputs))
	nulls := make([][]bool, len(a.outputs))
	for j, o := range a.outputs {
		nulls[j] = make([]bool, n)
		if o.measure >= 0 {
			nums[j] = make([]float64, n)
		} else {
			strs[j] = make([]string, n)
		}
	}
	left := make([]bool, len(a.rules))
	right := make([]bool, len(a.rules))
	for b := 0; b < n; b++ {
		if b%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return flavors.Batch{}, err
			}
		}
		basket := masks[b*a.words : (b+1)*a.words]
		for i := range a.rules {
			left[i] = subset(a.itemsets[a.rules[i].antecedent].mask, basket)
			right[i] = subset(a.itemsets[a.rules[i].consequent].mask, basket)
		}
		for j := range a.outputs {
			o := &a.outputs[j]
			rule := -1
			seen := 0
			for _, ri := range o.order {
				if a.selects(o.algorithm, left[ri], right[ri]) {
					if seen++; seen == o.rank {
						rule = int(ri)
						break
					}
				}
			}
			if rule < 0 {
				nulls[j][b] = true
				if nums[j] != nil {
					nums[j][b] = math.NaN()
				}
				continue
			}
			a.setFeature(o, &a.rules[rule], b, nums[j], strs[j], nulls[j])
		}
	}
	for j, o := range a.outputs {
		t := flavors.Tensor{Name: o.name, Shape: []int64{int64(n)}, Null: nullMask(nulls[j])}
		if nums[j] != nil {
			t.DType, t.Data = flavors.FP64, nums[j]
		} else {
			t.DType, t.Data = flavors.Bytes, strs[j]
		}
		out.Tensors = append(out.Tensors, t)
	}
	return out, nil
}

func (a *association) setFeature(o *assocOutput, r *assocRule, b int, nums []float64, strs []string, null []bool) {
	if o.measure >= 0 {
		v := r.measures[o.measure]
		nums[b], null[b] = v, math.IsNaN(v)
		return
	}
	switch o.feature {
	case "antecedent":
		strs[b] = a.itemsets[r.antecedent].text
	case "consequent":
		strs[b] = a.itemsets[r.consequent].text
	case "rule":
		strs[b] = a.itemsets[r.antecedent].text + "->" + a.itemsets[r.consequent].text
	case "ruleId":
		strs[b] = r.id
	}
}

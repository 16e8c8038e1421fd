package pmml_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/pmml"
)

func Example() {
	doc := `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4">
	 <DataDictionary>
	  <DataField name="petal_length" optype="continuous" dataType="double"/>
	  <DataField name="species" optype="categorical" dataType="string"><Value value="setosa"/><Value value="other"/></DataField>
	 </DataDictionary>
	 <TreeModel functionName="classification">
	  <MiningSchema><MiningField name="petal_length"/><MiningField name="species" usageType="predicted"/></MiningSchema>
	  <Node><True/>
	   <Node score="setosa"><SimplePredicate field="petal_length" operator="lessOrEqual" value="2.45"/></Node>
	   <Node score="other"><SimplePredicate field="petal_length" operator="greaterThan" value="2.45"/></Node>
	  </Node>
	 </TreeModel>
	</PMML>`
	m, err := pmml.Parse(strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	col, _ := flavors.Column("petal_length", []float64{1.4, 5.1})
	out, err := m.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{col}})
	if err != nil {
		fmt.Println(err)
		return
	}
	labels, _ := out.Get("label")
	probs, _ := out.Get("probabilities")
	fmt.Println(m.Classes(), labels.Data, probs.Data)
	// Output: [setosa other] [setosa other] [1 0 0 1]
}

package pmml_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/pmml"
)

// A user-defined function over a date: the age in whole days of a date
// input on a fixed day, through dateDaysSinceYear.
func Example_defineFunction() {
	doc := `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4">
	 <DataDictionary>
	  <DataField name="opened" optype="continuous" dataType="date"/>
	  <DataField name="risk" optype="continuous" dataType="double"/>
	 </DataDictionary>
	 <TransformationDictionary>
	  <DefineFunction name="daysBefore2024" optype="continuous" dataType="integer">
	   <ParameterField name="d" optype="continuous" dataType="date"/>
	   <Apply function="-">
	    <Constant>19723</Constant>
	    <Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1970</Constant></Apply>
	   </Apply>
	  </DefineFunction>
	  <DerivedField name="age" optype="continuous" dataType="integer">
	   <Apply function="daysBefore2024"><FieldRef field="opened"/></Apply>
	  </DerivedField>
	 </TransformationDictionary>
	 <RegressionModel functionName="regression">
	  <MiningSchema><MiningField name="opened"/><MiningField name="risk" usageType="target"/></MiningSchema>
	  <RegressionTable intercept="0"><NumericPredictor name="age" coefficient="0.5"/></RegressionTable>
	 </RegressionModel>
	</PMML>`
	m, err := pmml.Parse(strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	col, _ := flavors.Column("opened", []string{"2023-12-01", "2023-12-31"})
	out, err := m.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{col}})
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := out.Get("prediction")
	fmt.Println(pred.Data)
	// Output: [15.5 0.5]
}

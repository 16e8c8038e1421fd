package codec_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
)

func Example() {
	inputs := []flavors.Spec{
		{Name: "sepal_length", DType: flavors.FP64, Shape: []int64{-1}},
		{Name: "species", DType: flavors.Bytes, Shape: []int64{-1}},
	}
	body := `{"dataframe_split": {"columns": ["sepal_length", "species"], "data": [[5.1, "setosa"], [6.3, "virginica"]]}}`
	batch, err := codec.Decode(strings.NewReader(body), codec.JSON, inputs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(batch.Rows(), batch.Names())
	_ = codec.EncodeCSV(os.Stdout, batch, nil)

	_, err = codec.Decode(strings.NewReader("sepal_length,species\nwide,setosa\n"), codec.CSV, inputs)
	fmt.Println(err)
	// Output:
	// 2 [sepal_length species]
	// sepal_length,species
	// 5.1,setosa
	// 6.3,virginica
	// invalid input: row 0, input "sepal_length": expected FP64, got "wide"
}

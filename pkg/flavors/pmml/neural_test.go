package pmml

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// nnRegression is one hidden neuron (z = 0.5 + 2x − y) feeding an identity
// output (0.1 + 3h), mapped back through NormContinuous orig [0,10] ↔ norm [0,1].
func nnRegression(act, extra string) string {
	return pmmlDoc(dictXYS + `<NeuralNetwork functionName="regression" activationFunction="` + act + `" ` + extra + `>` + schemaXYS + `
	 <NeuralInputs><NeuralInput id="i1"><DerivedField dataType="double" optype="continuous"><FieldRef field="x"/></DerivedField></NeuralInput>
	  <NeuralInput id="i2"><DerivedField dataType="double" optype="continuous"><FieldRef field="y"/></DerivedField></NeuralInput></NeuralInputs>
	 <NeuralLayer><Neuron id="h" bias="0.5" width="2"><Con from="i1" weight="2"/><Con from="i2" weight="-1"/></Neuron></NeuralLayer>
	 <NeuralLayer activationFunction="identity"><Neuron id="o" bias="0.1"><Con from="h" weight="3"/></Neuron></NeuralLayer>
	 <NeuralOutputs><NeuralOutput outputNeuron="o"><DerivedField dataType="double" optype="continuous">
	  <NormContinuous field="t"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous></DerivedField></NeuralOutput></NeuralOutputs>
	</NeuralNetwork>`)
}

func TestNeuralNetworkActivations(t *testing.T) {
	x, y := 0.25, 0.75
	z := 0.5 + 2*x - y // 0.25
	rbf := math.Exp(2*math.Log(1.5) - ((x-2)*(x-2)+(y+1)*(y+1))/(2*2*2))
	tests := []struct {
		act, extra string
		h          float64
	}{
		{"logistic", "", 1 / (1 + math.Exp(-z))},
		{"tanh", "", math.Tanh(z)},
		{"identity", "", z},
		{"exponential", "", math.Exp(z)},
		{"reciprocal", "", 1 / z},
		{"square", "", z * z},
		{"Gauss", "", math.Exp(-z * z)},
		{"sine", "", math.Sin(z)},
		{"cosine", "", math.Cos(z)},
		{"Elliott", "", z / (1 + z)},
		{"arctan", "", 2 * math.Atan(z) / math.Pi},
		{"rectifier", "", z},
		{"threshold", `threshold="0.3"`, 0},
		{"threshold", `threshold="0.2"`, 1},
		{"radialBasis", `altitude="1.5"`, rbf},
	}
	for _, tc := range tests {
		t.Run(tc.act+tc.extra, func(t *testing.T) {
			m := mustParse(t, nnRegression(tc.act, tc.extra))
			got := predictText(t, m, map[string][]string{"x": {"0.25", ""}, "y": {"0.75", "1"}}, outPrediction)
			want := fmtG(10 * (0.1 + 3*tc.h))
			if got[0] != want || got[1] != "null" {
				t.Errorf("got %v, want [%s null]", got, want)
			}
		})
	}
}

func TestNeuralNetworkClassification(t *testing.T) {
	layer := func(norm string) string {
		return pmmlDoc(dictXYS + `<NeuralNetwork functionName="classification" activationFunction="identity">` + schemaXYSC + `
		 <NeuralInputs><NeuralInput id="1"><DerivedField dataType="double" optype="continuous"><FieldRef field="x"/></DerivedField></NeuralInput>
		  <NeuralInput id="2"><DerivedField dataType="double" optype="continuous"><NormDiscrete field="s" value="red"/></DerivedField></NeuralInput></NeuralInputs>
		 <NeuralLayer normalizationMethod="` + norm + `">
		  <Neuron id="a" bias="1"><Con from="1" weight="1"/></Neuron>
		  <Neuron id="b" bias="0"><Con from="2" weight="2"/></Neuron>
		  <Neuron id="z" bias="0.5"/></NeuralLayer>
		 <NeuralOutputs>
		  <NeuralOutput outputNeuron="a"><DerivedField dataType="double" optype="continuous"><NormDiscrete field="c" value="a"/></DerivedField></NeuralOutput>
		  <NeuralOutput outputNeuron="b"><DerivedField dataType="double" optype="continuous"><NormDiscrete field="c" value="b"/></DerivedField></NeuralOutput>
		  <NeuralOutput outputNeuron="z"><DerivedField dataType="double" optype="continuous"><NormDiscrete field="c" value="z"/></DerivedField></NeuralOutput>
		 </NeuralOutputs></NeuralNetwork>`)
	}
	za, zb, zz := 1+0.5, 2.0, 0.5 // x=0.5, s=red
	se := math.Exp(za) + math.Exp(zb) + math.Exp(zz)
	tests := []struct {
		norm  string
		want  []float64
		label string
	}{
		{"none", []float64{za, zb, zz}, "b"},
		{"softmax", []float64{math.Exp(za) / se, math.Exp(zb) / se, math.Exp(zz) / se}, "b"},
		{"simplemax", []float64{za / 4, zb / 4, zz / 4}, "b"},
	}
	for _, tc := range tests {
		t.Run(tc.norm, func(t *testing.T) {
			m := mustParse(t, layer(tc.norm))
			in := map[string][]string{"x": {"0.5"}, "s": {"red"}}
			got := probRow(t, m, in, 0)
			for i, w := range tc.want {
				if got[i] != fmtG(w) {
					t.Errorf("class %d: got %s, want %s", i, got[i], fmtG(w))
				}
			}
			if lbl := predictText(t, m, in, outLabel)[0]; lbl != tc.label {
				t.Errorf("label %s, want %s", lbl, tc.label)
			}
		})
	}
}

func TestNeuralNetworkRefuses(t *testing.T) {
	doc := strings.Replace(nnRegression("logistic", ""), `<NormContinuous field="t"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`,
		`<Apply function="exp"><FieldRef field="t"/></Apply>`, 1)
	_, err := Parse(strings.NewReader(doc))
	if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), "Apply") || !strings.Contains(err.Error(), "line") {
		t.Errorf("got %v, want an unsupported error naming <Apply> and its line", err)
	}
	_, err = Parse(strings.NewReader(nnRegression("softsign", "")))
	if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), "softsign") {
		t.Errorf("got %v, want activationFunction softsign refused", err)
	}
}

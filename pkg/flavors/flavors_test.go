package flavors

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matrixModel is a fake with one [N,3] FP32 input that echoes its input and
// reports fixed class probabilities in its own class order.
type matrixModel struct{ got Batch }

func (m *matrixModel) Signature() Signature {
	return Signature{Inputs: []Spec{{Name: "input", DType: FP32, Shape: []int64{-1, 3}}}}
}
func (m *matrixModel) Predict(_ context.Context, in Batch) (Batch, error) {
	m.got = in
	n := in.Rows()
	p := make([]float64, 0, n*3)
	for i := 0; i < n; i++ {
		p = append(p, 0.1, 0.2, 0.7)
	}
	return Batch{Tensors: []Tensor{{Name: "probabilities", DType: FP64, Shape: []int64{int64(n), 3}, Data: p}}}, nil
}
func (m *matrixModel) Close() error      { return nil }
func (m *matrixModel) Classes() []string { return []string{"c", "a", "b"} }

func TestAdaptStacksCastsAndReorders(t *testing.T) {
	inner := &matrixModel{}
	cols := []Spec{{Name: "x", DType: FP64, Shape: []int64{-1}}, {Name: "y", DType: Int64, Shape: []int64{-1}}, {Name: "z", DType: Bytes, Shape: []int64{-1}}}
	m := Adapt(inner, cols, []string{"a", "b", "c"})
	assert.Equal(t, cols, m.Signature().Inputs)
	assert.Equal(t, []string{"a", "b", "c"}, m.(Classifier).Classes())

	in := Batch{Tensors: []Tensor{
		{Name: "x", DType: FP64, Shape: []int64{2}, Data: []float64{1.5, 2.5}},
		{Name: "y", DType: Int64, Shape: []int64{2}, Data: []int64{3, 4}},
		{Name: "z", DType: Bytes, Shape: []int64{2}, Data: []string{"5", "6.25"}},
	}}
	out, err := m.Predict(context.Background(), in)
	require.NoError(t, err)
	got := inner.got.Tensors[0]
	assert.Equal(t, []int64{2, 3}, got.Shape)
	assert.Equal(t, []float32{1.5, 3, 5, 2.5, 4, 6.25}, got.Data)
	// Inner order c,a,b = 0.1,0.2,0.7 → bundle order a,b,c = 0.2,0.7,0.1.
	assert.Equal(t, []float64{0.2, 0.7, 0.1, 0.2, 0.7, 0.1}, out.Tensors[0].Data)

	in.Tensors[2].Data = []string{"5", "five"}
	_, err = m.Predict(context.Background(), in)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Contains(t, err.Error(), `"five" is not a number`)
}

func TestAdaptLeavesMatchingModelAlone(t *testing.T) {
	inner := &matrixModel{}
	m := Adapt(inner, inner.Signature().Inputs, []string{"c", "a", "b"})
	assert.Same(t, Model(inner), m)
}

func TestCast(t *testing.T) {
	tt := Tensor{Name: "v", DType: FP64, Shape: []int64{3}, Data: []float64{1, -2, 3}}
	i8, err := Cast(tt, Int8)
	require.NoError(t, err)
	assert.Equal(t, []int8{1, -2, 3}, i8.Data)

	_, err = Cast(Tensor{Name: "v", DType: FP64, Shape: []int64{1}, Data: []float64{1.5}}, Int32)
	assert.ErrorContains(t, err, `input "v" element 0: 1.5 is not a INT32`)
	_, err = Cast(Tensor{Name: "v", DType: FP64, Shape: []int64{1}, Data: []float64{300}}, Uint8)
	assert.ErrorIs(t, err, ErrInvalidInput)

	s, err := Cast(tt, Bytes)
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "-2", "3"}, s.Data)

	b, err := Cast(Tensor{Name: "b", DType: Bytes, Shape: []int64{2}, Data: []string{"true", "0"}}, Bool)
	require.NoError(t, err)
	assert.Equal(t, []bool{true, false}, b.Data)

	h, err := Cast(tt, FP16)
	require.NoError(t, err)
	back, err := h.Float64s()
	require.NoError(t, err)
	assert.Equal(t, []float64{1, -2, 3}, back)
}

func TestHalfRoundTrip(t *testing.T) {
	for _, f := range []float32{0, 1, -1, 0.5, 65504, 6.1035156e-05, 5.9604645e-08, float32(math.Inf(1))} {
		assert.Equal(t, f, HalfToFloat32(Float32ToHalf(f)), "value %g", f)
	}
	assert.True(t, math.IsNaN(float64(HalfToFloat32(Float32ToHalf(float32(math.NaN()))))))
	assert.Equal(t, uint16(0x7c00), Float32ToHalf(1e6), "overflow goes to +Inf")
	assert.Equal(t, uint16(0x3c00), Float32ToHalf(1.0004883), "ties round to even")
}

func TestSignatureCheck(t *testing.T) {
	sig := Signature{Inputs: []Spec{{Name: "a", DType: FP32, Shape: []int64{-1, 2}}}}
	ok := Batch{Tensors: []Tensor{{Name: "a", DType: FP32, Shape: []int64{1, 2}, Data: []float32{1, 2}}}}
	require.NoError(t, sig.Check(ok))
	cases := []struct {
		b    Batch
		want string
	}{
		{Batch{}, `input "a" is missing`},
		{Batch{Tensors: []Tensor{{Name: "a", DType: FP64, Shape: []int64{1, 2}, Data: []float64{1, 2}}}}, `input "a": expected FP32, got FP64`},
		{Batch{Tensors: []Tensor{{Name: "a", DType: FP32, Shape: []int64{2, 1}, Data: []float32{1, 2}}}}, `expected shape [-1,2], got [2,1]`},
		{Batch{Tensors: []Tensor{{Name: "a", DType: FP32, Shape: []int64{1, 2}, Data: []float32{1}}}}, `shape [1 2] needs 2 elements, data has 1`},
		{Batch{Tensors: []Tensor{ok.Tensors[0], {Name: "b", DType: FP32, Shape: []int64{1}, Data: []float32{1}}}}, `unknown input "b"`},
		{Batch{Tensors: []Tensor{{Name: "a", DType: FP32, Shape: []int64{1, 2}, Data: []float32{1, 2}, Null: []bool{false, true}}}}, `row 0 is missing, and the field is not nullable`},
	}
	for _, tc := range cases {
		assert.ErrorContains(t, sig.Check(tc.b), tc.want)
	}
}

func TestConcatAndSliceRows(t *testing.T) {
	a := Batch{Tensors: []Tensor{
		{Name: "x", DType: FP32, Shape: []int64{2, 2}, Data: []float32{1, 2, 3, 4}},
		{Name: "s", DType: Bytes, Shape: []int64{2}, Data: []string{"a", "b"}},
	}}
	b := Batch{Tensors: []Tensor{
		{Name: "x", DType: FP32, Shape: []int64{1, 2}, Data: []float32{5, 6}},
		{Name: "s", DType: Bytes, Shape: []int64{1}, Data: []string{"c"}, Null: []bool{true}},
	}}
	c, err := ConcatRows([]Batch{a, b})
	require.NoError(t, err)
	require.NoError(t, c.Validate())
	assert.Equal(t, []float32{1, 2, 3, 4, 5, 6}, c.Tensors[0].Data)
	assert.Equal(t, []int64{3, 2}, c.Tensors[0].Shape)
	assert.Equal(t, []bool{false, false, true}, c.Tensors[1].Null)

	s := SliceRows(c, 1, 3)
	require.NoError(t, s.Validate())
	assert.Equal(t, []float32{3, 4, 5, 6}, s.Tensors[0].Data)
	assert.Equal(t, []string{"b", "c"}, s.Tensors[1].Data)
	assert.Equal(t, []bool{false, true}, s.Tensors[1].Null)

	other := Batch{Tensors: []Tensor{{Name: "x", DType: FP64, Shape: []int64{1, 2}, Data: []float64{1, 2}}}}
	assert.False(t, CanConcat([]Batch{a, other}))
	_, err = ConcatRows([]Batch{a, other})
	assert.Error(t, err)
}

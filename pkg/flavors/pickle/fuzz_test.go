package pickle

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzReadFrame feeds arbitrary bytes to the frame reader and, for predict
// replies, to the reply decoder: neither may panic or over-allocate, and a
// frame that decodes must encode back to the same frame.
func FuzzReadFrame(f *testing.F) {
	f.Add(replyFrame(`{"outputs":[{"name":"label","dtype":"INT64","shape":[2],"nbytes":16,"class_index":true}]}`, le([]int64{2, 0})))
	f.Add(replyFrame(`{"outputs":[{"name":"s","dtype":"BYTES","shape":[1],"nbytes":6}]}`, le(uint32(2), []byte("hi"))))
	f.Add(replyFrame(`{"outputs":[{"name":"p","dtype":"FP64","shape":[1,2],"nbytes":16}]}`, le(0.5, 0.5)))
	f.Add(rawHeader(frameMagic, 1, byte(msgError), 0, 0, 0))
	f.Add(rawHeader(frameMagic, 1, byte(msgPredict), 0, 4, MaxFrameSize-4))
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := bytes.NewReader(stream)
		var buf []byte
		for {
			got, b, err := readFrame(r, buf)
			buf = b
			if err != nil {
				return
			}
			if got.Type == msgPredict {
				_, _ = decodeReply(got.Meta, got.Data, -1, testLabels)
			}
			if got.Type == msgError {
				_ = decodePythonError(got.Meta)
			}
			again, err := appendFrame(nil, got)
			if err != nil {
				t.Fatalf("a frame that decoded does not encode: %v", err)
			}
			back, _, err := readFrame(bytes.NewReader(again), nil)
			if err != nil || !reflect.DeepEqual(back, got) {
				t.Fatalf("round trip: %+v, %v; expected %+v", back, err, got)
			}
		}
	})
}

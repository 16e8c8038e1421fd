package pickle

import (
	"encoding/binary"
	"unsafe"
)

// nativeLittleEndian is true on hosts where a numeric slice's memory already
// is the wire format; there columns cross with one memmove instead of a
// per-element loop (a 4096×4 batch: about 5 µs instead of 40).
var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// appendLE appends data (a numeric or []bool slice) in little-endian order.
func appendLE(buf []byte, data any) ([]byte, error) {
	if nativeLittleEndian {
		if raw, ok := memoryOf(data, true); ok {
			return append(buf, raw...), nil
		}
	}
	return binary.Append(buf, binary.LittleEndian, data)
}

// decodeLE fills data (a numeric slice) from len(buf) little-endian bytes;
// the caller has checked that the sizes agree.
func decodeLE(buf []byte, data any) error {
	// []bool goes the slow way: a byte other than 0 or 1 must not land in a
	// Go bool's memory.
	if nativeLittleEndian {
		if raw, ok := memoryOf(data, false); ok {
			copy(raw, buf)
			return nil
		}
	}
	_, err := binary.Decode(buf, binary.LittleEndian, data)
	return err
}

// memoryOf views a slice's elements as bytes.
func memoryOf(data any, withBool bool) ([]byte, bool) {
	switch v := data.(type) {
	case []float64:
		return bytesOf(v), true
	case []float32:
		return bytesOf(v), true
	case []int64:
		return bytesOf(v), true
	case []int32:
		return bytesOf(v), true
	case []int16:
		return bytesOf(v), true
	case []int8:
		return bytesOf(v), true
	case []uint64:
		return bytesOf(v), true
	case []uint32:
		return bytesOf(v), true
	case []uint16:
		return bytesOf(v), true
	case []uint8:
		return v, true
	case []bool:
		if withBool {
			return bytesOf(v), true
		}
	}
	return nil, false
}

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

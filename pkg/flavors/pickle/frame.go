package pickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The sidecar protocol: every message is one frame,
//
//	magic "MLPS" | version u8 | type u8 | flags u16 | request id u64 | meta length u32 | data length u32
//
// (24 bytes, little-endian) followed by meta (a small JSON object: names,
// dtypes, shapes, byte lengths) and data (raw little-endian buffers). A reply
// carries the type and id of its request, or msgError.
const (
	frameMagic      = "MLPS"
	protocolVersion = 1
	headerSize      = 24

	// MaxFrameSize bounds meta plus data of one frame, in both directions.
	MaxFrameSize = 1 << 30
	// maxMetaSize bounds the JSON section: it only names and sizes columns.
	maxMetaSize = 16 << 20
	// readChunk is how much a reader allocates ahead of the bytes it has
	// received, so a header that lies about its length cannot make it
	// allocate a gigabyte up front.
	readChunk = 4 << 20
)

// msgType says what a frame holds.
type msgType uint8

const (
	msgHello    msgType = 1 // sidecar → Go: versions, sent once at start
	msgLoad     msgType = 2 // Go → sidecar: path and sha256; reply: estimator info
	msgPredict  msgType = 3 // Go → sidecar: columns; reply: outputs
	msgError    msgType = 4 // sidecar → Go: Python exception type and message
	msgShutdown msgType = 5 // Go → sidecar: exit now
)

func (t msgType) String() string {
	switch t {
	case msgHello:
		return "hello"
	case msgLoad:
		return "load"
	case msgPredict:
		return "predict"
	case msgError:
		return "error"
	case msgShutdown:
		return "shutdown"
	}
	return fmt.Sprintf("type %d", uint8(t))
}

// errBadFrame marks a frame that does not follow the protocol.
var errBadFrame = errors.New("malformed sidecar frame")

// frame is one decoded message. Meta and Data may alias the reader's buffer.
type frame struct {
	Type msgType
	ID   uint64
	Meta []byte
	Data []byte
}

// appendFrame encodes f onto buf, refusing sizes the protocol does not allow.
func appendFrame(buf []byte, f frame) ([]byte, error) {
	if err := checkSizes(uint64(len(f.Meta)), uint64(len(f.Data))); err != nil {
		return buf, err
	}
	buf = append(buf, frameMagic...)
	buf = append(buf, protocolVersion, byte(f.Type), 0, 0)
	buf = binary.LittleEndian.AppendUint64(buf, f.ID)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(f.Meta)))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(f.Data)))
	buf = append(buf, f.Meta...)
	return append(buf, f.Data...), nil
}

// writeFrame writes f, copying a large data section straight from f.Data
// rather than through scratch; it returns scratch for reuse.
func writeFrame(w io.Writer, scratch []byte, f frame) ([]byte, error) {
	const inline = 64 << 10
	data := f.Data
	if len(data) > inline {
		f.Data = nil
	}
	scratch, err := appendFrame(scratch[:0], f)
	if err != nil {
		return scratch, err
	}
	if len(data) > inline {
		// The header must announce the data that follows separately.
		if err := checkSizes(uint64(len(f.Meta)), uint64(len(data))); err != nil {
			return scratch, err
		}
		binary.LittleEndian.PutUint32(scratch[20:24], uint32(len(data)))
	}
	if _, err := w.Write(scratch); err != nil {
		return scratch, err
	}
	if len(data) > inline {
		if _, err := w.Write(data); err != nil {
			return scratch, err
		}
	}
	return scratch, nil
}

func checkSizes(meta, data uint64) error {
	if meta > maxMetaSize {
		return fmt.Errorf("%w: meta section of %d bytes exceeds the %d-byte limit", errBadFrame, meta, maxMetaSize)
	}
	if meta+data > MaxFrameSize {
		return fmt.Errorf("%w: frame of %d bytes exceeds the %d-byte limit", errBadFrame, meta+data, MaxFrameSize)
	}
	return nil
}

// readFrame reads one frame, reusing buf for its body; it returns the frame
// and the (possibly grown) buffer. io.EOF means the stream ended cleanly
// between frames.
func readFrame(r io.Reader, buf []byte) (frame, []byte, error) {
	var hdr [headerSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return frame{}, buf, fmt.Errorf("%w: stream ended inside a frame header", errBadFrame)
		}
		return frame{}, buf, err
	}
	if string(hdr[0:4]) != frameMagic {
		return frame{}, buf, fmt.Errorf("%w: magic %q, expected %q", errBadFrame, hdr[0:4], frameMagic)
	}
	if hdr[4] != protocolVersion {
		return frame{}, buf, fmt.Errorf("%w: protocol version %d, expected %d", errBadFrame, hdr[4], protocolVersion)
	}
	f := frame{Type: msgType(hdr[5]), ID: binary.LittleEndian.Uint64(hdr[8:16])}
	if f.Type < msgHello || f.Type > msgShutdown {
		return frame{}, buf, fmt.Errorf("%w: unknown message %s", errBadFrame, f.Type)
	}
	if hdr[6] != 0 || hdr[7] != 0 {
		return frame{}, buf, fmt.Errorf("%w: reserved flags %#x are not zero", errBadFrame, hdr[6:8])
	}
	metaLen := uint64(binary.LittleEndian.Uint32(hdr[16:20]))
	dataLen := uint64(binary.LittleEndian.Uint32(hdr[20:24]))
	if err := checkSizes(metaLen, dataLen); err != nil {
		return frame{}, buf, err
	}
	body, err := readBody(r, buf[:0], int(metaLen+dataLen))
	if err != nil {
		return frame{}, body, fmt.Errorf("%w: %s frame body of %d bytes: %w", errBadFrame, f.Type, metaLen+dataLen, err)
	}
	f.Meta = body[:metaLen:metaLen]
	f.Data = body[metaLen:]
	return f, body, nil
}

// readBody reads n bytes onto buf, growing it at most readChunk ahead of what
// has arrived.
func readBody(r io.Reader, buf []byte, n int) ([]byte, error) {
	for len(buf) < n {
		want := min(n-len(buf), readChunk)
		buf = slices.Grow(buf, want)
		got, err := io.ReadFull(r, buf[len(buf):len(buf)+want])
		buf = buf[:len(buf)+got]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}

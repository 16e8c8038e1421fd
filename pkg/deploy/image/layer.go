package image

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fileEntry is one regular file of a layer: Src on disk, Dst in the image.
type fileEntry struct {
	Src  string
	Dst  string // absolute, slash-separated
	Mode int64
}

// fileLayer makes a layer from files. The tar is written again each time the
// layer is read (nothing is held in memory but the compressed cache), with
// parent directories added, entries sorted, root ownership and one fixed
// time, so equal files give an equal digest.
func fileLayer(files []fileEntry, mtime time.Time) (v1.Layer, error) {
	files = append([]fileEntry(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Dst < files[j].Dst })
	for i, f := range files {
		if !strings.HasPrefix(f.Dst, "/") || path.Clean(f.Dst) != f.Dst {
			return nil, fmt.Errorf("image layer: destination %q must be a clean absolute path", f.Dst)
		}
		if i > 0 && files[i-1].Dst == f.Dst {
			return nil, fmt.Errorf("image layer: %q appears twice", f.Dst)
		}
		st, err := os.Stat(f.Src)
		if err != nil {
			return nil, fmt.Errorf("image layer: %w", err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("image layer: %s is not a regular file", f.Src)
		}
	}
	opener := func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw, files, mtime)) }()
		return pr, nil
	}
	return tarball.LayerFromOpener(opener, tarball.WithCompressedCaching, tarball.WithMediaType(types.OCILayer))
}

func writeTar(w io.Writer, files []fileEntry, mtime time.Time) error {
	tw := tar.NewWriter(w)
	seenDir := map[string]bool{}
	for _, f := range files {
		if err := writeParents(tw, path.Dir(f.Dst), mtime, seenDir); err != nil {
			return err
		}
		if err := writeFile(tw, f, mtime); err != nil {
			return err
		}
	}
	return tw.Close()
}

// writeParents adds the directories above a file, outermost first.
func writeParents(tw *tar.Writer, dir string, mtime time.Time, seen map[string]bool) error {
	if dir == "/" || seen[dir] {
		return nil
	}
	if err := writeParents(tw, path.Dir(dir), mtime, seen); err != nil {
		return err
	}
	seen[dir] = true
	return tw.WriteHeader(&tar.Header{
		Typeflag: tar.TypeDir, Name: strings.TrimPrefix(dir, "/") + "/", Mode: 0o755,
		ModTime: mtime, Format: tar.FormatPAX,
	})
}

func writeFile(tw *tar.Writer, f fileEntry, mtime time.Time) error {
	src, err := os.Open(f.Src)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg, Name: strings.TrimPrefix(f.Dst, "/"), Mode: f.Mode, Size: st.Size(),
		ModTime: mtime, Format: tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, src)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Src, err)
	}
	if n != st.Size() {
		return fmt.Errorf("%s changed while the image was built", f.Src)
	}
	return nil
}

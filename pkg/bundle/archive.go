package bundle

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ArchiveExt is the extension of a single-file bundle (tar + gzip).
const ArchiveExt = ".mlb"

// Limits bound what Extract accepts, against archive bombs.
type Limits struct {
	MaxFiles     int
	MaxFileBytes int64
	MaxTotal     int64
}

// DefaultLimits allow models up to 8 GiB in all.
var DefaultLimits = Limits{MaxFiles: 10000, MaxFileBytes: 8 << 30, MaxTotal: 8 << 30}

// Archive writes the bundle directory dir as one tar+gzip file at out, with
// entries sorted and times zeroed so the same bundle gives the same bytes.
func Archive(dir, out string) (err error) {
	var paths []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s is not a regular file", ErrInvalid, p)
		}
		rel, _ := filepath.Rel(dir, p)
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(paths)
	f, err := os.CreateTemp(filepath.Dir(out), ".mlb-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for _, rel := range paths {
		if err := addFile(tw, filepath.Join(dir, filepath.FromSlash(rel)), rel); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}

func addFile(tw *tar.Writer, src, name string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: st.Size(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, in)
	return err
}

// Extract unpacks an archive into dir, refusing entries that are not plain
// files or directories, paths that are absolute or climb out with "..", and
// archives past the limits.
func Extract(archive, dir string, lim Limits) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("open bundle: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%w: %s is neither a bundle directory nor a gzip-compressed bundle archive: %v", ErrInvalid, archive, err)
	}
	tr := tar.NewReader(zr)
	var files int
	var total int64
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, archive, err)
		}
		if err := checkRelPath(hdr.Name); err != nil {
			return fmt.Errorf("%w: %s: entry refused: %v", ErrInvalid, archive, err)
		}
		target := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		case tar.TypeReg:
		default:
			return fmt.Errorf("%w: %s: entry %s is a link or special file; bundles hold plain files only", ErrInvalid, archive, hdr.Name)
		}
		files++
		if files > lim.MaxFiles {
			return fmt.Errorf("%w: %s holds more than %d files", ErrInvalid, archive, lim.MaxFiles)
		}
		if hdr.Size > lim.MaxFileBytes || total+hdr.Size > lim.MaxTotal {
			return fmt.Errorf("%w: %s: entry %s would exceed the size limit (%d bytes in all)", ErrInvalid, archive, hdr.Name, lim.MaxTotal)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("%w: %s: entry %s: %v", ErrInvalid, archive, hdr.Name, err)
		}
		// Copy one byte past the declared size to catch a lying header.
		n, err := io.Copy(out, io.LimitReader(tr, hdr.Size+1))
		cerr := out.Close()
		if err != nil {
			return fmt.Errorf("%w: %s: entry %s: %v", ErrInvalid, archive, hdr.Name, err)
		}
		if cerr != nil {
			return cerr
		}
		if n != hdr.Size {
			return fmt.Errorf("%w: %s: entry %s is truncated", ErrInvalid, archive, hdr.Name)
		}
		total += n
	}
}

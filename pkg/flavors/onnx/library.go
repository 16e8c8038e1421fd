package onnx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// EnvLibrary names the environment variable that points at the ONNX Runtime
// shared library; an explicit path (the --ort-lib flag) wins over it.
const EnvLibrary = "MLCTL_ORT_LIB"

// libraryNames are the file names a system-wide ONNX Runtime install uses.
var libraryNames = []string{"libonnxruntime.so", "libonnxruntime.so.1"}

// systemLibraryDirs are searched after the explicit path, the environment
// and the user cache, in this order, then LD_LIBRARY_PATH.
var systemLibraryDirs = []string{"/usr/lib", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu"}

// howToGetLibrary is appended to every "library not found" error.
const howToGetLibrary = "run scripts/setup.sh (it puts the library in the user cache), " +
	"or set " + EnvLibrary + " or --ort-lib to a libonnxruntime.so, " +
	"e.g. lib/libonnxruntime.so from an ONNX Runtime release on GitHub " +
	"(https://github.com/microsoft/onnxruntime/releases) or " +
	"bin/napi-v6/linux/x64/libonnxruntime.so.1 from the npm package onnxruntime-node"

// LibraryPath finds the ONNX Runtime shared library: explicit (a flag) if
// not empty, then $MLCTL_ORT_LIB, then the user cache
// (os.UserCacheDir()/mlctl/onnxruntime/libonnxruntime.so), then the system
// library directories and LD_LIBRARY_PATH. A path given explicitly or by the
// environment must exist; it is not silently replaced by another.
func LibraryPath(explicit string) (string, error) {
	if explicit != "" {
		return mustExist(explicit, "--ort-lib")
	}
	if env := os.Getenv(EnvLibrary); env != "" {
		return mustExist(env, EnvLibrary)
	}
	var tried []string
	if cache, err := os.UserCacheDir(); err == nil {
		p := filepath.Join(cache, "mlctl", "onnxruntime", "libonnxruntime.so")
		if isFile(p) {
			return p, nil
		}
		tried = append(tried, p)
	}
	dirs := append([]string(nil), systemLibraryDirs...)
	for _, d := range filepath.SplitList(os.Getenv("LD_LIBRARY_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		for _, name := range libraryNames {
			p := filepath.Join(d, name)
			if isFile(p) {
				return p, nil
			}
			tried = append(tried, p)
		}
	}
	return "", fmt.Errorf("%w: ONNX Runtime shared library not found (looked in %s): %s",
		flavors.ErrUnavailable, strings.Join(tried, ", "), howToGetLibrary)
}

func mustExist(path, source string) (string, error) {
	if isFile(path) {
		return path, nil
	}
	return "", fmt.Errorf("%w: ONNX Runtime shared library %q (from %s) does not exist or is not a file: %s",
		flavors.ErrUnavailable, path, source, howToGetLibrary)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

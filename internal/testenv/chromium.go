package testenv

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// InstallChromium is the command that installs Debian's chromium, which
// the HTML report tests drive headless.
const InstallChromium = "bash scripts/setup.sh"

const chromiumTimeout = 2 * time.Minute

// ChromiumPage is an HTML file as headless Chromium loaded it.
type ChromiumPage struct {
	// DOM is the document after its scripts ran (--dump-dom).
	DOM string
	// Console holds the page's console messages, uncaught exceptions and
	// failed resource loads included, one per entry.
	Console []string
	// Stderr is Chromium's whole log, for failure messages.
	Stderr string
}

// consoleLine matches what --enable-logging=stderr writes for a console
// message: [pid:tid:time:INFO:CONSOLE:12] "text", source: file:///x.html (12)
// (older builds write CONSOLE(12) instead of CONSOLE:12).
var consoleLine = regexp.MustCompile(`:CONSOLE[:(]\d*\)?\] (.*)$`)

// LoadInChromium opens the local HTML file at path in headless Chromium,
// with networking in the background turned off and a fresh profile, and
// returns the rendered DOM and the console messages. It skips the test
// when Chromium is not installed and fails it when Chromium fails.
func LoadInChromium(t testing.TB, path string) *ChromiumPage {
	t.Helper()
	stdout, stderr := runChromium(t, path, "--dump-dom")
	page := &ChromiumPage{DOM: stdout, Stderr: stderr}
	for _, line := range strings.Split(stderr, "\n") {
		if m := consoleLine.FindStringSubmatch(line); m != nil {
			page.Console = append(page.Console, m[1])
		}
	}
	return page
}

// ScreenshotWithChromium renders the local HTML file at path into a PNG
// of width×height CSS pixels at png.
func ScreenshotWithChromium(t testing.TB, path, png string, width, height int) {
	t.Helper()
	abs, err := filepath.Abs(png)
	if err != nil {
		t.Fatal(err)
	}
	runChromium(t, path,
		"--hide-scrollbars",
		"--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height),
		"--screenshot="+abs)
}

func runChromium(t testing.TB, path string, extra ...string) (stdout, stderr string) {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		missing(t, "chromium (headless browser for the HTML report tests)", InstallChromium)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0",
	}
	args = append(args, extra...)
	args = append(args, "file://"+filepath.ToSlash(abs))
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errBuf
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errBuf.String())
	}
	return out.String(), errBuf.String()
}

// findChromium looks for Debian's chromium, then other common names.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, ok := findBinary(name); ok {
			return p
		}
	}
	return ""
}

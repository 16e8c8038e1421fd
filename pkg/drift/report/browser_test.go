package report

import (
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/internal/testenv"
)

// screenshotDirEnv, when set, keeps the screenshot TestHTMLScreenshot takes
// in that directory, to look at it.
const screenshotDirEnv = "MLCTL_DRIFT_SCREENSHOT_DIR"

func writeHTMLFile(t *testing.T, r *Report, edit func(string) string) string {
	t.Helper()
	page := renderHTML(t, r)
	if edit != nil {
		page = edit(page)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkRendered is what a good page must pass in the browser: the plots
// are in the DOM, the script ran, and the console stayed silent (no
// exception, no blocked or failed load).
func checkRendered(page *testenv.ChromiumPage, plots int) []string {
	var problems []string
	if got := strings.Count(page.DOM, `<svg class="plot"`); got != plots {
		problems = append(problems, "rendered DOM has "+strconv.Itoa(got)+" plots, want "+strconv.Itoa(plots))
	}
	if !strings.Contains(page.DOM, `<html lang="en" class="js">`) {
		problems = append(problems, "the page's script did not run (no js class on <html>)")
	}
	for _, m := range page.Console {
		problems = append(problems, "console: "+m)
	}
	return problems
}

func TestHTMLRendersInChromium(t *testing.T) {
	r := sampleReport()
	page := testenv.LoadInChromium(t, writeHTMLFile(t, r, nil))
	for _, p := range checkRendered(page, len(r.Windows[0].Columns)) {
		t.Error(p)
	}
	if t.Failed() {
		t.Logf("chromium log:\n%s", page.Stderr)
	}
}

// The controls prove the check can fail: a script error and a load the
// page's Content-Security-Policy blocks must both reach the console.
func TestHTMLChromiumCheckCatchesErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want string // in a console message
	}{
		{
			name: "script error",
			edit: func(p string) string {
				return strings.Replace(p, `"use strict";`, `"use strict"; undefinedReportFunction();`, 1)
			},
			want: "undefinedReportFunction",
		},
		{
			name: "external image",
			edit: func(p string) string {
				return strings.Replace(p, "<main>", `<main><img src="http://192.0.2.1/pixel.png" alt="">`, 1)
			},
			want: "Content Security Policy",
		},
	}
	r := sampleReport()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := testenv.LoadInChromium(t, writeHTMLFile(t, r, tt.edit))
			problems := checkRendered(page, len(r.Windows[0].Columns))
			if len(problems) == 0 {
				t.Fatalf("the check passed a broken page; chromium log:\n%s", page.Stderr)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q do not mention %q", problems, tt.want)
			}
		})
	}
}

func TestHTMLScreenshot(t *testing.T) {
	dir := os.Getenv(screenshotDirEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "drift-report.png")
	const width, height = 1280, 2000
	testenv.ScreenshotWithChromium(t, writeHTMLFile(t, sampleReport(), nil), shot, width, height)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Errorf("screenshot is %v, want %dx%d", b, width, height)
	}
}
